import { expect, it } from 'vitest';
import { getDb, hotClient } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { hotRows } from './hot-path';
import { prepared, preparedName } from './prepared';

describeWithPostgresServer('statements on the hot path', () => {
  it('only marked statements are named, and one text always has one name', () => {
    const marked = prepared(Prisma.sql`SELECT ${1}::int AS "n"`);
    expect(preparedName({ sql: marked.text })).toMatch(/^c_[0-9a-f]{24}$/);
    expect(preparedName({ sql: marked.text })).toBe(preparedName({ sql: marked.text }));
    expect(preparedName({ sql: prepared(Prisma.sql`SELECT 2`).text })).not.toBe(preparedName({ sql: marked.text }));
    expect(preparedName({ sql: Prisma.sql`SELECT ${1}::int`.text })).toBeUndefined();
  });

  it('runs on the pool with the rows Prisma gives; Prisma names a marked statement on its connection', async () => {
    const statement = Prisma.sql`SELECT ${'x'}::text AS "t", json_build_object('n', ${2}::int) AS "j",
      ${new Date('2026-01-01T00:00:00Z')}::timestamptz AS "at", ARRAY['a', 'b']::text[] AS "list"`;
    const rows = await hotRows<{ t: string; j: { n: number }; at: Date; list: string[] }>(statement);
    expect(rows).toEqual(await getDb().$queryRaw(prepared(statement)));
    expect(rows).toEqual([{ t: 'x', j: { n: 2 }, at: new Date('2026-01-01T00:00:00Z'), list: ['a', 'b'] }]);
    const name = preparedName({ sql: prepared(statement).text })!;
    // In one transaction, one connection: after Prisma runs the marked statement, that connection holds it by name;
    // an unmarked one it does not prepare.
    const held = await getDb().$transaction(async (tx) => {
      await tx.$queryRaw(prepared(statement));
      await tx.$queryRaw(statement);
      return tx.$queryRaw<{ name: string }[]>`SELECT name FROM pg_prepared_statements ORDER BY name`;
    });
    expect(held.map((h) => h.name)).toEqual([name]);
    // The hot pool's connections prepare it too (hotRows names it the same way on whichever connection it gets).
    const client = (await hotClient())!;
    try {
      const { rows: before } = await client.query(`SELECT count(*)::int AS n FROM pg_prepared_statements`);
      await client.query({ name, text: prepared(statement).text, values: prepared(statement).values });
      const { rows: after } = await client.query(`SELECT name FROM pg_prepared_statements WHERE name = $1`, [name]);
      expect(after).toEqual([{ name }]);
      expect(before[0].n).toBeLessThanOrEqual(1);
    } finally {
      client.release();
    }
  });

  it('the hot pool uses cached generic plans, and Prisma’s connections still plan per value', async () => {
    const client = (await hotClient())!;
    try {
      const { rows } = await client.query(`SHOW plan_cache_mode`);
      expect(rows).toEqual([{ plan_cache_mode: 'force_generic_plan' }]);
    } finally {
      client.release();
    }
    const [prisma] = await getDb().$queryRaw<{ plan_cache_mode: string }[]>`SHOW plan_cache_mode`;
    expect(prisma!.plan_cache_mode).toBe('auto');
  });
});
