import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { ExceptionStatus, ExceptionType, RiskTier } from '@/lib/generated/prisma/enums';

export type ExceptionRow = {
  id: string;
  type: ExceptionType;
  status: ExceptionStatus;
  agent: { slug: string; name: string; riskTier: RiskTier };
  requestedBy: { name: string | null };
  expiresAt: Date;
  createdAt: Date;
};

/** Pending first (oldest first), then the rest by expiry. */
export async function listExceptions(actor: Actor): Promise<ExceptionRow[]> {
  requirePermission(actor, 'agent.read');
  const select = {
    id: true,
    type: true,
    status: true,
    expiresAt: true,
    createdAt: true,
    agent: { select: { slug: true, name: true, riskTier: true } },
    requestedBy: { select: { name: true } },
  } as const;
  const [pending, others] = await Promise.all([
    getDb().exception.findMany({ where: { status: 'PENDING' }, orderBy: { createdAt: 'asc' }, take: 100, select }),
    getDb().exception.findMany({ where: { status: { not: 'PENDING' } }, orderBy: { expiresAt: 'desc' }, take: 100, select }),
  ]);
  return [...pending, ...others];
}
