import 'server-only';
import { registerAgentsIn } from '@/lib/agents/commands';
import { lockAgentRows } from '@/lib/agents/locks';
import { appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { actorInTransaction } from '@/lib/auth/actor-now';
import { requirePermission, type Actor } from '@/lib/authz';
import { reviewLooseIssues } from '@/lib/credentials/loose-issue';
import { credentialRecord } from '@/lib/credentials/record';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Conflict, Invalid, parseInput } from '@/lib/errors';
import type { Environment } from '@/lib/generated/prisma/enums';
import { log } from '@/lib/ops/logger';
import { syncFindings } from '@/lib/policy/trend';
import { scanByLine } from '@/lib/secrets/scan-lines';
import { readAwsCredentialReport } from './aws-credential-report';
import type { Discovery } from './found';
import { planFound, type DiscoveryAction, type DiscoveryRow, type PlannedDiscovery } from './plan';
import { DiscoveryRequest } from './request';
import { readVaultAudit } from './vault-audit';

export type DiscoveryPlan = {
  source: Discovery['source'];
  entries: number;
  skipped: Record<string, number>;
  summary: Record<DiscoveryAction, number>;
  rows: DiscoveryRow[];
};

export type DiscoverySummary = {
  proposed: { slug: string; name: string }[];
  recordedOn: number;
  credentials: number;
  events: number;
  /** Agents whose review opened (or was joined) for a credential recorded loose from the start. */
  reviews: number;
  /** Findings open on the agents the import touched, once it is done. */
  findings: number;
};
export type DiscoveryProgress = { done: number; total: number };

/** Identities applied a transaction: each batch re-planned under its locks. */
export const DISCOVERY_BATCH = 200;
const DISCOVERY_BATCH_EVENTS = 5_000;

/** The request read and the file parsed, permission first; every string that would be stored scanned for secrets. */
async function readRequest(
  actor: Actor | null,
  body: unknown,
): Promise<{ request: DiscoveryRequest; discovery: Discovery }> {
  requirePermission(actor, 'discovery.import');
  const request = parseInput(DiscoveryRequest, body);
  const discovery =
    request.source === 'vault-audit' ? readVaultAudit(request.file) : readAwsCredentialReport(request.file);
  await scanByLine(
    actor,
    discovery.found.map((f) => ({
      line: f.line,
      spec: {
        identity: f.identity,
        name: f.name,
        seenOn: f.seenOn,
        paths: f.paths,
        credentials: f.credentials.map((c) => [c.name, c.secretRef ?? '', c.scope]),
        contexts: [...new Set(f.sightings.flatMap((s) => (s.context ? [s.context] : [])))],
      },
    })),
  );
  return { request, discovery };
}

function summaryOf(rows: DiscoveryRow[]): Record<DiscoveryAction, number> {
  const summary = { propose: 0, record: 0, unchanged: 0, person: 0, refused: 0 };
  for (const r of rows) summary[r.action]++;
  return summary;
}

/** The dry run: what importing the file would do, identity by identity. Changes nothing. */
export async function planDiscovery(actor: Actor | null, body: unknown): Promise<DiscoveryPlan> {
  const { request, discovery } = await readRequest(actor, body);
  const rows = (await planFound(getDb(), discovery, request)).map((p) => p.row);
  return {
    source: discovery.source,
    entries: discovery.entries,
    skipped: discovery.skipped,
    summary: summaryOf(rows),
    rows,
  };
}

/**
 * Imports a discovery: every identity planned first, and one refused (not left out) imports nothing; then batches of
 * 200 identities, each in one transaction re-planned under its locks (a row that moved since the dry run stops it
 * there, the earlier batches applied and said so). Each event's source id is claimed in the transaction that
 * appends it, so two imports of one file at once record it once.
 */
export async function applyDiscovery(
  actor: Actor | null,
  body: unknown,
  onProgress: (progress: DiscoveryProgress) => void = () => {},
  options: { viaToken?: boolean } = {},
): Promise<DiscoverySummary> {
  const { request, discovery } = await readRequest(actor, body);
  // Planned whole, as the dry run was (left-out identities still keep the others' slugs as they were shown).
  const excluded = new Set(request.exclude);
  const planned = (await planFound(getDb(), discovery, request)).filter((p) => !excluded.has(p.row.identity));
  const refused = planned.filter((p) => p.row.action === 'refused');
  if (refused.length > 0) {
    const first = refused[0]!.row;
    throw new Invalid(
      `${refused.length === 1 ? 'One identity is' : `${refused.length} identities are`} refused (line ${first.line}: ` +
        `${first.reasons[0]}): leave ${refused.length === 1 ? 'it' : 'them'} out. Nothing was imported.`,
    );
  }
  const moved = planned.find((p) => request.expect && p.row.digest && request.expect[p.row.identity] !== p.row.digest);
  if (moved) {
    throw new Conflict(
      `Line ${moved.row.line} (${moved.row.identity}) changed since the dry run: check the file again. Nothing was ` +
        'imported.',
    );
  }
  const work = planned.filter((p) => p.writes);
  const summary: DiscoverySummary = {
    proposed: [],
    recordedOn: 0,
    credentials: 0,
    events: 0,
    reviews: 0,
    findings: 0,
  };
  const touched: string[] = [];
  onProgress({ done: 0, total: work.length });
  for (let i = 0; i < work.length;) {
    // Up to 200 identities or 5,000 events a transaction, whichever comes first: locks are held briefly.
    let end = i;
    for (let events = 0; end < work.length && end - i < DISCOVERY_BATCH; end++) {
      events += work[end]!.writes!.events.length;
      if (events > DISCOVERY_BATCH_EVENTS && end > i) break;
    }
    const batch = work.slice(i, end);
    const applied = (i === 0 ? 'nothing was imported' : `the first ${i} identities were imported`) + '; check again.';
    const done = await getDb()
      .$transaction(
        async (tx) => {
          // Each batch as its importer is now: deactivated or demoted meanwhile, the import stops here.
          const actorNow = await actorInTransaction(tx, actor!, 'discovery.import');
          await lockAgentRows(
            tx,
            batch.flatMap((p) => (p.writes!.agentId ? [p.writes!.agentId] : [])),
          );
          const again = await planFound(
            tx,
            { ...discovery, found: batch.map((p) => p.writes!.found) },
            request,
            discovery.found,
          );
          const changed = again.find((p, k) => p.row.digest !== batch[k]!.row.digest);
          if (changed)
            throw new Conflict(`Line ${changed.row.line} (${changed.row.identity}) changed meanwhile: ${applied}`);
          return writeBatch(tx, actorNow, discovery.source, again, request.environment, options);
        },
        { timeout: 120_000, maxWait: 30_000 },
      )
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw new Conflict(`An identity in the file was registered by someone else meanwhile: ${applied}`);
        }
        throw error;
      });
    summary.proposed.push(...done.proposed);
    summary.recordedOn += done.recordedOn;
    summary.credentials += done.credentials;
    summary.events += done.events;
    summary.reviews += done.reviews;
    touched.push(...done.agentIds);
    i = end;
    onProgress({ done: i, total: work.length });
  }
  // What the import brought to light (keys past their rotation, proposed agents holding credentials) shows as
  // findings now, not at the next scheduled sync.
  if (summary.credentials > 0 || summary.events > 0) {
    try {
      await syncFindings();
      summary.findings = await getDb().findingState.count({
        where: { agentId: { in: touched } },
      });
    } catch (error) {
      log.error({ err: error }, 'findings sync after discovery');
    }
  }
  return summary;
}

/** One batch written: proposed agents, new custody records, the source ids claimed, the events appended. */
async function writeBatch(
  tx: Tx,
  actor: Actor,
  source: Discovery['source'],
  planned: PlannedDiscovery[],
  environment: Environment,
  options: { viaToken?: boolean },
) {
  const work = planned.filter((p) => p.writes);
  const proposals = work.filter((p) => p.writes!.register);
  const created = await registerAgentsIn(
    tx,
    actor,
    proposals.map((p) => ({ data: p.writes!.register! })),
  );
  proposals.forEach((p, k) => (p.writes!.agentId = created[k]!.id));

  const found = work.flatMap((p) =>
    p.writes!.credentials.map((c) => ({
      agentId: p.writes!.agentId!,
      name: c.name,
      kind: c.kind,
      issuance: c.issuance,
      storage: c.storage,
      secretRef: c.secretRef,
      scope: c.scope,
      environment,
      lastRotatedAt: c.lastRotatedAt,
    })),
  );
  const newCredentials = await tx.credential.createManyAndReturn({ data: found });
  const ids = new Map(newCredentials.map((c) => [`${c.agentId}/${c.name}`, c.id]));
  // Each new record is carried by one event: its first issue sighting here, or one of its own (below).
  const unrecorded = new Map(newCredentials.map((c) => [c.id, c]));
  const recordOf = (id: string) => {
    const c = unrecorded.get(id);
    unrecorded.delete(id);
    return c ? { record: credentialRecord(c) } : {};
  };
  const names = work.flatMap((p) => p.writes!.events.map((e) => e.sighting.credential));
  const existing = await tx.credential.findMany({
    where: { agentId: { in: work.map((p) => p.writes!.agentId!) }, name: { in: [...new Set(names)] } },
    select: { id: true, agentId: true, name: true },
  });
  for (const c of existing) ids.set(`${c.agentId}/${c.name}`, c.id);

  // Claimed first, with who the file says made the call: a source id another import holds (even uncommitted) waits
  // for it, then is not claimed here.
  const wanted = work.flatMap((p) => p.writes!.events.map((e) => [e.sighting.externalId, p.row.identity] as const));
  const claimed = new Set(
    wanted.length === 0
      ? []
      : (
          await tx.$queryRaw<{ externalId: string }[]>`
            INSERT INTO "DiscoveredRecord" ("source", "externalId", "identity")
            SELECT ${source}, id, who
              FROM unnest(${wanted.map(([id]) => id)}::text[], ${wanted.map(([, who]) => who)}::text[]) AS t(id, who)
            ON CONFLICT DO NOTHING RETURNING "externalId"`
        ).map((r) => r.externalId),
  );
  // The latest rotation and use after revocation of each credential, written once each.
  const rotated = new Map<string, Date>();
  const usedAfter = new Map<string, Date>();
  const latest = (into: Map<string, Date>, id: string, at: Date) => {
    if (!into.has(id) || into.get(id)! < at) into.set(id, at);
  };
  const by = { type: 'USER' as const, id: actor.id };
  const events: AuditEventInput[] = [];
  let recordedOn = 0;
  // The events that only carry a new record: counted with the custody records, not as events seen.
  let recordsOnly = 0;
  for (const p of work) {
    const w = p.writes!;
    const agentId = w.agentId!;
    if (w.register) {
      events.push({
        action: 'agent.discovered',
        actor: by,
        agentId,
        details: {
          source,
          seenOn: w.found.seenOn,
          paths: w.found.paths.slice(0, 20),
          firstSeen: w.found.firstSeen.toISOString(),
          lastSeen: w.found.lastSeen.toISOString(),
          requests: w.found.requests,
        },
      });
    } else recordedOn++;
    const sightingsFrom = events.length;
    for (const e of w.events) {
      if (!claimed.has(e.sighting.externalId)) continue;
      const credentialId = ids.get(`${agentId}/${e.sighting.credential}`)!;
      const base = { actor: by, agentId, credentialId, occurredAt: e.sighting.at };
      const name = e.sighting.credential;
      if (e.action === 'credential.rotated') {
        latest(rotated, credentialId, e.sighting.at);
        events.push({ ...base, action: 'credential.rotated', details: { name, discovered: source } });
      } else if (e.action === 'credential.issued') {
        events.push({
          ...base,
          action: 'credential.issued',
          details: { name, discovered: source, ...recordOf(credentialId) },
        });
      } else {
        if (e.afterRevocation) latest(usedAfter, credentialId, e.sighting.at);
        events.push({
          ...base,
          action: 'credential.used',
          details: {
            name,
            discovered: source,
            ...(e.sighting.context ? { context: e.sighting.context } : {}),
            ...(e.afterRevocation ? { afterRevocation: true } : {}),
          },
        });
      }
    }
    // A key of this agent seen only in use is recorded by an event of its own, before its sightings.
    const seenInUse = [...unrecorded.values()].filter((c) => c.agentId === agentId);
    recordsOnly += seenInUse.length;
    events.splice(
      sightingsFrom,
      0,
      ...seenInUse.map((c): AuditEventInput => ({
        actor: by,
        agentId,
        credentialId: c.id,
        action: 'credential.issued',
        details: { name: c.name, discovered: source, ...recordOf(c.id) },
      })),
    );
  }
  // A rotation never moves the last rotation back, and never touches a revoked record (the plan skipped those).
  for (const [id, at] of rotated) {
    await tx.$executeRaw`UPDATE "Credential" SET "lastRotatedAt" = GREATEST(COALESCE("lastRotatedAt", ${at}), ${at}),
      "version" = "version" + 1, "updatedAt" = now() WHERE "id" = ${id} AND "revokedAt" IS NULL`;
  }
  for (const [id, at] of usedAfter) {
    await tx.$executeRaw`UPDATE "Credential" SET "usedAfterRevocationAt" = GREATEST("usedAfterRevocationAt", ${at})
      WHERE "id" = ${id}`;
  }
  await appendAuditEvents(tx, events);
  // The importer vouches for what the file says exists: a loose credential is reviewed as if they had issued it.
  // A token vouches for nothing (the workload it governs may hold it).
  const reviewed = await reviewLooseIssues(tx, options.viaToken ? null : actor, by, newCredentials);
  return {
    reviews: reviewed.size,
    agentIds: work.map((p) => p.writes!.agentId!),
    proposed: proposals.map((p) => ({ slug: p.writes!.register!.slug, name: p.writes!.register!.name })),
    recordedOn,
    credentials: newCredentials.length,
    events: events.filter((e) => e.action !== 'agent.discovered').length - recordsOnly,
  };
}
