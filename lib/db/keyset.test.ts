// Keyset pages, walked forward and back, equal a plain ORDER BY of the same
// rows: nothing skipped, nothing repeated, nulls (people without a name) last.
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { createPerson } from '@/lib/testing/people';
import { listPeople } from '@/lib/users/queries';
import { decodeCursor, keysetPage, unionFind } from './keyset';

describe('keyset pagination', () => {
  it('walks people by name forward and back, unnamed people last, each exactly once', async () => {
    const admin = await createPerson(['ADMIN']);
    for (let i = 0; i < 30; i++) await createPerson(['OWNER'], { name: `Keyset ${String(i % 7).padStart(2, '0')}` });
    for (let i = 0; i < 6; i++) await createPerson(['OWNER'], { name: null });
    const expected = (
      await getDb().user.findMany({
        orderBy: [{ name: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }],
        select: { id: true },
      })
    ).map((u) => u.id);

    const pages: string[][] = [];
    let cursor: { after?: string; before?: string } = {};
    for (;;) {
      const page = await listPeople(admin, { size: 25, ...cursor });
      pages.push(page.rows.map((r) => r.id));
      if (!page.next) break;
      cursor = { after: page.next };
    }
    expect(pages.flat()).toEqual(expected);
    expect(pages.length).toBeGreaterThan(1);

    // Back from the last page to the first, one "previous" at a time.
    let page = await listPeople(admin, { size: 25, ...cursor });
    for (let i = pages.length - 2; i >= 0; i--) {
      page = await listPeople(admin, { size: 25, before: page.prev! });
      expect(page.rows.map((r) => r.id)).toEqual(pages[i]);
    }
    expect(page.prev).toBeNull();
  });

  it('a cursor that is not one of ours starts the list over instead of failing', async () => {
    expect(decodeCursor('not-base64-json')).toBeNull();
    expect(decodeCursor(Buffer.from('[{"d":"not a date"},"x"]').toString('base64url'))).toBeNull();
    const admin = await createPerson(['ADMIN']);
    const first = await listPeople(admin, { size: 25 });
    expect((await listPeople(admin, { size: 25, after: 'garbage' })).rows).toEqual(first.rows);
  });

  it('pages the union of two overlapping queries, ties included, as one query with OR would', async () => {
    const tag = `Union ${Math.random().toString(36).slice(2, 8)}`;
    const made = [];
    for (let i = 0; i < 40; i++) {
      made.push(await createPerson(i % 3 === 0 ? ['AUDITOR'] : ['OWNER'], { name: `${tag} ${i < 25 ? 'A' : 'B'}` }));
    }
    // Four instants for forty people: most sort values tie, and the id decides.
    const instants = [0, 1, 2, 3].map((k) => new Date(Date.UTC(2026, 0, 1, k)));
    for (const [i, person] of made.entries()) {
      await getDb().user.update({ where: { id: person.id }, data: { createdAt: instants[i % 4] } });
    }
    const branches = [{ name: `${tag} A` }, { name: { startsWith: tag }, roles: { has: 'AUDITOR' as const } }];
    const expected = (
      await getDb().user.findMany({ where: { OR: branches }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    ).map((u) => u.id);
    expect(expected.length).toBeGreaterThan(25);
    const value = (row: { createdAt: Date }) => row.createdAt;
    const find = unionFind(
      value,
      branches.map(
        (branch) =>
          ({ where, orderBy, take }: Parameters<Parameters<typeof unionFind>[1][number]>[0]) =>
            getDb().user.findMany({ where: { AND: [branch, where] }, orderBy, take }),
      ),
    );
    const list = (cursor: { after?: string; before?: string }) =>
      keysetPage({ query: { size: 25, ...cursor }, field: 'createdAt', dir: 'asc', value, find });
    const first = await list({});
    const second = await list({ after: first.next! });
    expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(expected);
    expect(second.next).toBeNull();
    expect((await list({ before: second.prev! })).rows.map((r) => r.id)).toEqual(expected.slice(0, 25));
  });
});
