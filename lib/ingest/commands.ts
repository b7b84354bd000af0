import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { lockAgentRows } from '@/lib/agents/locks';
import { appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { canOnAgent } from '@/lib/authz';
import { reviewLooseIssues } from '@/lib/credentials/loose-issue';
import { credentialRecord } from '@/lib/credentials/record';
import { getDb, type Tx } from '@/lib/db';
import { Conflict } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { claimIdempotencyKey, keepIdempotentAnswer } from '@/lib/idempotency/keys';
import { refuseSecrets, SECRET_REFUSAL } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import type { TokenActor } from '@/lib/tokens/bearer';
import { reaches } from '@/lib/tokens/reach';
import { allowingDecisions, misuseOf, misuseRows, type MisuseKind } from './misuse';
import { FUTURE_SKEW_MS, IngestBatchSchema, MAX_BATCH, type IngestEvent, type IngestResult } from './schema';

export type IngestOutcome = { status: number; body: IngestResult | { detail: string; errors?: unknown } };

type Known = { id: string; agentId: string; name: string; revokedAt: Date | null; gated: boolean; created?: true };
type Rejection = { index: number; status: number; detail: string };

class Rejected extends Error {
  constructor(readonly outcome: IngestOutcome) {
    super('rejected');
  }
}

/** Validation problems as one list: the index of the event and what is wrong. */
function schemaErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * Records a batch of custody events reported by a broker, CI runner or
 * runtime. Each event is checked against the registry; a use reported for a
 * revoked credential is recorded (it is evidence) and marked. The batch is
 * all-or-nothing unless `partial`; it is appended under one chain lock with
 * one multi-row insert. With an idempotency key, a retried batch records
 * nothing twice and gets the first answer back.
 */
export async function ingestEvents(
  token: TokenActor,
  body: unknown,
  options: { partial: boolean; idempotencyKey?: string },
): Promise<IngestOutcome> {
  if (
    Array.isArray((body as { events?: unknown })?.events) &&
    (body as { events: unknown[] }).events.length > MAX_BATCH
  ) {
    return {
      status: 413,
      body: {
        detail: `At most ${MAX_BATCH} events a batch; this one has ${(body as { events: unknown[] }).events.length}.`,
      },
    };
  }
  // Every string of the batch is scanned at once, before anything else: a secret is an alarm, not a field error.
  const refusal = await refuseSecrets(
    body,
    { type: 'API_TOKEN', id: token.id },
    { 'Idempotency-Key': options.idempotencyKey },
  );
  if (refusal) {
    return {
      status: 422,
      body: {
        detail:
          `What looks like a secret was sent in ${refusal.fields.map((f) => f.field).join(', ')}: the batch was ` +
          'refused and nothing recorded. Treat it as leaked and rotate it.',
        errors: refusal.fields.map((f) => ({ path: f.field, message: SECRET_REFUSAL, rule: f.ruleId })),
      },
    };
  }
  const parsed = IngestBatchSchema.safeParse(body);
  if (!parsed.success)
    return {
      status: 400,
      body: {
        detail: 'The batch does not match the schema (see /api/v1/openapi.json).',
        errors: schemaErrors(parsed.error),
      },
    };
  const events = parsed.data.events;
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ body, partial: options.partial }))
    .digest('hex');
  try {
    return await getDb().$transaction(
      async (tx) => {
        if (options.idempotencyKey) {
          const replay = await claimIdempotencyKey<IngestOutcome>(
            tx,
            'events',
            token.id,
            options.idempotencyKey,
            requestHash,
          ).catch((error: unknown) => {
            if (error instanceof Conflict) throw new Rejected({ status: 409, body: { detail: error.message } });
            throw error;
          });
          if (replay) return replay;
        }
        const outcome = await applyBatch(tx, token, events, options.partial);
        if (options.idempotencyKey) await keepIdempotentAnswer(tx, 'events', token.id, options.idempotencyKey, outcome);
        return outcome;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  } catch (error) {
    if (error instanceof Rejected) return error.outcome;
    throw error;
  }
}

async function applyBatch(tx: Tx, token: TokenActor, events: IngestEvent[], partial: boolean): Promise<IngestOutcome> {
  const slugs = [...new Set(events.flatMap((e) => (e.agent.slug ? [e.agent.slug] : [])))];
  const identities = [...new Set(events.flatMap((e) => (e.agent.workloadIdentity ? [e.agent.workloadIdentity] : [])))];
  const agents = await tx.agent.findMany({
    where: { OR: [{ slug: { in: slugs } }, { workloadIdentity: { in: identities } }] },
    select: { id: true, slug: true, workloadIdentity: true, status: true, ownerId: true, environments: true },
  });
  // The policy window, read now: older events need the events:backfill scope and are marked as backfilled.
  const { apiTokens } = await getSettings(tx);
  const now = Date.now();
  const oldest = now - apiTokens.eventWindowHours * 3_600_000;
  const mayBackfill = token.scopes.includes('events:backfill');
  await lockAgentRows(
    tx,
    agents.map((a) => a.id),
  );
  const bySlug = new Map(agents.map((a) => [a.slug, a]));
  const byIdentity = new Map(agents.flatMap((a) => (a.workloadIdentity ? [[a.workloadIdentity, a] as const] : [])));
  const credentials = await tx.credential.findMany({
    where: { agentId: { in: agents.map((a) => a.id) } },
    select: { id: true, agentId: true, name: true, revokedAt: true, gated: true },
  });
  const byId = new Map<string, Known>(credentials.map((c) => [c.id, c]));
  const byName = new Map<string, Known>(credentials.map((c) => [`${c.agentId}/${c.name}`, c]));

  const rejected: Rejection[] = [];
  const toCreate: Prisma.CredentialCreateManyInput[] = [];
  const rotations = new Map<string, Date>();
  const revocations = new Map<string, { at: Date; reason: string }>();
  const planned: {
    index: number;
    event: IngestEvent;
    agentId: string;
    agentIdentity: string | null;
    credential: Known;
    afterRevocation: boolean;
  }[] = [];

  events.forEach((event, index) => {
    const reject = (status: number, detail: string) => rejected.push({ index, status, detail });
    const agent = event.agent.slug ? bySlug.get(event.agent.slug) : byIdentity.get(event.agent.workloadIdentity!);
    if (!agent)
      return reject(
        404,
        `No agent with ` +
          `${event.agent.slug ? `slug ${event.agent.slug}` : `workload identity ${event.agent.workloadIdentity}`}.`,
      );
    // The token acts as its creator: an owner's token records custody only for the agents they own, now.
    if (!canOnAgent(token.creator, 'credential.write', agent.ownerId)) {
      return reject(
        403,
        `This token acts as ${token.creator.name ?? 'its creator'}, who may not record custody for ${agent.slug}.`,
      );
    }
    if (!reaches(token.reach, agent)) {
      return reject(403, `This token does not reach ${agent.slug}: it is scoped to other agents.`);
    }
    const at = new Date(event.occurredAt);
    if (at.getTime() > now + FUTURE_SKEW_MS) {
      return reject(422, 'occurredAt is more than 5 minutes in the future: check the reporting clock.');
    }
    if (at.getTime() < oldest && !mayBackfill) {
      return reject(
        422,
        `occurredAt is older than the policy window (${apiTokens.eventWindowHours} hours): report it with a ` +
          'token that holds the events:backfill scope, and it is marked as backfilled.',
      );
    }
    const ref = event.credential;
    let credential = ref.id ? byId.get(ref.id) : byName.get(`${agent.id}/${ref.name}`);
    if (credential && credential.agentId !== agent.id)
      return reject(422, `Credential ${ref.id} belongs to another agent.`);
    switch (event.type) {
      case 'credential.issued': {
        if (credential?.revokedAt) return reject(409, `${credential.name} is revoked: issue it under a new name.`);
        if (!credential) {
          if (ref.id) return reject(404, `No credential with id ${ref.id}.`);
          if (agent.status === 'RETIRED') return reject(422, `${agent.slug} is retired: it is issued no credentials.`);
          if (ref.environment && !agent.environments.includes(ref.environment)) {
            return reject(422, `${agent.slug} does not run in ${ref.environment}: add it to the agent first.`);
          }
          const missing = (['kind', 'issuance', 'storage', 'environment'] as const).filter((f) => !ref[f]);
          if (missing.length)
            return reject(
              422,
              `A credential Custodian does not know needs ${missing.join(', ')} to be recorded as issued.`,
            );
          const seed = `${agent.id}/${ref.name}/${token.id}/${event.occurredAt}`;
          const id = `cred_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`;
          credential = {
            id,
            agentId: agent.id,
            name: ref.name!,
            revokedAt: null,
            gated: ref.gated ?? false,
            created: true,
          };
          toCreate.push({
            id,
            agentId: agent.id,
            name: ref.name!,
            kind: ref.kind!,
            issuance: ref.issuance!,
            storage: ref.storage!,
            environment: ref.environment!,
            secretRef: ref.secretRef ?? null,
            scope: ref.scope ?? '',
            maxTtlSeconds: ref.maxTtlSeconds ?? null,
            rotationPeriodDays: ref.rotationPeriodDays ?? null,
            boundToWorkloadIdentity: ref.boundToWorkloadIdentity ?? false,
            privileged: ref.privileged ?? false,
            gated: ref.gated ?? false,
            lastRotatedAt: at,
          });
          byId.set(id, credential);
          byName.set(`${agent.id}/${ref.name}`, credential);
        }
        break;
      }
      case 'credential.used':
        if (!credential) return reject(404, `No credential ${ref.id ?? ref.name} on ${agent.slug}.`);
        break;
      case 'credential.rotated':
        if (!credential) return reject(404, `No credential ${ref.id ?? ref.name} on ${agent.slug}.`);
        if (credential.revokedAt) return reject(409, `${credential.name} is revoked: it cannot be rotated.`);
        rotations.set(credential.id, at);
        break;
      case 'credential.revoked':
        if (!credential) return reject(404, `No credential ${ref.id ?? ref.name} on ${agent.slug}.`);
        if (credential.revokedAt) return reject(409, `${credential.name} is already revoked.`);
        credential.revokedAt = at;
        revocations.set(credential.id, { at, reason: event.reason ?? `Revoked, reported by ${token.name}` });
        break;
    }
    planned.push({
      index,
      event,
      agentId: agent.id,
      agentIdentity: agent.workloadIdentity,
      credential,
      afterRevocation: event.type === 'credential.used' && credential.revokedAt !== null && credential.revokedAt <= at,
    });
  });

  if (rejected.length > 0 && !partial) {
    // Refused for one reason (every event outside the token's reach: 403): that status; for several: 422.
    const statuses = new Set(rejected.map((r) => r.status));
    throw new Rejected({
      status: statuses.size === 1 && statuses.has(403) ? 403 : 422,
      body: {
        detail:
          `${rejected.length} of ${events.length} events were refused, so none was recorded (send ?partial=true ` +
          `to record the rest).`,
        errors: rejected,
      },
    });
  }
  if (toCreate.length) await tx.credential.createMany({ data: toCreate });
  const created = new Map(toCreate.map((c) => [c.id, credentialRecord(c)]));
  // A late (backfilled) rotation never moves the last rotation back in time, and one reported ahead of this
  // server's clock (within the skew) counts from when it was recorded: rotation evidence is never in the future.
  for (const [id, at] of rotations) {
    const when = new Date(Math.min(at.getTime(), now));
    await tx.$executeRaw`UPDATE "Credential"
      SET "lastRotatedAt" = GREATEST(COALESCE("lastRotatedAt", ${when}), ${when}), "version" = "version" + 1,
        "updatedAt" = now()
      WHERE "id" = ${id}`;
  }
  for (const [id, { at, reason }] of revocations)
    await tx.credential.update({
      where: { id },
      data: { revokedAt: at, revokeReason: reason, version: { increment: 1 } },
    });
  const usedAfter = new Map<string, Date>();
  for (const p of planned) if (p.afterRevocation) usedAfter.set(p.credential.id, new Date(p.event.occurredAt));
  // The latest use after revocation is kept: a backfilled older one never hides a recent one.
  for (const [id, at] of usedAfter)
    await tx.$executeRaw`UPDATE "Credential" SET "usedAfterRevocationAt" = GREATEST("usedAfterRevocationAt", ${at})
      WHERE "id" = ${id}`;

  const misuse = await marksOf(tx, planned);
  const actor = { type: 'API_TOKEN' as const, id: token.id };
  const appended = await appendAuditEvents(
    tx,
    planned.map(({ event, agentId, credential, afterRevocation }, i): AuditEventInput => {
      const occurredAt = new Date(event.occurredAt);
      const base = { actor, agentId, credentialId: credential.id, occurredAt };
      const marks = occurredAt.getTime() < oldest ? { backfilled: true } : {};
      switch (event.type) {
        case 'credential.issued': {
          // The event that made the record carries it (the first of a batch that reports one twice).
          const record = created.get(credential.id);
          created.delete(credential.id);
          return {
            ...base,
            action: 'credential.issued',
            details: {
              name: credential.name,
              ...(event.reason ? { reason: event.reason } : {}),
              ...marks,
              ...(record ? { record } : {}),
            },
          };
        }
        case 'credential.used':
          return {
            ...base,
            action: 'credential.used',
            details: {
              name: credential.name,
              ...(event.context ? { context: event.context } : {}),
              ...(afterRevocation ? { afterRevocation } : {}),
              ...(event.workload ? { workload: event.workload } : {}),
              ...(event.decisionId ? { decisionId: event.decisionId } : {}),
              ...(misuse[i]!.length ? { misuse: misuse[i] } : {}),
              ...marks,
            },
          };
        case 'credential.rotated':
          return {
            ...base,
            action: 'credential.rotated',
            details: { name: credential.name, ...(event.reason ? { reason: event.reason } : {}), ...marks },
          };
        case 'credential.revoked':
          return {
            ...base,
            action: 'credential.revoked',
            details: { name: credential.name, reason: revocations.get(credential.id)?.reason ?? '', ...marks },
          };
      }
    }),
    undefined,
    // Uses alone change no registry row (a use after revocation marks the credential for the findings sync only).
    { recordsOnly: toCreate.length === 0 && rotations.size === 0 && revocations.size === 0 },
  );
  // A loose credential a broker reports as issued is reviewed whoever made its token: a token vouches for nobody
  // (the workload it governs may hold it), as for an agent edit.
  await reviewLooseIssues(
    tx,
    null,
    actor,
    toCreate.map((c) => ({ ...c, id: c.id!, privileged: c.privileged ?? false })),
  );
  const rows = misuseRows(
    planned.map((p, i) => ({
      seq: appended[i]!.seq,
      kinds: misuse[i]!,
      credentialId: p.credential.id,
      agentId: p.agentId,
      at: new Date(p.event.occurredAt),
      presented: p.event.workload?.identity ?? null,
    })),
  );
  if (rows.length) await tx.credentialMisuse.createMany({ data: rows });
  return {
    status: rejected.length ? 200 : 201,
    body: {
      accepted: planned.length,
      events: planned.map((p, i) => ({ index: p.index, seq: appended[i]!.seq.toString() })),
      rejected,
    },
  };
}

/** The misuse marks of each planned event (none but for uses): read at ingest, from the registry as it is now. */
async function marksOf(
  tx: Tx,
  planned: { event: IngestEvent; agentId: string; agentIdentity: string | null; credential: Known }[],
): Promise<MisuseKind[][]> {
  const uses = planned.flatMap((p, i) => (p.event.type === 'credential.used' ? [{ p, i }] : []));
  const decisions = await allowingDecisions(
    tx,
    uses.map(({ p }) => ({
      agentId: p.agentId,
      credentialId: p.credential.id,
      at: new Date(p.event.occurredAt),
      decisionId: p.event.decisionId ?? null,
    })),
  );
  const marks: MisuseKind[][] = planned.map(() => []);
  uses.forEach(({ p, i }, k) => {
    marks[i] = misuseOf({
      at: new Date(p.event.occurredAt),
      presented: p.event.workload?.identity ?? null,
      agentIdentity: p.agentIdentity,
      gated: p.credential.gated,
      namedDecision: p.event.decisionId !== undefined,
      decision: decisions[k] ?? null,
    });
  });
  return marks;
}
