import { expect, it } from 'vitest';
import { getDb, getPool } from '@/lib/db/client';
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

  it('runs on the pool, prepared once per connection, with the rows Prisma would give', async () => {
    const statement = Prisma.sql`SELECT ${'x'}::text AS "t", json_build_object('n', ${2}::int) AS "j",
      ${new Date('2026-01-01T00:00:00Z')}::timestamptz AS "at", ARRAY['a', 'b']::text[] AS "list"`;
    const rows = await hotRows<{ t: string; j: { n: number }; at: Date; list: string[] }>(statement);
    expect(rows).toEqual(await getDb().$queryRaw(prepared(statement)));
    expect(rows).toEqual([{ t: 'x', j: { n: 2 }, at: new Date('2026-01-01T00:00:00Z'), list: ['a', 'b'] }]);
    // The same connection runs it again from its prepared statement.
    const client = await getPool()!.connect();
    try {
      const name = preparedName({ sql: prepared(statement).text })!;
      const text = prepared(statement).text;
      await client.query({ name, text, values: prepared(statement).values });
      const { rows: held } = await client.query(`SELECT name FROM pg_prepared_statements WHERE name = $1`, [name]);
      expect(held).toEqual([{ name }]);
    } finally {
      client.release();
    }
  });
});
