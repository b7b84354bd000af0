// The hot paths' domain queries, each beside a hand-written SQL floor for the
// same result, timed in the same run.
import type { Client } from 'pg';
import { getAgentBySlug, listAgents } from '@/lib/agents/queries';
import { parseAgentListQuery } from '@/lib/agents/schema';
import { listAgentEvents, listTimeline, parseTimelineQuery } from '@/lib/audit';
import type { Actor } from '@/lib/authz';
import { getPostureSummary } from '@/lib/dashboard/queries';
import { listExceptionQueue } from '@/lib/exceptions/queries';
import { listFindings } from '@/lib/policy/findings';
import { listReviews } from '@/lib/reviews/queries';

export type QueryCase = { name: string; domain: () => Promise<unknown>; floor: (() => Promise<unknown>) | null };

const AGENT_COLUMNS = `a."id", a."slug", a."name", a."kind", a."status", a."riskTier", a."environments", a."workloadIdentity", a."nextReviewDue", a."createdAt"`;

export function queryCases(actor: Actor, pg: Client, sample: { slug: string; agentId: string; ownerId: string; headSeq: bigint }): QueryCase[] {
  const agents = (params: Record<string, string>) => () => listAgents(actor, parseAgentListQuery(params));
  const floorAgents = (where: string, order: string, offset = 0, args: unknown[] = []) => () =>
    Promise.all([
      pg.query(`SELECT ${AGENT_COLUMNS}, o."name" AS owner FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId" ${where} ORDER BY ${order} LIMIT 50 OFFSET ${offset}`, args),
      pg.query(`SELECT count(*) FROM "Agent" a ${where}`, args),
    ]);
  const timeline = (params: Record<string, string>) => () => listTimeline(actor, parseTimelineQuery(params));
  const deep = (sample.headSeq - 20_000n * 50n).toString();
  const floorTimeline = (where: string, args: unknown[]) => () => pg.query(`SELECT * FROM "AuditEvent" ${where} ORDER BY "seq" DESC LIMIT 51`, args);
  return [
    { name: 'agents: first page', domain: agents({}), floor: floorAgents('', 'a."name", a."id"') },
    { name: 'agents: page 1,000', domain: agents({ page: '1000' }), floor: floorAgents('', 'a."name", a."id"', 49_950) },
    { name: 'agents: status filter', domain: agents({ status: 'SUSPENDED' }), floor: floorAgents(`WHERE a."status" = 'SUSPENDED'`, 'a."name", a."id"') },
    { name: 'agents: risk tier filter', domain: agents({ riskTier: 'CRITICAL' }), floor: floorAgents(`WHERE a."riskTier" = 'CRITICAL'`, 'a."name", a."id"') },
    { name: 'agents: environment filter', domain: agents({ environment: 'DEV' }), floor: floorAgents(`WHERE a."environments" @> ARRAY['DEV']::"Environment"[]`, 'a."name", a."id"') },
    { name: 'agents: kind filter', domain: agents({ kind: 'OPS_AGENT' }), floor: floorAgents(`WHERE a."kind" = 'OPS_AGENT'`, 'a."name", a."id"') },
    { name: 'agents: owner filter', domain: agents({ owner: sample.ownerId }), floor: floorAgents(`WHERE a."ownerId" = $1`, 'a."name", a."id"', 0, [sample.ownerId]) },
    { name: 'agents: orphaned', domain: agents({ orphaned: '1' }), floor: null },
    { name: 'agents: plane unassigned', domain: agents({ planeUnassigned: '1' }), floor: null },
    { name: 'agents: review overdue', domain: agents({ reviewOverdue: '1' }), floor: null },
    { name: 'agents: sort by slug', domain: agents({ sort: 'slug' }), floor: floorAgents('', 'a."slug", a."id"') },
    { name: 'agents: sort by status', domain: agents({ sort: 'status' }), floor: floorAgents('', 'a."status", a."id"') },
    { name: 'agents: sort by risk tier', domain: agents({ sort: 'riskTier' }), floor: floorAgents('', 'a."riskTier", a."id"') },
    { name: 'agents: sort by next review', domain: agents({ sort: 'nextReviewDue' }), floor: floorAgents('', 'a."nextReviewDue" NULLS LAST, a."id"') },
    { name: 'agents: sort by registered', domain: agents({ sort: 'createdAt' }), floor: floorAgents('', 'a."createdAt", a."id"') },
    { name: 'agents: search', domain: agents({ q: 'agent-00042' }), floor: floorAgents(`WHERE a."name" ILIKE $1 OR a."slug" ILIKE $1 OR a."workloadIdentity" ILIKE $1`, 'a."name", a."id"', 0, ['%agent-00042%']) },
    {
      name: 'agent page',
      domain: () => Promise.all([getAgentBySlug(actor, sample.slug), listAgentEvents(actor, sample.agentId, 30)]),
      floor: () => Promise.all([pg.query(`SELECT * FROM "Agent" WHERE "slug" = $1`, [sample.slug]), pg.query(`SELECT * FROM "AuditEvent" WHERE "agentId" = $1 ORDER BY "seq" DESC LIMIT 30`, [sample.agentId])]),
    },
    { name: 'exceptions queue', domain: () => listExceptionQueue(actor), floor: () => pg.query(`SELECT * FROM "Exception" WHERE "status" IN ('PENDING', 'APPROVED') AND "expiresAt" > now() ORDER BY "status", "createdAt" LIMIT 400`) },
    { name: 'reviews queue (open)', domain: () => listReviews(actor, 'open', 1), floor: () => pg.query(`SELECT * FROM "Review" WHERE "completedAt" IS NULL ORDER BY "dueAt", "id" LIMIT 50`) },
    { name: 'timeline: first page', domain: timeline({}), floor: floorTimeline('', []) },
    { name: 'timeline: 20,000 pages deep', domain: timeline({ before: deep }), floor: floorTimeline('WHERE "seq" < $1', [deep]) },
    { name: 'timeline: one agent', domain: timeline({ agent: sample.slug }), floor: floorTimeline('WHERE "agentId" = $1', [sample.agentId]) },
    { name: 'timeline: action group', domain: timeline({ group: 'credential' }), floor: floorTimeline(`WHERE "action" IN ('credential.issued', 'credential.used', 'credential.rotated', 'credential.revoked')`, []) },
    { name: 'timeline: deep + group', domain: timeline({ group: 'credential', before: deep }), floor: floorTimeline(`WHERE "action" IN ('credential.issued', 'credential.used', 'credential.rotated', 'credential.revoked') AND "seq" < $1`, [deep]) },
    { name: 'dashboard', domain: () => getPostureSummary(actor), floor: null },
    { name: 'findings page', domain: () => listFindings(actor, {}), floor: null },
  ];
}
