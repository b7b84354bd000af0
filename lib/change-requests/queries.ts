import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { keysetPage, keysetParams } from '@/lib/db/keyset';
import type { Prisma } from '@/lib/generated/prisma/client';

/** The changes queue's URL state: waiting, or decided, and a keyset cursor. */
export const ChangeListQuerySchema = z.object({
  view: z.enum(['pending', 'decided']).catch('pending').default('pending'),
  ...keysetParams,
});
export type ChangeListQuery = z.infer<typeof ChangeListQuerySchema>;

const changeRow = {
  id: true,
  kind: true,
  status: true,
  from: true,
  to: true,
  reason: true,
  settingKey: true,
  decisionReason: true,
  decidedAt: true,
  createdAt: true,
  version: true,
  agent: { select: { slug: true, name: true } },
  credential: { select: { name: true } },
  targetUserId: true,
  requestedBy: { select: { id: true, name: true } },
  decidedBy: { select: { name: true } },
} satisfies Prisma.ChangeRequestSelect;
export type ChangeRow = Prisma.ChangeRequestGetPayload<{ select: typeof changeRow }> & { targetName: string | null };

/** Changes waiting for a second person (oldest first), or decided ones (newest first), paged by keyset. */
export async function listChangeRequests(actor: Actor, query: ChangeListQuery) {
  requirePermission(actor, 'change.read');
  const db = getDb();
  const pending = query.view === 'pending';
  const where: Prisma.ChangeRequestWhereInput = pending ? { status: 'PENDING' } : { status: { not: 'PENDING' } };
  const [page, total] = await Promise.all([
    keysetPage({
      query,
      field: 'createdAt',
      dir: pending ? 'asc' : 'desc',
      value: (row: { id: string; createdAt: Date }) => row.createdAt,
      find: ({ where: cursor, orderBy, take }) =>
        db.changeRequest.findMany({ where: { AND: [where, cursor] }, orderBy, take, select: changeRow }),
    }),
    db.changeRequest.count({ where }),
  ]);
  const targets = await db.user.findMany({
    where: { id: { in: page.rows.flatMap((r) => (r.targetUserId ? [r.targetUserId] : [])) } },
    select: { id: true, name: true },
  });
  const rows: ChangeRow[] = page.rows.map((r) => ({
    ...r,
    targetName: targets.find((t) => t.id === r.targetUserId)?.name ?? null,
  }));
  return { ...page, rows, total };
}

/** Changes waiting for a second person, for the navigation. */
export async function countPendingChanges(): Promise<number> {
  return getDb().changeRequest.count({ where: { status: 'PENDING' } });
}
