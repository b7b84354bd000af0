import { createHash } from 'node:crypto';
import { Prisma } from '@/lib/generated/prisma/client';

// PostgreSQL plans an unnamed statement at every execution. For a hot statement with a large, fixed text (the
// issuance gate's facts, with the CRITICAL policy rules inlined) planning costs more than running it, so such
// statements are named: each connection prepares them once and PostgreSQL settles on a cached plan. Only statements
// marked here are named: a name per distinct text, kept for the life of a connection, must stay a short list.

const MARK = '/* prepared */ ';

/** Marks a statement whose text is one of a few fixed shapes (values go in parameters) as worth preparing. */
export function prepared(statement: Prisma.Sql): Prisma.Sql {
  return Prisma.sql([MARK, ''], statement);
}

/** The name of a marked statement (the same text, the same name, on every connection); unnamed otherwise. */
export function preparedName({ sql }: { sql: string }): string | undefined {
  if (!sql.startsWith(MARK)) return undefined;
  let name = names.get(sql);
  if (name === undefined) {
    name = `c_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/** Names by text: a few fixed shapes, so the map stays small; a hot statement is not hashed at every execution. */
const names = new Map<string, string>();
