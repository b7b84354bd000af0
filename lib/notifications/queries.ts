import 'server-only';
import { z } from 'zod';
import { can, requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { NotificationChannel, NotificationStatus, Prisma } from '@/lib/generated/prisma/client';
import { NOTIFICATION_CHANNEL, NOTIFICATION_STATUS, valuesOf } from '@/lib/vocabulary';
import { isNotificationKind, NOTIFICATION_KIND_IDS } from './kinds';
import { messageOf } from './message';

export const PAGE_SIZE = 50;

/** The delivery log's filter, from the URL: anything unknown is dropped, not an error. */
export const DeliveryFilterSchema = z.object({
  status: z.enum(valuesOf(NOTIFICATION_STATUS)).optional().catch(undefined),
  kind: z.enum(NOTIFICATION_KIND_IDS).optional().catch(undefined),
  channel: z.enum(valuesOf(NOTIFICATION_CHANNEL)).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});
export type DeliveryFilter = z.infer<typeof DeliveryFilterSchema>;

export type DeliveryRow = {
  id: string;
  kind: string;
  channel: NotificationChannel;
  status: NotificationStatus;
  subject: string;
  path: string;
  recipient: string;
  attempts: { at: Date; ok: boolean; detail: string; durationMs: number }[];
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
};

/**
 * The delivery log: every notification for a security lead; a person's own (their inbox) for everyone else, whatever
 * the URL asks. Newest first, with each attempt.
 */
export async function listNotifications(
  actor: Actor | null,
  filter: DeliveryFilter,
): Promise<{ rows: DeliveryRow[]; total: number; everyone: boolean }> {
  requirePermission(actor, 'notifications.read');
  const everyone = can(actor, 'notifications.manage');
  const where: Prisma.NotificationWhereInput = {
    ...(everyone ? {} : { userId: actor.id }),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.channel ? { channel: filter.channel } : {}),
  };
  const [rows, total] = await Promise.all([
    getDb().notification.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip: ((filter.page ?? 1) - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      include: {
        user: { select: { name: true, email: true } },
        endpoint: { select: { name: true } },
        tries: { orderBy: { at: 'desc' }, take: 10 },
      },
    }),
    getDb().notification.count({ where }),
  ]);
  return {
    everyone,
    total,
    rows: rows.map((n) => {
      const message = isNotificationKind(n.kind)
        ? messageOf(n.kind, n.payload as Record<string, unknown>)
        : { subject: n.kind, path: '/', text: '' };
      return {
        id: n.id,
        kind: n.kind,
        channel: n.channel,
        status: n.status,
        subject: message.subject,
        path: message.path,
        recipient: n.endpoint?.name ?? n.user?.name ?? n.user?.email ?? n.address ?? '—',
        // What a server answered names its infrastructure: a person sees whether, a lead sees why.
        attempts: n.tries.map((t) => ({
          at: t.at,
          ok: t.ok,
          detail: everyone ? t.detail : t.ok ? 'accepted' : 'not accepted',
          durationMs: t.durationMs,
        })),
        lastError: everyone || n.status === 'SKIPPED' ? n.lastError : null,
        createdAt: n.createdAt,
        sentAt: n.sentAt,
        nextAttemptAt: n.nextAttemptAt,
      };
    }),
  };
}

/** The teams' endpoints, for the security lead who manages them. */
export async function listEndpoints(actor: Actor | null) {
  requirePermission(actor, 'notifications.manage');
  return getDb().notificationEndpoint.findMany({ orderBy: { name: 'asc' } });
}

/** The kinds this person muted for e-mail. */
export async function mutedKinds(actor: Actor | null): Promise<string[]> {
  requirePermission(actor, 'notifications.read');
  const rows = await getDb().notificationMute.findMany({ where: { userId: actor.id }, select: { kind: true } });
  return rows.map((r) => r.kind);
}
