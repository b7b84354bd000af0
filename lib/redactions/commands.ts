import 'server-only';
import { appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { toJson } from '@/lib/audit/canonical';
import { requirePermission, type Actor } from '@/lib/authz';
import { heldAgent, openChangeRequest, type LockedChangeRequest } from '@/lib/change-requests/commands';
import { getDb, type Db, type Tx } from '@/lib/db';
import { Forbidden, Invalid, NotFound } from '@/lib/errors';
import { readInput } from '@/lib/secrets/read-input';
import { fieldRefusal, mentions } from './rules';
import { RequestRedactionSchema } from './schema';

export type RedactionTarget = { seq: string; pointer: string };

/**
 * A security lead asks for fields of one event to be redacted (a leaked value, say): a change request an auditor
 * other than them decides. Nothing changes until then. Refused for a field that is not there, is already redacted,
 * already waits in another request, or is not free text (see rules.ts); and for an event by or about the requester,
 * or about an agent they own or control.
 */
export async function requestRedaction(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'audit.redact');
  const data = await readInput(RequestRedactionSchema, input, actor);
  const pointers = [...new Set(data.pointers)];
  return getDb().$transaction(async (tx) => {
    // One request at a time decides what already waits: two at once cannot both claim a field.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('custodian.redaction-requests'))`;
    const event = await tx.auditEvent.findUnique({
      where: { seq: data.seq },
      select: {
        seq: true,
        format: true,
        action: true,
        actorType: true,
        actorId: true,
        agentId: true,
        details: true,
        owners: true,
        salts: true,
      },
    });
    if (!event) throw new NotFound(`There is no event #${data.seq}.`);
    const details = toJson(event.details);
    if (await concerns(tx, event, actor.id)) {
      throw new Forbidden('This event is by or about you: another security lead asks for its redaction.');
    }
    if (event.agentId && (await heldAgent(tx, actor.id, event.agentId))) {
      throw new Forbidden(
        'You own or hold a control plane of this agent (or did lately): a security lead independent of it asks.',
      );
    }
    for (const pointer of pointers) {
      const refusal = fieldRefusal({ ...event, details }, pointer);
      if (refusal) throw new Invalid(refusal, { pointers: [refusal] });
    }
    const waiting = await waitingFields(tx, data.seq);
    const taken = pointers.find((p) => waiting.has(p));
    if (taken) {
      throw new Invalid(`Field ${taken} of event #${data.seq} already waits in a redaction request: decide it first.`);
    }
    const fields: RedactionTarget[] = pointers.map((pointer) => ({ seq: data.seq.toString(), pointer }));
    // About the event's agent, so no owner or control holder of it decides.
    await openChangeRequest(tx, actor, {
      kind: 'AUDIT_REDACTION',
      agentId: event.agentId ?? undefined,
      from: {},
      to: { fields },
      reason: data.reason,
    });
    const count = pointers.length === 1 ? 'one field' : `${pointers.length} fields`;
    return `Redaction requested for ${count} of event #${data.seq}: an auditor decides.`;
  });
}

type Subject = { actorType: string; actorId: string | null; details: unknown; owners: unknown };

/**
 * Whether an event concerns the person: by them (or a token they created: it acts as them), or naming them anywhere
 * in its details or in who owned the agent then.
 */
async function concerns(tx: Tx, event: Subject, userId: string): Promise<boolean> {
  if (event.actorId === userId) return true;
  if (mentions(toJson(event.details), userId) || mentions(toJson(event.owners), userId)) return true;
  if (event.actorType !== 'API_TOKEN' || !event.actorId) return false;
  const token = await tx.apiToken.findUnique({ where: { id: event.actorId }, select: { createdById: true } });
  return token?.createdById === userId;
}

/** The fields of this event that a pending redaction request already names. */
export async function waitingFields(db: Db | Tx, seq: bigint): Promise<Set<string>> {
  const pending = await db.changeRequest.findMany({
    where: { kind: 'AUDIT_REDACTION', status: 'PENDING' },
    select: { to: true },
  });
  return new Set(
    pending.flatMap((r) =>
      targetsOf(r.to)
        .filter((t) => t.seq === seq.toString())
        .map((t) => t.pointer),
    ),
  );
}

export function targetsOf(to: unknown): RedactionTarget[] {
  const fields = (to as { fields?: unknown } | null)?.fields;
  return Array.isArray(fields) ? (fields as RedactionTarget[]) : [];
}

/**
 * The approved request applied, after its approval is on the chain: the database function checks the request
 * itself (kind, approval by an auditor who is not the requester, both on the timeline, not applied before) and
 * replaces each value by its tombstone; each redaction then goes on the timeline as `audit.redacted`.
 */
export async function applyRedaction(tx: Tx, actor: Actor, request: LockedChangeRequest): Promise<void> {
  const targets = targetsOf(request.to);
  const events = await tx.auditEvent.findMany({
    where: { seq: { in: targets.map((t) => BigInt(t.seq)) } },
    select: { seq: true, actorType: true, actorId: true, agentId: true, details: true, owners: true },
  });
  for (const event of events) {
    if (await concerns(tx, event, actor.id)) {
      throw new Forbidden('An event this request redacts is by or about you: another auditor decides it.');
    }
  }
  const redactions = await tx.$queryRaw<{ id: string; seq: bigint; pointer: string }[]>`
    SELECT "id", "seq", "pointer" FROM custodian_redact(${request.id})`.catch((error: unknown) => {
    // The function's own refusals read as sentences; anything else is a fault.
    const refusal = /custodian: ([^\n"]+)/.exec(String((error as Error)?.message));
    if (refusal) throw new Forbidden(`The redaction was refused: ${refusal[1]}.`);
    throw error;
  });
  // On the redacted event's agent's timeline too: part of its custody story.
  const redacted: AuditEventInput<'audit.redacted'>[] = redactions.map((r) => ({
    action: 'audit.redacted',
    actor: { type: 'USER', id: actor.id },
    agentId: events.find((e) => e.seq === r.seq)?.agentId ?? null,
    details: { redactionId: r.id, seq: r.seq.toString(), pointer: r.pointer, changeRequestId: request.id },
  }));
  await appendAuditEvents(tx, redacted);
}
