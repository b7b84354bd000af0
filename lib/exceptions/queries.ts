import 'server-only';
import { cache } from 'react';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { ExceptionStatus, ExceptionType } from '@/lib/generated/prisma/enums';

const rowSelect = {
  id: true,
  type: true,
  status: true,
  startsAt: true,
  expiresAt: true,
  endedAt: true,
  createdAt: true,
  requiredApprovals: true,
  justification: true,
  agent: { select: { slug: true, name: true, riskTier: true } },
  credential: { select: { name: true } },
  requestedBy: { select: { id: true, name: true } },
  _count: { select: { decisions: { where: { outcome: 'APPROVE' } } } },
} satisfies Prisma.ExceptionSelect;

export type ExceptionRow = Prisma.ExceptionGetPayload<{ select: typeof rowSelect }>;

export const QUEUE_PAGE_SIZE = 100;

/**
 * The PAM queue: pending oldest first, then those in force by expiry (only
 * those ending within `withinHours`, when given), the first 100 of each with
 * their full counts. Expired ones never show as active.
 */
export async function listExceptionQueue(
  actor: Actor,
  withinHours?: number,
  now = new Date(),
): Promise<{ pending: ExceptionRow[]; active: ExceptionRow[]; pendingTotal: number; activeTotal: number }> {
  requirePermission(actor, 'agent.read');
  const pendingWhere: Prisma.ExceptionWhereInput = { status: 'PENDING', expiresAt: { gt: now } };
  const activeWhere: Prisma.ExceptionWhereInput = { status: 'APPROVED', expiresAt: { gt: now, ...(withinHours ? { lte: new Date(now.getTime() + withinHours * 3_600_000) } : {}) } };
  const db = getDb();
  const [pending, active, pendingTotal, activeTotal] = await Promise.all([
    db.exception.findMany({ where: pendingWhere, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: QUEUE_PAGE_SIZE, select: rowSelect }),
    db.exception.findMany({ where: activeWhere, orderBy: [{ expiresAt: 'asc' }, { id: 'asc' }], take: QUEUE_PAGE_SIZE, select: rowSelect }),
    db.exception.count({ where: pendingWhere }),
    db.exception.count({ where: activeWhere }),
  ]);
  return { pending, active, pendingTotal, activeTotal };
}

export type HistoryFilter = { type?: ExceptionType; status?: ExceptionStatus; agent?: string; page: number };
export const HISTORY_PAGE_SIZE = 50;

/** Everything decided, withdrawn, expired or revoked — browsable forever. */
export async function listExceptionHistory(actor: Actor, filter: HistoryFilter, now = new Date()): Promise<{ rows: ExceptionRow[]; total: number }> {
  requirePermission(actor, 'agent.read');
  const ended: Prisma.ExceptionWhereInput = {
    OR: [{ status: { in: ['REJECTED', 'WITHDRAWN', 'EXPIRED', 'REVOKED'] } }, { status: { in: ['APPROVED', 'PENDING'] }, expiresAt: { lte: now } }],
  };
  const where: Prisma.ExceptionWhereInput = {
    AND: [
      ended,
      ...(filter.type ? [{ type: filter.type }] : []),
      ...(filter.status === 'EXPIRED' ? [{ OR: [{ status: 'EXPIRED' as const }, { status: 'APPROVED' as const, expiresAt: { lte: now } }] }] : filter.status ? [{ status: filter.status }] : []),
      ...(filter.agent ? [{ agent: { slug: filter.agent } }] : []),
    ],
  };
  const [rows, total] = await Promise.all([
    getDb().exception.findMany({ where, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], skip: (filter.page - 1) * HISTORY_PAGE_SIZE, take: HISTORY_PAGE_SIZE, select: rowSelect }),
    getDb().exception.count({ where }),
  ]);
  return { rows, total };
}

/** One exception with its decisions and its timeline (whose owner snapshots say who was accountable then). */
async function readExceptionDetail(actor: Actor, id: string) {
  requirePermission(actor, 'agent.read');
  const exception = await getDb().exception.findUnique({
    where: { id },
    select: {
      ...rowSelect,
      revokeReason: true,
      revokedAt: true,
      revokedBy: { select: { name: true } },
      decisions: { orderBy: { decidedAt: 'asc' }, select: { id: true, outcome: true, reason: true, decidedAt: true, decider: { select: { id: true, name: true } } } },
      agentId: true,
    },
  });
  if (!exception) return null;
  const events = await getDb().auditEvent.findMany({
    where: { agentId: exception.agentId, details: { path: ['exceptionId'], equals: id } },
    orderBy: { seq: 'asc' },
    select: { seq: true, action: true, occurredAt: true, actorId: true, actorType: true, owners: true, details: true },
  });
  return { ...exception, events };
}

/** An agent's latest 50 exceptions, newest first. */
export async function listAgentExceptions(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  return getDb().exception.findMany({
    where: { agentId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 50,
    select: {
      id: true,
      type: true,
      status: true,
      startsAt: true,
      expiresAt: true,
      requestedBy: { select: { name: true } },
    },
  });
}

/** Cached per request: a record route's layout (404 before streaming) and its page share one read. */
export const getExceptionDetail = cache(readExceptionDetail);
