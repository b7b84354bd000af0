import 'server-only';
import { CREDENTIAL_RECORD_FIELDS, type CredentialRecord } from '@/lib/credentials/record';
import type { Db, Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { FUTURE_SKEW_MS } from '@/lib/ingest/schema';
import type { AgentRecord, BaselineDetails, Drift, RegistryEvent } from './registry-actions';
import { isoSql } from './stream';

// Credentials and agents against their record. The issuance gate, the findings and the queues read these rows: a
// credential made DYNAMIC in the database skips the static-credential rule, one made unprivileged gets the standard
// TTL, an agent lowered to LOW or moved to another owner is judged as that, one whose next review is moved on is
// issued to past its due date. Each row is replayed from the event that recorded it (`credential.issued` with its
// record, `agent.created`) and every change after it. A credential's last rotation ends the rotation finding and a
// break-glass's wait for rotation: it may be no later than the last issue or rotation recorded of it.

type CredentialState = { agentId: string | null; name: string; record: CredentialRecord };
/** An agent as its events leave it: the fields recorded only from this release on may be unknown. */
type AgentState = Omit<AgentRecord, (typeof RECORDED_SINCE)[number]> &
  Partial<Record<(typeof RECORDED_SINCE)[number], unknown>>;

/** What an agent's creation records from a release on: unknown for one created before, until it changes. */
const RECORDED_SINCE = ['kind', 'reviewCadenceDays', 'environments', 'workloadIdentity', 'nextReviewDue'] as const;
const AGENT_WORDS: Record<(typeof RECORDED_SINCE)[number], string> = {
  kind: 'kind',
  reviewCadenceDays: 'review cadence',
  environments: 'environments',
  workloadIdentity: 'workload identity',
  nextReviewDue: 'next review date',
};
/**
 * The fields whose change reschedules the next review (a tier or cadence edited, or any guarded field applied): an
 * update of a release that did not record the new date leaves it unknown.
 */
const RESCHEDULES = ['riskTier', 'reviewCadenceDays', 'workloadIdentity', 'environments'];

/**
 * The latest last rotation an issue or rotation event explains (ms; NaN: not known). Every command writes it at or
 * before when the event says it happened (a console command just before its append; a broker's report, or a
 * discovery file, at its time, or at the time it was recorded when that is sooner), and a report is refused more
 * than the skew ahead of when it is recorded. A backfilled rotation explains only its own time, not the day it was
 * reported. An archive made by an earlier release carried the time recorded only.
 */
function rotationBound(e: RegistryEvent): number {
  const recorded = (e.recordedAt?.getTime() ?? NaN) + FUTURE_SKEW_MS;
  return e.occurredAt ? Math.min(e.occurredAt.getTime(), recorded) : recorded;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The changes an update event records, as field → new value. */
function changesOf(details: Record<string, unknown>): [string, unknown][] {
  const changes = isObject(details.changes) ? details.changes : {};
  return Object.entries(changes).flatMap(([k, c]) =>
    isObject(c) && 'to' in c ? [[k, c.to] as [string, unknown]] : [],
  );
}

type Replayed = {
  credentials: Map<string, CredentialState>;
  revoked: Set<string>;
  /** Each credential's last issue or rotation: the latest last rotation it explains (rotationBound), and its seq. */
  rotated: Map<string, { bound: number; seq: bigint }>;
  agents: Map<string, AgentState>;
};

/** Each credential's and agent's record, replayed from its events in seq order. */
function replay(events: RegistryEvent[]): Replayed {
  const credentials = new Map<string, CredentialState>();
  const revoked = new Set<string>();
  const rotated = new Map<string, { bound: number; seq: bigint }>();
  const agents = new Map<string, AgentState>();
  // The latest: one carried without its time (an older archive's) leaves it unknown until the next.
  const rotatedAt = (id: string, e: RegistryEvent) => {
    const bound = rotationBound(e);
    const before = rotated.get(id)?.bound ?? NaN;
    rotated.set(id, {
      bound: Number.isNaN(bound) || Number.isNaN(before) ? bound : Math.max(before, bound),
      seq: e.seq,
    });
  };
  for (const e of events) {
    const d = e.details;
    switch (e.action) {
      case 'audit.baselined': {
        const b = d as BaselineDetails;
        for (const { credentialId, agentId, name, revoked: gone, ...record } of b.credentials ?? []) {
          credentials.set(credentialId, { agentId, name, record });
          // The owner vouched for it as it stood, its last rotation with it.
          rotatedAt(credentialId, e);
          if (gone) revoked.add(credentialId);
          else revoked.delete(credentialId);
        }
        for (const { agentId, ...state } of b.agents ?? [])
          agents.set(agentId, { ...state, planes: { ...state.planes } });
        break;
      }
      case 'credential.issued':
        // The first event that carries a record made it; later issues of the same one (a dynamic lease) change none.
        if (e.credentialId && isObject(d.record) && !credentials.has(e.credentialId)) {
          credentials.set(e.credentialId, {
            agentId: e.agentId,
            name: String(d.name),
            record: d.record as CredentialRecord,
          });
          rotatedAt(e.credentialId, e);
        }
        break;
      case 'credential.rotated':
        if (e.credentialId) rotatedAt(e.credentialId, e);
        break;
      case 'credential.updated': {
        const c = e.credentialId ? credentials.get(e.credentialId) : undefined;
        if (!c) break;
        for (const [k, to] of changesOf(d))
          if ((CREDENTIAL_RECORD_FIELDS as readonly string[]).includes(k)) c.record = { ...c.record, [k]: to };
        break;
      }
      case 'credential.revoked':
        if (e.credentialId) revoked.add(e.credentialId);
        break;
      case 'agent.created':
        if (!e.agentId) break;
        agents.set(e.agentId, {
          // Every release has created agents PROPOSED with no owner or planes: each assignment is its own event.
          status: typeof d.status === 'string' ? d.status : 'PROPOSED',
          riskTier: String(d.riskTier),
          ownerId: null,
          planes: {},
          ...Object.fromEntries(RECORDED_SINCE.filter((k) => k in d).map((k) => [k, d[k] ?? null])),
        });
        break;
      default: {
        const a = e.agentId ? agents.get(e.agentId) : undefined;
        if (!a) break;
        if (e.action === 'agent.status_changed') {
          a.status = String(d.to);
          // A retired agent is reviewed no more.
          if (a.status === 'RETIRED') a.nextReviewDue = null;
        }
        // Every release has recorded the next review a completed one set.
        if (e.action === 'review.completed') a.nextReviewDue = d.nextReviewDue ?? null;
        if (e.action === 'owner.assigned') a.ownerId = isObject(d.to) ? String(d.to.id) : null;
        // A plane is handed on, never left empty (no command unassigns one).
        if (e.action === 'control.assigned' && isObject(d.to)) a.planes[String(d.plane)] = String(d.to.id);
        if (e.action === 'agent.updated') {
          const changes = changesOf(d);
          for (const [k, to] of changes) {
            if (k === 'riskTier') a.riskTier = String(to);
            // Known from here on, even for an agent whose creation did not record it.
            if ((RECORDED_SINCE as readonly string[]).includes(k)) a[k as (typeof RECORDED_SINCE)[number]] = to ?? null;
          }
          // This release records the date an update sets, or that it kept it; an earlier one's rescheduling left it
          // unknown.
          if ('nextReviewDue' in d) a.nextReviewDue = d.nextReviewDue ?? null;
          else if (d.nextReviewKept !== true && changes.some(([k]) => RESCHEDULES.includes(k))) delete a.nextReviewDue;
        }
      }
    }
  }
  return { credentials, revoked, rotated, agents };
}

type CredentialRow = CredentialRecord & {
  id: string;
  agentId: string;
  name: string;
  slug: string;
  revoked: boolean;
  lastRotatedAt: Date | null;
};

/** Credentials as stored (those of `ids`, or all), with the fields their record holds. */
export function credentialRows(db: Db | Tx, ids?: string[]): Promise<CredentialRow[]> {
  return db.$queryRaw<CredentialRow[]>`
    SELECT c."id", c."agentId", c."name", a."slug", c."revokedAt" IS NOT NULL AS "revoked",
      c."kind"::text AS "kind", c."issuance"::text AS "issuance", c."storage"::text AS "storage",
      c."environment"::text AS "environment", c."secretRef", c."scope", c."maxTtlSeconds", c."rotationPeriodDays",
      c."rotationApprovedDays", c."boundToWorkloadIdentity", c."privileged", c."gated", c."lastRotatedAt"
    FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
    WHERE ${ids === undefined} OR c."id" = ANY(${ids ?? []}::text[]) ORDER BY c."id"`;
}

/** A credential as it stands, as a baseline records it. */
export function credentialAsItStands(c: CredentialRow): NonNullable<BaselineDetails['credentials']>[number] {
  const { id, agentId, name, revoked, slug: _slug, lastRotatedAt: _rotated, ...record } = c;
  return { credentialId: id, agentId, name, revoked, ...record };
}

type AgentRow = AgentRecord & { id: string; slug: string };

/** Agents as stored (those of `ids`, or all), with the fields their record holds. */
export function agentRows(db: Db | Tx, ids?: string[]): Promise<AgentRow[]> {
  return db.$queryRaw<AgentRow[]>`
    SELECT a."id", a."slug", a."status"::text AS "status", a."riskTier"::text AS "riskTier", a."ownerId",
      (SELECT coalesce(json_object_agg(ca."plane", ca."userId"), '{}') FROM "ControlAssignment" ca
        WHERE ca."agentId" = a."id") AS "planes",
      a."kind"::text AS "kind", a."reviewCadenceDays", a."environments"::text[] AS "environments", a."workloadIdentity",
      ${Prisma.raw(isoSql('a."nextReviewDue"'))} AS "nextReviewDue"
    FROM "Agent" a WHERE ${ids === undefined} OR a."id" = ANY(${ids ?? []}::text[]) ORDER BY a."id"`;
}

/** An agent as it stands, as a baseline records it. */
export function agentAsItStands(a: AgentRow): NonNullable<BaselineDetails['agents']>[number] {
  const { id, slug: _slug, ...state } = a;
  return { agentId: id, ...state };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

const WORDS: Record<keyof CredentialRecord, string> = {
  kind: 'kind',
  issuance: 'issuance',
  storage: 'storage',
  environment: 'environment',
  secretRef: 'secret reference',
  scope: 'scope',
  maxTtlSeconds: 'maximum TTL',
  rotationPeriodDays: 'rotation period',
  rotationApprovedDays: 'approved rotation period',
  boundToWorkloadIdentity: 'workload binding',
  privileged: 'privilege',
  gated: 'gating',
};

/**
 * Why a credential's last rotation is not explained (null: it is). Only a live one's counts: a revoked credential's
 * ends no finding and no wait. Where its last recorded one may lie in a range an earlier release archived without
 * rotations, or was carried without its time, it is unknown: unrecorded, for the owner's baseline.
 */
function rotationProblem(
  c: CredentialRow,
  last: { bound: number; seq: bigint } | undefined,
  uncarriedThrough: bigint,
): { problem: string; unknown: boolean } | null {
  if (c.revoked || !c.lastRotatedAt || !last) return null;
  if (Number.isNaN(last.bound) || last.seq <= uncarriedThrough) {
    return {
      problem: 'its last rotation is in no record this release can read (archived by an earlier one)',
      unknown: true,
    };
  }
  if (c.lastRotatedAt.getTime() <= last.bound) return null;
  const at = c.lastRotatedAt.toISOString();
  return {
    problem: `it shows a rotation at ${at}, after the last recorded one (${new Date(last.bound).toISOString()})`,
    unknown: false,
  };
}

/** Every credential whose row its events do not explain. */
async function credentialDrift(db: Db | Tx, r: Replayed, uncarriedThrough: bigint): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const c of await credentialRows(db)) {
    const recorded = r.credentials.get(c.id);
    const problems: string[] = [];
    if (!recorded) problems.push('no event records what it was issued with');
    else {
      if (recorded.agentId !== c.agentId) problems.push('it belongs to another agent than it was issued to');
      if (recorded.name !== c.name) problems.push('its name is not the one recorded');
      const differ = CREDENTIAL_RECORD_FIELDS.filter((k) => (recorded.record[k] ?? null) !== c[k]);
      if (differ.length) {
        problems.push(`it differs from its record in its ${differ.map((k) => WORDS[k]).join(', ')}`);
      }
    }
    if (r.revoked.has(c.id) && !c.revoked) problems.push('it was revoked, and is live again');
    if (c.revoked && !r.revoked.has(c.id)) problems.push('it is revoked, and no event says so');
    const rotation = recorded ? rotationProblem(c, r.rotated.get(c.id), uncarriedThrough) : null;
    // Unknown, it is the baseline's to vouch for only where nothing else is wrong.
    if (rotation && (!rotation.unknown || problems.length === 0)) problems.push(rotation.problem);
    if (problems.length) {
      drift.push({
        kind: 'credential',
        id: c.id,
        subject: `${c.name} of ${c.slug}`,
        problem: problems.join('; '),
        unrecorded: (!recorded && !r.revoked.has(c.id)) || (rotation?.unknown === true && problems.length === 1),
      });
    }
  }
  return drift;
}

/** The same value, an array (environments) as a set. */
const sameValue = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? sameSet(a.map(String), b.map(String)) : (a ?? null) === (b ?? null);

/**
 * Every agent whose status, tier, owner, control planes, kind, review cadence, environments or workload identity its
 * events do not explain. One created before its creation recorded the last four, and nothing else wrong, is
 * unrecorded: the owner's baseline vouches for it.
 */
async function agentDrift(db: Db | Tx, r: Replayed): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const a of await agentRows(db)) {
    const recorded = r.agents.get(a.id);
    const problems: string[] = [];
    let unrecorded = !recorded;
    if (!recorded) problems.push('no event records its creation');
    else {
      if (recorded.status !== a.status) problems.push(`it is ${a.status}; its events leave it ${recorded.status}`);
      if (recorded.riskTier !== a.riskTier) problems.push(`its tier is ${a.riskTier}, not ${recorded.riskTier}`);
      if (recorded.ownerId !== a.ownerId) problems.push('its owner is not the one last assigned');
      const planes = [...new Set([...Object.keys(recorded.planes), ...Object.keys(a.planes)])].sort();
      const moved = planes.filter((p) => recorded.planes[p] !== a.planes[p]);
      if (moved.length)
        problems.push(`its ${moved.join(', ')} ${moved.length === 1 ? 'is' : 'are'} not held as assigned`);
      const known = RECORDED_SINCE.filter((k) => k in recorded && k !== 'nextReviewDue');
      const differ = known.filter((k) => !sameValue(recorded[k], a[k]));
      if (differ.length) {
        problems.push(`it differs from its record in its ${differ.map((k) => AGENT_WORDS[k]).join(', ')}`);
      }
      // What the gate and the review queue read: said with both dates.
      if ('nextReviewDue' in recorded && (recorded.nextReviewDue ?? null) !== a.nextReviewDue) {
        const when = (v: unknown) => (v == null ? 'none' : String(v));
        problems.push(
          `its next review falls due ${when(a.nextReviewDue)}; its record says ${when(recorded.nextReviewDue)}`,
        );
      }
      const unknown = RECORDED_SINCE.filter((k) => !(k in recorded));
      if (problems.length === 0 && unknown.length) {
        const words = unknown.map((k) => AGENT_WORDS[k]).join(', ');
        problems.push(`its ${words} ${unknown.length === 1 ? 'was' : 'were'} never recorded`);
        unrecorded = true;
      }
    }
    if (problems.length)
      drift.push({ kind: 'agent', id: a.id, subject: a.slug, problem: problems.join('; '), unrecorded });
  }
  return drift;
}

/**
 * Credentials and agents against their events; `rotationsUncarriedThrough` ends the last range an earlier release
 * archived without carrying rotations.
 */
export async function custodyDrift(
  db: Db | Tx,
  events: RegistryEvent[],
  rotationsUncarriedThrough: bigint,
): Promise<Drift[]> {
  const replayed = replay(events);
  const agents = await agentDrift(db, replayed);
  const credentials = await credentialDrift(db, replayed, rotationsUncarriedThrough);
  return [...agents, ...credentials];
}
