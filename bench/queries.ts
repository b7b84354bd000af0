// The hot paths' domain queries, each beside a hand-written SQL floor for the
// same result, timed in the same run.
import type { Pool } from 'pg';
import { agentCursor, COUNT_CAP, listAgents } from '@/lib/agents/list';
import { AGENT_PAGE_EVENTS, loadAgentPage } from '@/lib/agents/page';
import { parseAgentListQuery } from '@/lib/agents/schema';
import { listTimeline, parseTimelineQuery } from '@/lib/audit';
import type { Actor } from '@/lib/authz';
import { getPostureSummary } from '@/lib/dashboard/queries';
import { forgetReused } from '@/lib/db/reused';
import { listExceptionQueue, QUEUE_PREVIEW } from '@/lib/exceptions/queries';
import { listOwnershipMatrix } from '@/lib/ownership/queries';
import { agentFindingsStatement, listFindings } from '@/lib/policy/findings';
import { RULES } from '@/lib/policy/rules';
import { listReviews } from '@/lib/reviews/queries';

export type QueryCase = {
  name: string;
  domain: () => Promise<unknown>;
  floor: (() => Promise<unknown>) | null;
  /** Samples of each (default 15); a hot path's p99 wants enough for its tail to be one. */
  runs?: number;
  /** Brings the domain to the state a running server keeps it in (before any timing). */
  warm?: () => Promise<unknown>;
};

const AGENT_COLUMNS =
  `a."id", a."slug", a."name", a."kind", a."status", a."riskTier", a."environments", a."workloadIdentity", ` +
  `a."planesAssigned", a."nextReviewDue", a."createdAt"`;

/** Deep-page cursors need a row far down the list: found once, outside the timing. */
export type Sample = {
  slug: string;
  agentId: string;
  ownerId: string;
  headSeq: bigint;
  row50k: { name: string; id: string };
};

export async function sampleRow50k(pg: Pool): Promise<Sample['row50k']> {
  const { rows } = await pg.query<{ name: string; id: string }>(
    `SELECT "name", "id" FROM "Agent" ORDER BY "name", "id" OFFSET 49949 LIMIT 1`,
  );
  return rows[0]!;
}

export function queryCases(actor: Actor, pg: Pool, sample: Sample, generic: Pool): QueryCase[] {
  let findingsFloor: { text: string; values: unknown[] } | undefined;
  const agents = (params: Record<string, string>) => () => listAgents(actor, parseAgentListQuery(params));
  // The same page by hand: the rows, with owner, and the capped count.
  const floorAgents =
    (where: string, order: string, args: unknown[] = [], seek = '') =>
    () =>
      Promise.all([
        pg.query(
          `SELECT ${AGENT_COLUMNS}, o."name" AS owner FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId" WHERE
            ${where} ${seek} ORDER BY ${order} LIMIT 51`,
          args,
        ),
        pg.query(
          `SELECT count(*) FROM (SELECT 1 FROM "Agent" a WHERE ${where} LIMIT ${COUNT_CAP + 1}) t`,
          args.slice(0, where.includes('$1') ? 1 : 0),
        ),
      ]);
  const deepAgents = agentCursor('name', [sample.row50k.name], sample.row50k.id);
  const timeline = (params: Record<string, string>) => () => listTimeline(actor, parseTimelineQuery(params));
  const deep = (sample.headSeq - 20_000n * 50n).toString();
  const floorTimeline = (where: string, args: unknown[]) => () =>
    pg.query(`SELECT * FROM "AuditEvent" ${where} ORDER BY "seq" DESC LIMIT 51`, args);
  // The reviews queue by hand: the page with its agent, owner, reviewer and campaign, and each tab's capped count.
  const reviewsFloor = () => {
    const capped = (where: string, params: unknown[] = []) =>
      pg.query(`SELECT count(*) FROM (SELECT 1 FROM "Review" r WHERE ${where} LIMIT 10001) t`, params);
    return Promise.all([
      pg.query(
        `SELECT r."id", r."triggers", r."dueAt", r."completedAt", r."outcome", a."slug", a."name", a."riskTier",
           a."status", o."id" AS "ownerId", o."name" AS "owner", o."active" AS "ownerActive", rv."id" AS
           "reviewerId", rv."name" AS "reviewer", rv."active" AS "reviewerActive", c."id" AS "campaignId",
           c."name" AS "campaign"
         FROM "Review" r JOIN "Agent" a ON a."id" = r."agentId" LEFT JOIN "User" o ON o."id" = a."ownerId"
         LEFT JOIN "User" rv ON rv."id" = r."reviewerId" LEFT JOIN "ReviewCampaign" c ON c."id" = r."campaignId"
         WHERE r."completedAt" IS NULL ORDER BY r."dueAt", r."id" LIMIT 51`,
      ),
      capped(
        // An open review is its agent's one open review: "openForAgent" finds mine through the owner's agents.
        `r."completedAt" IS NULL AND (r."reviewerId" = $1 OR r."openForAgent" IN (SELECT a."id" FROM "Agent" a
          WHERE a."ownerId" = $1))`,
        [actor.id],
      ),
      capped(`r."completedAt" IS NULL AND r."dueAt" >= now() AND r."dueAt" <= now() + interval '14 days'`),
      capped(`r."completedAt" IS NULL AND r."dueAt" < now()`),
      capped(`r."completedAt" IS NULL`),
      capped(`r."completedAt" IS NOT NULL`),
    ]);
  };
  return [
    { name: 'agents: first page', domain: agents({}), floor: floorAgents('true', 'a."name", a."id"') },
    {
      name: 'agents: page 1,000',
      domain: agents({ after: deepAgents }),
      floor: floorAgents(
        'true',
        'a."name", a."id"',
        [sample.row50k.name, sample.row50k.id],
        'AND (a."name", a."id") > ($1, $2)',
      ),
    },
    {
      name: 'agents: status filter',
      domain: agents({ status: 'SUSPENDED' }),
      floor: floorAgents(`a."status" = 'SUSPENDED'`, 'a."status", a."name", a."id"'),
    },
    {
      name: 'agents: risk tier filter',
      domain: agents({ riskTier: 'CRITICAL' }),
      floor: floorAgents(`a."riskTier" = 'CRITICAL'`, 'a."riskTier", a."name", a."id"'),
    },
    {
      name: 'agents: environment filter',
      domain: agents({ environment: 'DEV' }),
      floor: floorAgents(`a."environments" @> ARRAY['DEV']::"Environment"[]`, 'a."name", a."id"'),
    },
    {
      name: 'agents: kind filter',
      domain: agents({ kind: 'OPS_AGENT' }),
      floor: floorAgents(`a."kind" = 'OPS_AGENT'`, 'a."kind", a."name", a."id"'),
    },
    {
      name: 'agents: owner filter',
      domain: agents({ owner: sample.ownerId }),
      floor: floorAgents(`a."ownerId" = $1`, 'a."ownerId", a."name", a."id"', [sample.ownerId]),
    },
    {
      name: 'agents: orphaned',
      domain: agents({ orphaned: '1' }),
      floor: floorAgents(`a."orphaned" AND a."status" <> 'RETIRED'`, 'a."name", a."id"'),
    },
    {
      name: 'agents: plane unassigned',
      domain: agents({ planeUnassigned: '1' }),
      floor: floorAgents(`a."planesAssigned" < 3 AND a."status" <> 'RETIRED'`, 'a."name", a."id"'),
    },
    { name: 'agents: ready for issuance', domain: agents({ ready: 'yes' }), floor: null },
    {
      name: 'agents: review overdue',
      domain: agents({ reviewOverdue: '1' }),
      floor: floorAgents(`a."openReviewDueAt" < now()`, 'a."name", a."id"'),
    },
    { name: 'agents: sort by slug', domain: agents({ sort: 'slug' }), floor: floorAgents('true', 'a."slug", a."id"') },
    {
      name: 'agents: sort by status',
      domain: agents({ sort: 'status' }),
      floor: floorAgents('true', 'a."status", a."name", a."id"'),
    },
    {
      name: 'agents: sort by risk tier',
      domain: agents({ sort: 'riskTier' }),
      floor: floorAgents('true', 'a."riskTier", a."name", a."id"'),
    },
    {
      name: 'agents: sort by next review',
      domain: agents({ sort: 'nextReviewDue' }),
      floor: floorAgents('true', 'a."nextReviewDue", a."id"'),
    },
    {
      name: 'agents: sort by registered',
      domain: agents({ sort: 'createdAt', dir: 'desc' }),
      floor: floorAgents('true', 'a."createdAt" DESC, a."id" DESC'),
    },
    {
      name: 'agents: search',
      domain: agents({ q: 'agent-00042' }),
      floor: floorAgents(
        `(a."search" LIKE $1 OR a."ownerId" = ANY (ARRAY(SELECT "id" FROM "User" WHERE "name" ILIKE $1)))`,
        'a."name", a."id"',
        ['%agent-00042%'],
      ),
    },
    {
      name: 'ownership matrix',
      domain: () => listOwnershipMatrix(actor, { gaps: false, size: 100 }),
      floor: floorAgents(`a."status" <> 'RETIRED'`, 'a."name", a."id"'),
    },
    {
      name: 'ownership: gaps',
      domain: () => listOwnershipMatrix(actor, { gaps: true, size: 100 }),
      floor: floorAgents(`a."status" <> 'RETIRED' AND (a."orphaned" OR a."planesAssigned" < 3)`, 'a."name", a."id"'),
    },
    {
      name: 'agent page',
      // What the page loads: the agent, its purposes, credentials, exceptions, reviews, latest events and its
      // findings (every rule computed live for the one agent).
      domain: () => loadAgentPage(actor, sample.slug),
      // The same by hand, side by side as the page runs them: each section's rows by the agent's id, and the
      // findings as the rules' own SQL, prepared once with its generic plan (nothing cheaper gives that answer).
      floor: async () => {
        findingsFloor ??= await agentFindingsStatement(
          actor,
          { agent: sample.slug, size: 100 },
          RULES,
          new Date(),
          sample.agentId,
        );
        const { text, values } = findingsFloor;
        const byAgent = (table: string, order: string, limit: number) =>
          pg.query(`SELECT * FROM "${table}" WHERE "agentId" = $1 ORDER BY ${order} LIMIT ${limit}`, [sample.agentId]);
        await pg.query(`SELECT * FROM "Agent" WHERE "slug" = $1`, [sample.slug]);
        return Promise.all([
          byAgent('Purpose', '"createdAt" DESC', 100),
          byAgent('Credential', '"name"', 100),
          byAgent('Exception', '"createdAt" DESC', 50),
          byAgent('Review', '"createdAt" DESC', 20),
          byAgent('AuditEvent', '"seq" DESC', AGENT_PAGE_EVENTS),
          generic.query({ name: 'floor_agent_findings', text, values }),
        ]);
      },
    },
    {
      name: 'exceptions queue',
      domain: () => listExceptionQueue(actor),
      // The same answer by hand: each queue's head with its agent, people, credentials and decisions, and the counts.
      floor: () => {
        const head = (where: string, order: string) =>
          pg.query(
            `SELECT e.*, a."slug", a."name", a."riskTier", rq."name" AS "requestedBy", rv."name" AS "revokedBy",
               (SELECT json_agg(json_build_object('id', c."id", 'name', c."name") ORDER BY c."name")
                  FROM "ExceptionCredential" ec JOIN "Credential" c ON c."id" = ec."credentialId"
                  WHERE ec."exceptionId" = e."id") AS "credentials",
               (SELECT json_agg(json_build_object('id', d."id", 'outcome', d."outcome", 'reason', d."reason",
                  'decidedAt', d."decidedAt", 'decider', u."name") ORDER BY d."decidedAt")
                  FROM "ExceptionDecision" d JOIN "User" u ON u."id" = d."deciderId"
                  WHERE d."exceptionId" = e."id") AS "decisions"
             FROM "Exception" e JOIN "Agent" a ON a."id" = e."agentId" JOIN "User" rq ON rq."id" = e."requestedById"
             LEFT JOIN "User" rv ON rv."id" = e."revokedById"
             WHERE ${where} ORDER BY ${order} LIMIT ${QUEUE_PREVIEW}`,
          );
        return Promise.all([
          head(`e."status" = 'PENDING' AND e."expiresAt" > now()`, 'e."createdAt", e."id"'),
          head(`e."status" = 'APPROVED' AND e."expiresAt" > now()`, 'e."expiresAt", e."id"'),
          pg.query(`SELECT count(*) FROM "Exception" WHERE "status" = 'PENDING' AND "expiresAt" > now()`),
          pg.query(`SELECT count(*) FROM "Exception" WHERE "status" = 'APPROVED' AND "expiresAt" > now()`),
        ]);
      },
    },
    { name: 'reviews queue (open)', domain: () => listReviews(actor, { view: 'open', size: 50 }), floor: reviewsFloor },
    {
      // The tabs' shared counts computed, as the first reader after a change gets them.
      name: 'reviews queue (after a change)',
      domain: () => {
        forgetReused();
        return listReviews(actor, { view: 'open', size: 50 });
      },
      floor: reviewsFloor,
    },
    { name: 'timeline: first page', domain: timeline({}), floor: floorTimeline('', []) },
    {
      name: 'timeline: 20,000 pages deep',
      domain: timeline({ before: deep }),
      floor: floorTimeline('WHERE "seq" < $1', [deep]),
    },
    {
      name: 'timeline: one agent',
      domain: timeline({ agent: sample.slug }),
      // Its target is a p99: of 15 samples that would be the single slowest.
      runs: 300,
      floor: floorTimeline('WHERE "agentId" = $1', [sample.agentId]),
    },
    {
      name: 'timeline: action group',
      domain: timeline({ group: 'credential' }),
      floor: floorTimeline(
        `WHERE "action" IN ('credential.issued', 'credential.used', 'credential.rotated', 'credential.revoked')`,
        [],
      ),
    },
    {
      name: 'timeline: deep + group',
      domain: timeline({ group: 'credential', before: deep }),
      floor: floorTimeline(
        `WHERE "action" IN ('credential.issued', 'credential.used', 'credential.rotated', 'credential.revoked') AND
          "seq" < $1`,
        [deep],
      ),
    },
    { name: 'dashboard', domain: () => getPostureSummary(actor), floor: null },
    {
      // Every write moves the timeline head, so under a steady stream of writes each reader computes them.
      name: 'dashboard (after a write)',
      domain: () => {
        forgetReused();
        return getPostureSummary(actor);
      },
      floor: null,
    },
    { name: 'findings page', domain: () => listFindings(actor, {}), floor: null },
  ];
}
