import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { parseInput } from '@/lib/errors';

/** A person as a picker shows them. */
export type PersonOption = { id: string; name: string | null; email: string | null; active: boolean };

export const PersonSearchSchema = z.object({
  q: z.string().trim().max(100, 'Search with at most 100 characters.').default(''),
  active: z.enum(['true', 'false', 'any']).default('true'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

const SELECT = { id: true, name: true, email: true, active: true } as const;

/**
 * People matching a typed name or e-mail, for the one typeahead person
 * picker: any signed-in role that sees agents sees who owns them.
 */
export async function searchPeople(actor: Actor | null, input: unknown): Promise<PersonOption[]> {
  requirePermission(actor, 'agent.read');
  const { q, active, limit } = parseInput(PersonSearchSchema, input);
  return getDb().user.findMany({
    where: {
      ...(active === 'any' ? {} : { active: active === 'true' }),
      ...(q
        ? { OR: [{ name: { contains: q, mode: 'insensitive' } }, { email: { contains: q, mode: 'insensitive' } }] }
        : {}),
    },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: SELECT,
    take: limit,
  });
}

/** The people a page names by id (a filter's selected person), in one query. */
export async function getPeople(actor: Actor, ids: readonly (string | null | undefined)[]): Promise<PersonOption[]> {
  requirePermission(actor, 'agent.read');
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return [];
  return getDb().user.findMany({ where: { id: { in: wanted } }, select: SELECT });
}

/** One person for a picker's initial value, or null. */
export async function getPerson(actor: Actor, id: string | null | undefined): Promise<PersonOption | null> {
  return (await getPeople(actor, [id]))[0] ?? null;
}
