import 'server-only';
import type { z } from 'zod';
import { appendAuditEvent } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { Conflict, Invalid, NotFound, parseInput } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import { readInput } from '@/lib/secrets/read-input';
import { allowedRanges, hostRefusal } from './address-guard';
import { endpointTarget, REFERENCE_REFUSED } from './endpoint-target';
import { isRequired, NOTIFICATION_KIND_IDS } from './kinds';
import { notifyFileProblem } from './notify-secret';
import { MUTED } from './outbox';
import { CreateEndpointSchema, PreferencesSchema, ResendSchema, UpdateEndpointSchema } from './schema';

type EndpointInput = z.output<typeof CreateEndpointSchema>;

/**
 * Where the endpoint would send, checked before anything connects to it: a URL (https in production, no credentials
 * in it) whose host resolves only to addresses the operator allows.
 */
async function checkTarget(e: EndpointInput): Promise<void> {
  const target = endpointTarget(e.url);
  const why = target.ok
    ? await hostRefusal(new URL(target.url).hostname, allowedRanges(getEnv().CUSTODIAN_WEBHOOK_ALLOW_PRIVATE)).then(
        (refusal) => refusal && (target.byReference ? REFERENCE_REFUSED : refusal),
      )
    : target.why;
  if (why) throw new Invalid('That endpoint cannot be used.', { url: [why] });
  const secret = e.secretRef ? notifyFileProblem(e.secretRef) : null;
  if (secret) throw new Invalid('That endpoint cannot be used.', { secretRef: [secret] });
}

const rowOf = (e: EndpointInput) => ({
  name: e.name,
  channel: e.channel,
  url: e.url,
  secretRef: e.secretRef ?? null,
  kinds: e.kinds,
  active: e.active,
});

type Shown = { channel: string; url: string; secretRef?: string | null; kinds: string[]; active: boolean };

const shown = (e: Shown) => ({
  channel: e.channel,
  // A Slack endpoint's url is the reference; a webhook's is the URL: neither is a secret.
  url: e.url,
  secretRef: e.secretRef ?? null,
  kinds: [...e.kinds].sort(),
  active: e.active,
});

const nameTaken = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
    ? new Invalid('Another endpoint has that name.', { name: ['Choose another name.'] })
    : error;

/** A security lead adds a team's endpoint: a signed webhook or a Slack incoming webhook. */
export async function createEndpoint(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'notifications.manage');
  const e = await readInput(CreateEndpointSchema, input, actor);
  await checkTarget(e);
  try {
    await getDb().$transaction(async (tx) => {
      const created = await tx.notificationEndpoint.create({ data: rowOf(e) });
      await appendAuditEvent(tx, {
        action: 'notification.endpoint_changed',
        actor: { type: 'USER', id: actor.id },
        details: { endpointId: created.id, name: e.name, from: null, to: shown(e) },
      });
    });
  } catch (error) {
    throw nameTaken(error);
  }
  return `Added ${e.name}. Notifications of its kinds go to it from now.`;
}

/** Changes an endpoint at the version the form read (turning it off included). */
export async function updateEndpoint(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'notifications.manage');
  const e = await readInput(UpdateEndpointSchema, input, actor);
  // Turning an endpoint off never needs its target to be reachable: that is when it is turned off.
  if (e.active) await checkTarget(e);
  try {
    return await getDb().$transaction(async (tx) => {
      const before = await tx.notificationEndpoint.findUnique({ where: { id: e.id } });
      if (!before) throw new NotFound('That endpoint does not exist.');
      const from = shown(before);
      const to = shown(e);
      if (before.name === e.name && JSON.stringify(from) === JSON.stringify(to)) return 'Nothing changed.';
      const { count } = await tx.notificationEndpoint.updateMany({
        where: { id: e.id, version: e.version },
        data: { ...rowOf(e), version: { increment: 1 } },
      });
      if (count === 0) throw new Conflict('Someone changed this endpoint since you opened it. Reload the page.');
      await appendAuditEvent(tx, {
        action: 'notification.endpoint_changed',
        actor: { type: 'USER', id: actor.id },
        details: { endpointId: e.id, name: e.name, from, to },
      });
      return `Saved ${e.name}.`;
    });
  } catch (error) {
    throw nameTaken(error);
  }
}

/**
 * A person's e-mail preferences: the kinds they still want by e-mail. Required kinds (a break-glass page) stay on
 * whatever the form says: a person cannot mute the control that pages them.
 */
export async function setPreferences(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'notifications.read');
  const { email } = parseInput(PreferencesSchema, input);
  const muted = NOTIFICATION_KIND_IDS.filter((k) => !email.includes(k) && !isRequired(k));
  return getDb().$transaction(async (tx) => {
    // Serialises two saves of the same person's form: the event's "from" is what the second one replaced.
    await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${actor.id} FOR UPDATE`;
    const before = (await tx.notificationMute.findMany({ where: { userId: actor.id }, orderBy: { kind: 'asc' } })).map(
      (m) => m.kind,
    );
    if (JSON.stringify(before) === JSON.stringify([...muted].sort())) return 'Nothing changed.';
    await tx.notificationMute.deleteMany({ where: { userId: actor.id } });
    await tx.notificationMute.createMany({ data: muted.map((kind) => ({ userId: actor.id, kind })) });
    await appendAuditEvent(tx, {
      action: 'notification.preferences_changed',
      actor: { type: 'USER', id: actor.id },
      details: { from: before, to: [...muted].sort() },
    });
    return muted.length === 0
      ? 'Saved: every kind reaches you by e-mail.'
      : `Saved: ${muted.length} kind(s) reach only your inbox here.`;
  });
}

/**
 * A security lead sends a notification again: a dead-lettered one after the receiver is fixed, or a sent one that
 * went astray. It goes with its same id (the receiver deduplicates on it) and a fresh set of retries.
 */
export async function resendNotification(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'notifications.manage');
  const { id, status } = parseInput(ResendSchema, input);
  return getDb().$transaction(async (tx) => {
    const [n] = await tx.$queryRaw<{ kind: string; channel: string; status: string; lastError: string | null }[]>`
      SELECT "kind", "channel"::text AS "channel", "status"::text AS "status", "lastError" FROM "Notification"
      WHERE "id" = ${id}::uuid
      FOR UPDATE`;
    if (!n) throw new NotFound('That notification does not exist.');
    if (n.status === 'PENDING') throw new Conflict('It is being delivered already: its next attempt is scheduled.');
    if (n.status !== status) throw new Conflict('It changed since you opened the page (sent meanwhile?). Reload.');
    if (n.lastError === MUTED) throw new Conflict('Its recipient muted this kind of e-mail: it is not sent to them.');
    await tx.notification.update({
      where: { id },
      data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), lastError: null },
    });
    await appendAuditEvent(tx, {
      action: 'notification.resent',
      actor: { type: 'USER', id: actor.id },
      details: { notificationId: id, kind: n.kind, channel: n.channel, status: n.status },
    });
    return 'Queued: it is sent again within a few seconds.';
  });
}
