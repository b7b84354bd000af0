import 'server-only';
import { getDb } from '@/lib/db';
import { getEnv, type Env } from '@/lib/env';
import type { Notification, NotificationEndpoint, User } from '@/lib/generated/prisma/client';
import { SecretUnavailable } from '@/lib/secrets/secret-ref';
import { allowedRanges } from './address-guard';
import { sendMail } from './email';
import { endpointTarget } from './endpoint-target';
import { isNotificationKind } from './kinds';
import { messageOf } from './message';
import { resolveNotifySecret } from './notify-secret';
import { slackPayload, webhookPayload } from './payloads';
import { postJson, signatureHeader, type PostResult } from './webhook';

/** After each failed attempt, the wait before the next; after the last, the notification is dead-lettered. */
export const RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 30 * 60_000, 2 * 3_600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** A claimed notification is another sweep's again after this: a server that dies mid-delivery loses nothing. */
const LEASE_MS = 5 * 60_000;
/** Claimed at once: two rounds of parallel sends, each bounded by the channels' timeouts (40 s for SMTP at worst). */
const BATCH = 16;
const PARALLEL = 8;
/** A sweep claims no new batch after this long, so it always ends well inside its leases (and the job's expiry). */
const SWEEP_MS = 60_000;

type Claimed = Notification & { user: Pick<User, 'email' | 'active'> | null; endpoint: NotificationEndpoint | null };

/** The outcome of one delivery: sent, failed (retried), or skipped with the reason (not owed: never retried). */
type Outcome = PostResult | { skipped: string };

/** Where the person acts: the page's absolute URL, for e-mails and chat messages. */
export function absoluteUrl(path: string, env: Env = getEnv()): string {
  return new URL(path, env.NEXTAUTH_URL ?? 'http://localhost:3000').toString();
}

async function attempt(n: Claimed, env: Env, production: boolean): Promise<Outcome> {
  if (!isNotificationKind(n.kind)) return { skipped: `Unknown kind ${n.kind}.` };
  const message = messageOf(n.kind, n.payload as Record<string, unknown>);
  const url = absoluteUrl(message.path, env);
  if (n.channel === 'EMAIL') {
    if (n.user && !n.user.active) return { skipped: 'The person was deactivated before it was sent.' };
    const to = n.address ?? n.user?.email;
    if (!to) return { skipped: 'The person has no e-mail address.' };
    if (!env.SMTP_HOST) return { skipped: 'No SMTP server is configured (SMTP_HOST).' };
    return sendMail(env, { to, subject: message.subject, text: `${message.text}\n\n${url}\n`, notificationId: n.id });
  }
  const endpoint = n.endpoint;
  if (!endpoint?.active) return { skipped: 'The endpoint was removed or turned off.' };
  const target = endpointTarget(endpoint.url, production);
  if (!target.ok) return { ok: false, detail: `Refused before connecting: ${target.why}` };
  let secret: string | null = null;
  try {
    // A secret file's final newline is not part of the secret.
    if (endpoint.secretRef) secret = resolveNotifySecret(endpoint.secretRef).trim();
  } catch (error) {
    if (error instanceof SecretUnavailable) return { ok: false, detail: error.message };
    throw error;
  }
  const body = JSON.stringify(
    endpoint.channel === 'SLACK' ? slackPayload(message, url) : webhookPayload(n, message, url),
  );
  const headers: Record<string, string> = { 'custodian-notification-id': n.id, 'custodian-kind': n.kind };
  if (secret) headers['custodian-signature'] = signatureHeader(secret, body, new Date());
  return postJson(target.url, body, headers, allowedRanges(env.CUSTODIAN_WEBHOOK_ALLOW_PRIVATE));
}

/**
 * Logs the attempt and moves the notification on: sent, retried after its backoff, dead-lettered, or skipped. Only
 * while this sweep still holds its lease (`nextAttemptAt` as it claimed it): a sweep that outlived it leaves the row
 * to whoever claimed it next.
 */
async function record(n: Claimed, outcome: Outcome, startedAt: number, at: Date) {
  const db = getDb();
  const held = { id: n.id, status: 'PENDING' as const, nextAttemptAt: n.nextAttemptAt };
  if ('skipped' in outcome) {
    await db.notification.updateMany({ where: held, data: { status: 'SKIPPED', lastError: outcome.skipped } });
    return 'skipped' as const;
  }
  const attempts = n.attempts + 1;
  const dead = !outcome.ok && attempts >= MAX_ATTEMPTS;
  await db.$transaction([
    db.notificationAttempt.create({
      data: {
        notificationId: n.id,
        ok: outcome.ok,
        detail: outcome.detail.slice(0, 500),
        durationMs: Date.now() - startedAt,
      },
    }),
    db.notification.updateMany({
      where: held,
      data: outcome.ok
        ? { status: 'SENT', attempts, sentAt: new Date(), lastError: null }
        : {
            status: dead ? 'DEAD' : 'PENDING',
            attempts,
            lastError: outcome.detail.slice(0, 500),
            nextAttemptAt: new Date(at.getTime() + (RETRY_DELAYS_MS[attempts - 1] ?? 0)),
          },
    }),
  ]);
  return outcome.ok ? ('sent' as const) : dead ? ('dead' as const) : ('failed' as const);
}

export type DeliveryRun = { sent: number; failed: number; dead: number; skipped: number };

/**
 * Delivers what is due: claims a batch (a lease, so instances never send the same one at once and a crash loses
 * nothing), sends each, logs every attempt, and schedules a retry with backoff or dead-letters after the last.
 */
export async function deliverDue(now = new Date(), env: Env = getEnv()): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, failed: 0, dead: 0, skipped: 0 };
  const production = process.env.NODE_ENV === 'production';
  // The sweep's clock: `now` (a test's future), moving on as the sweep takes time.
  const started = Date.now();
  const clock = () => new Date(now.getTime() + (Date.now() - started));
  while (Date.now() - started < SWEEP_MS) {
    const claimedAt = clock();
    const ids = await getDb().$queryRaw<{ id: string }[]>`
      UPDATE "Notification" SET "nextAttemptAt" = ${new Date(claimedAt.getTime() + LEASE_MS)}
      WHERE "id" IN (SELECT "id" FROM "Notification" WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${claimedAt}
        ORDER BY "nextAttemptAt" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING "id"`;
    if (ids.length === 0) return run;
    const claimed = await getDb().notification.findMany({
      where: { id: { in: ids.map((r) => r.id) } },
      include: { user: { select: { email: true, active: true } }, endpoint: true },
      orderBy: { createdAt: 'asc' },
    });
    for (let i = 0; i < claimed.length; i += PARALLEL) {
      await Promise.all(
        claimed.slice(i, i + PARALLEL).map(async (n) => {
          const startedAt = Date.now();
          const outcome = await attempt(n, env, production).catch((error: unknown): Outcome => ({
            ok: false,
            detail: `error: ${(error as Error).message}`,
          }));
          run[await record(n, outcome, startedAt, clock())] += 1;
        }),
      );
    }
    if (ids.length < BATCH) return run;
  }
  return run;
}
