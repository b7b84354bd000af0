import { randomFillSync } from 'node:crypto';
import { on, once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Client } from 'pg';
import { headIsVouchedFor } from '@/lib/audit/append';
import { hashEventText, toJson, type Json } from '@/lib/audit/canonical';
import { FORMAT_V2, sealDetails } from '@/lib/audit/fields';
import { loadSigningKey, signStatement, trustedPublicKeys } from '@/lib/audit/signing';
import { sqlTxOf } from '@/lib/db/sql-tx';
import { seededRandom } from '../seed/random';
import { copyLine, copyStream } from './copy';
import type { ScaleAgent, ScaleHistory } from './registry';

const CHUNK = 250_000;
/** COPY text handed from the hashing thread at a time, and how many such batches may wait unwritten. */
const BATCH_BYTES = 1 << 20;
const WINDOW = 8;
const COLUMNS = [
  'seq',
  'occurredAt',
  'recordedAt',
  'actorType',
  'actorId',
  'agentId',
  'credentialId',
  'action',
  'details',
  'owners',
  'prevHash',
  'hash',
  'format',
  'digests',
  'salts',
];

/** What the hashing thread needs to continue the chain: all of it plain data, copied to the thread. */
export type EventPlan = {
  agents: ScaleAgent[];
  count: number;
  headSeq: string;
  headHash: string;
  start: number;
  step: number;
  /** Events per transaction. */
  chunk: number;
};

/** A message from the hashing thread: a batch of COPY lines, or the end of a chunk with the chain's new head. */
export type EventMessage = { rows: string; done: number } | { chunkEnd: { seq: string; hash: string; done: number } };

/**
 * The events themselves, hashed exactly as the application hashes them (chain format 2), as COPY text: batches of
 * about a megabyte, and after each CHUNK events the head they reach. Runs in the hashing thread.
 */
export function* eventBatches(plan: EventPlan): Generator<EventMessage> {
  const { agents, count, start, step, chunk } = plan;
  let seq = BigInt(plan.headSeq);
  let prevHash = plan.headHash;
  const rand = seededRandom(Number(seq % 100_000n) + 11);
  // Each agent's owners snapshot as JSON text, made once: the hash reads it through the same canonical cache.
  const snapshots = new Map<string, string>();
  const ownersOf = (a: ScaleAgent) => {
    let snapshot = snapshots.get(a.id);
    if (!snapshot) {
      snapshot = JSON.stringify(
        toJson({
          accountable: a.owner,
          IAM: a.planes.IAM ?? null,
          PAM: a.planes.PAM ?? null,
          PLATFORM: a.planes.PLATFORM ?? null,
        }),
      );
      snapshots.set(a.id, snapshot);
    }
    return snapshot;
  };
  // Salts from a pool refilled 64 kB at a time (still the system's CSPRNG), not one call per event.
  const pool = Buffer.alloc(1 << 16);
  let used = pool.length;
  const random = (size: number) => {
    if (used + size > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    used += size;
    return pool.subarray(used - size, used);
  };
  // The history of agents no event records yet first (the oldest events), then custody events at random.
  const specs = (function* (): Generator<Spec> {
    for (const a of agents) if (a.history) yield* historyOf(a, a.history);
    for (;;) {
      const agent = agents[Math.floor(agents.length * Math.pow(rand.next(), 1.5))]!;
      const credential = agent.credentials[rand.int(0, agent.credentials.length - 1)]!;
      const roll = rand.next();
      const action = roll < 0.9 ? 'credential.used' : roll < 0.95 ? 'credential.rotated' : 'credential.issued';
      const details: Json =
        action === 'credential.used'
          ? { name: credential.name, context: `run ${seq + 1n}` }
          : { name: credential.name };
      yield { agent, credentialId: credential.id, action, details, actor: BROKER };
    }
  })();
  let buffer = '';
  for (let done = 0; done < count;) {
    const size = Math.min(chunk, count - done);
    for (let i = 0; i < size; i++) {
      const { agent, credentialId, action, details, actor } = specs.next().value as Spec;
      const at = new Date(start + (done + i) * step);
      seq += 1n;
      const sealed = sealDetails(details, random);
      const iso = at.toISOString();
      const [detailsText, ownersText, digestsText] = [
        JSON.stringify(details),
        ownersOf(agent),
        JSON.stringify(sealed.digests),
      ];
      // As the verifier hashes what it reads back: the same canonical form, from the text columns.
      const hash = hashEventText(prevHash, {
        seq: seq.toString(),
        occurredAt: iso,
        recordedAt: iso,
        actorType: actor.type,
        actorId: actor.id,
        agentId: agent.id,
        credentialId,
        action,
        details: detailsText,
        owners: ownersText,
        format: String(FORMAT_V2),
        digests: digestsText,
      });
      buffer += copyLine([
        seq.toString(),
        iso,
        iso,
        actor.type,
        actor.id,
        agent.id,
        credentialId,
        action,
        detailsText,
        ownersText,
        prevHash,
        hash,
        FORMAT_V2,
        digestsText,
        JSON.stringify(sealed.salts),
      ]);
      prevHash = hash;
      if (buffer.length >= BATCH_BYTES) {
        yield { rows: buffer, done: done + i + 1 };
        buffer = '';
      }
    }
    done += size;
    if (buffer) yield { rows: buffer, done };
    buffer = '';
    yield { chunkEnd: { seq: seq.toString(), hash: prevHash, done } };
  }
}

type Spec = {
  agent: ScaleAgent;
  credentialId: string | null;
  action: string;
  details: Json;
  actor: { type: string; id: string };
};
const BROKER = { type: 'API_TOKEN', id: 'scale-broker' };
const LOADER = { type: 'SYSTEM', id: 'scale-loader' };

/**
 * What Custodian's commands would have recorded of an agent made in service: its creation, owner, control planes and
 * status, each credential's issue with its record (and revocation), each purpose's addition, approval and expiry, and
 * each open review's opening, so the registry check explains the loaded rows.
 */
function* historyOf(agent: ScaleAgent, h: ScaleHistory): Generator<Spec> {
  const spec = (action: string, details: Json, credentialId: string | null = null): Spec => ({
    agent,
    credentialId,
    action,
    details,
    actor: LOADER,
  });
  const { name, kind, reviewCadenceDays, riskTier, environments, workloadIdentity } = h;
  const status = 'PROPOSED';
  yield spec('agent.created', {
    slug: agent.slug,
    name,
    riskTier,
    status,
    kind,
    reviewCadenceDays,
    environments,
    workloadIdentity,
    nextReviewDue: h.nextReviewDue === null ? null : new Date(h.nextReviewDue).toISOString(),
  });
  yield spec('owner.assigned', { from: null, to: { id: agent.owner.id, name: agent.owner.name } });
  for (const [plane, person] of Object.entries(agent.planes))
    yield spec('control.assigned', { plane, from: null, to: { id: person.id, name: person.name } });
  if (h.status !== 'PROPOSED') yield spec('agent.status_changed', { from: 'PROPOSED', to: 'ACTIVE' });
  if (h.status === 'SUSPENDED' || h.status === 'RETIRED')
    yield spec('agent.status_changed', { from: 'ACTIVE', to: h.status, reason: 'Synthetic history' });
  for (const c of h.credentials) {
    yield spec('credential.issued', { name: c.name, kind: c.record.kind, record: toJson(c.record) }, c.id);
    if (c.revoked) yield spec('credential.revoked', { name: c.name, reason: 'Synthetic history' }, c.id);
  }
  for (const p of h.purposes) {
    const { id: purposeId, task, scope, environments } = p;
    // json_build_object prints a time as PostgreSQL does: recorded as the command would, in ISO 8601.
    const expiresAt = p.expiresAt === null ? null : new Date(p.expiresAt).toISOString();
    yield spec('purpose.added', { purposeId, task, scope, environments, expiresAt });
    if (p.status !== 'PENDING' && p.approvedById)
      yield { ...spec('purpose.approved', { purposeId }), actor: { type: 'USER', id: p.approvedById } };
    if (p.status === 'EXPIRED') yield spec('purpose.expired', { purposeId, reason: 'Synthetic history' });
  }
  for (const r of h.reviews)
    yield spec('review.opened', { reviewId: r.id, triggers: r.triggers, dueAt: new Date(r.dueAt).toISOString() });
}

/** How many events `historyOf` writes for these agents. */
export function historyCount(agents: ScaleAgent[]): number {
  let n = 0;
  for (const a of agents) {
    if (!a.history) continue;
    n +=
      2 +
      Object.keys(a.planes).length +
      (a.history.status === 'PROPOSED' ? 0 : 1) +
      (['SUSPENDED', 'RETIRED'].includes(a.history.status) ? 1 : 0);
    for (const c of a.history.credentials) n += c.revoked ? 2 : 1;
    for (const p of a.history.purposes)
      n += 1 + (p.status !== 'PENDING' && p.approvedById ? 1 : 0) + (p.status === 'EXPIRED' ? 1 : 0);
    n += a.history.reviews.length;
  }
  return n;
}

const WORKER = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./event-worker.ts', import.meta.url).href,
)}); })`;

/**
 * Appends `count` custody events to the chain. A worker thread generates and hashes them while this thread COPYs
 * what it has been handed (at most WINDOW batches ahead, so memory stays flat); each CHUNK is its own transaction
 * that also moves the chain head, so an interrupted run leaves a chain that verifies.
 */
export async function appendScaleEvents(
  client: Client,
  agents: ScaleAgent[],
  count: number,
  onProgress: (done: number) => void,
  { now = new Date(), chunk = CHUNK }: { now?: Date; chunk?: number } = {},
): Promise<void> {
  if (count <= 0 || agents.length === 0) return;
  const head = (
    await client.query<{ seq: string; hash: string }>(
      `SELECT "seq"::text AS "seq", "hash" FROM "AuditChainHead" WHERE "id" = 1`,
    )
  ).rows[0]!;
  // Its own baseline (written just before, on a new dataset) is a record of state, not a moment of its history.
  const last = (
    await client.query<{ at: Date | null }>(
      `SELECT max("occurredAt") AS "at" FROM "AuditEvent" WHERE "action" <> 'audit.baselined'`,
    )
  ).rows[0]!.at;
  // Each chunk's head signed as an append signs its own, but only over a head Custodian vouched for (or none): the
  // loader never seals a chain written around it.
  const key = loadSigningKey();
  const start = { seq: BigInt(head.seq), hash: head.hash };
  const signer =
    key && (start.seq === 0n || (await headIsVouchedFor(sqlTxOf(client), start, trustedPublicKeys()))) ? key : null;
  const from = Math.max(last?.getTime() ?? 0, now.getTime() - 365 * 86_400_000);
  const plan: EventPlan = {
    agents,
    count,
    headSeq: head.seq,
    headHash: head.hash,
    start: from,
    step: Math.max(1, Math.floor((now.getTime() - from) / count)),
    chunk,
  };
  // Batches the thread may still hand over: it waits on this when it is WINDOW ahead.
  const credits = new Int32Array(new SharedArrayBuffer(4));
  credits[0] = WINDOW;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { plan, credits },
    execArgv: ['--conditions=react-server'],
  });
  // The messages end when the thread exits; a failure in it rejects them (no race with a pending promise: each race
  // would keep its message alive until the load ends).
  const messages = on(worker, 'message', { close: ['exit'] });
  let stream: ReturnType<typeof copyStream> | null = null;
  // The server's refusal (disk full, a duplicate seq) may come while this thread waits for the next batch: kept here
  // and thrown at the next step, never an unhandled 'error'.
  let refused: Error | null = null;
  let finished = false;
  try {
    for await (const [message] of messages as AsyncIterable<[EventMessage | 'finished']>) {
      if (refused) throw refused;
      if (message === 'finished') {
        finished = true;
        break;
      }
      if ('rows' in message) {
        if (!stream) {
          await client.query('BEGIN');
          stream = copyStream(client, 'AuditEvent', COLUMNS);
          stream.on('error', (error: Error) => (refused = error));
        }
        if (!stream.write(message.rows)) await once(stream, 'drain');
        Atomics.add(credits, 0, 1);
        Atomics.notify(credits, 0);
        onProgress(message.done);
        continue;
      }
      stream?.end();
      if (stream) await once(stream, 'finish');
      stream = null;
      const end = message.chunkEnd;
      await client.query(`UPDATE "AuditChainHead" SET "seq" = $1, "hash" = $2 WHERE "id" = 1`, [end.seq, end.hash]);
      if (signer) {
        const signedAt = new Date();
        const signature = signStatement(signer, { kind: 'head', seq: BigInt(end.seq), hash: end.hash, signedAt });
        await client.query(
          `INSERT INTO "AuditSignature" ("seq", "hash", "signedAt", "keyId", "signature") VALUES ($1, $2, $3, $4, $5)`,
          [end.seq, end.hash, signedAt.toISOString(), signer.keyId, signature],
        );
      }
      await client.query('COMMIT');
      onProgress(message.chunkEnd.done);
    }
    if (refused) throw refused;
    if (!finished) throw new Error('The hashing thread exited before it finished.');
  } catch (error) {
    // A COPY left open would hold the connection: fail it (the server rolls the chunk back) before anyone else asks.
    const open = stream as ReturnType<typeof copyStream> | null;
    if (open && !open.destroyed) {
      const closed = new Promise((resolve) => open.once('close', resolve));
      open.destroy(error as Error);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    throw error;
  } finally {
    await messages.return?.();
    await worker.terminate();
  }
}
