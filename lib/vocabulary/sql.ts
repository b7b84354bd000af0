import { Prisma } from '@/lib/generated/prisma/client';
import { labelOf, valuesOf, wordOf, type Vocabulary } from '.';

function caseOf<V extends string>(vocabulary: Vocabulary<V>, column: Prisma.Sql, word: (v: V) => string): Prisma.Sql {
  const arms = valuesOf(vocabulary).map((value) => Prisma.sql`WHEN ${value} THEN ${word(value)}`);
  return Prisma.sql`(CASE ${column}::text ${Prisma.join(arms, ' ')} ELSE ${column}::text END)`;
}

/** An enum column as its vocabulary label, in SQL (finding details are written by queries). */
export function sqlLabel<V extends string>(vocabulary: Vocabulary<V>, column: Prisma.Sql): Prisma.Sql {
  return caseOf(vocabulary, column, (v) => labelOf(vocabulary, v));
}

/** An enum column as its word inside a sentence, in SQL. */
export function sqlWord<V extends string>(vocabulary: Vocabulary<V>, column: Prisma.Sql): Prisma.Sql {
  return caseOf(vocabulary, column, (v) => wordOf(vocabulary, v));
}
