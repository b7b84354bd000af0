// Keyset pages, walked forward and back, equal a plain ORDER BY of the same
// rows: nothing skipped, nothing repeated, nulls (people without a name) last.
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { createPerson } from '@/lib/testing/people';
import { listPeople } from '@/lib/users/queries';
import { decodeCursor } from './keyset';

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
});
