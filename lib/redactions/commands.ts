import 'server-only';
import { appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { openChangeRequest, type LockedChangeRequest } from '@/lib/change-requests/commands';
import { getDb, type Tx } from '@/lib/db';
import { Forbidden, Invalid, NotFound } from '@/lib/errors';
import { readInput } from '@/lib/secrets/read-input';
import { RequestRedactionSchema } from './schema';

export type RedactionTarget = { seq: string; pointer: string };

/**
 * A security lead asks for fields of one event to be redacted (a leaked value, say): a change request an auditor
 * other than them decides. Nothing changes until then. Refused for a field that is not there, is already redacted,
 * or already waits in another request, and for an event the requester performed themselves.
 */
export async function requestRedaction(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'audit.redact');
  const data = await readInput(RequestRedactionSchema, input, actor);
  const pointers = [...new Set(data.pointers)];
  return getDb().$transaction(async (tx) => {
    const event = await tx.auditEvent.findUnique({
      where: { seq: data.seq },
      select: { seq: true, format: true, actorId: true, agentId: true, salts: true },
    });
    if (!event) throw new NotFound(`There is no event #${data.seq}.`);
    if (event.format < 2) {
      throw new Invalid(
        `Event #${data.seq} predates chain format 2: its hash covers its values, so redacting one would break the ` +
          'chain.',
      );
    }
    if (event.actorId === actor.id) {
      throw new Forbidden('This event is yours: another security lead asks for its redaction.');
    }
    const salts = (event.salts ?? {}) as Record<string, unknown>;
    const missing = pointers.find((p) => !(p in salts));
    if (missing) {
      throw new Invalid(`Event #${data.seq} has no field ${missing} that can be redacted (or it already is).`, {
        pointers: [`No field ${missing} to redact.`],
      });
    }
    const waiting = await pendingTargets(tx);
    const taken = pointers.find((p) => waiting.has(`${data.seq} ${p}`));
    if (taken) {
      throw new Invalid(`Field ${taken} of event #${data.seq} already waits in a redaction request: decide it first.`);
    }
    const fields: RedactionTarget[] = pointers.map((pointer) => ({ seq: data.seq.toString(), pointer }));
    await openChangeRequest(tx, actor, {
      kind: 'AUDIT_REDACTION',
      from: {},
      to: { fields },
      reason: data.reason,
    });
    const count = pointers.length === 1 ? 'one field' : `${pointers.length} fields`;
    return `Redaction requested for ${count} of event #${data.seq}: an auditor decides.`;
  });
}

async function pendingTargets(tx: Tx): Promise<Set<string>> {
  const pending = await tx.changeRequest.findMany({
    where: { kind: 'AUDIT_REDACTION', status: 'PENDING' },
    select: { to: true },
  });
  return new Set(pending.flatMap((r) => targetsOf(r.to).map((t) => `${t.seq} ${t.pointer}`)));
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
    select: { seq: true, actorId: true },
  });
  if (events.some((e) => e.actorId === actor.id)) {
    throw new Forbidden('An event this request redacts is yours: another auditor decides it.');
  }
  const redactions = await tx.$queryRaw<{ id: string; seq: bigint; pointer: string }[]>`
    SELECT "id", "seq", "pointer" FROM custodian_redact(${request.id})`.catch((error: unknown) => {
    // The function's own refusals read as sentences; anything else is a fault.
    const refusal = /custodian: ([^\n"]+)/.exec(String((error as Error)?.message));
    if (refusal) throw new Forbidden(`The redaction was refused: ${refusal[1]}.`);
    throw error;
  });
  const redacted: AuditEventInput<'audit.redacted'>[] = redactions.map((r) => ({
    action: 'audit.redacted',
    actor: { type: 'USER', id: actor.id },
    details: { redactionId: r.id, seq: r.seq.toString(), pointer: r.pointer, changeRequestId: request.id },
  }));
  await appendAuditEvents(tx, redacted);
}
