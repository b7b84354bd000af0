import 'server-only';
import { listAgentEvents } from '@/lib/audit/queries';
import type { Actor } from '@/lib/authz';
import { listAgentCredentials } from '@/lib/credentials/queries';
import { listAgentExceptions } from '@/lib/exceptions/queries';
import { listFindings } from '@/lib/policy/findings';
import { listAgentPurposes } from '@/lib/purposes/queries';
import { listAgentReviews } from '@/lib/reviews/queries';
import { getAgentSummary } from './queries';

/** How many of its latest events the agent page shows: the rest are a link away, and each costs the render. */
export const AGENT_PAGE_EVENTS = 15;

/**
 * Every query the agent page sends, together: the summary, then its sections
 * in parallel. The page streams each section on its own; the benchmark and
 * the query-plan checks measure their sum through this.
 */
export async function loadAgentPage(actor: Actor, slug: string) {
  const agent = await getAgentSummary(actor, slug);
  if (!agent) return null;
  const [purposes, credentials, exceptions, reviews, events, findings] = await Promise.all([
    listAgentPurposes(actor, agent.id),
    listAgentCredentials(actor, agent.id),
    listAgentExceptions(actor, agent.id),
    listAgentReviews(actor, agent.id),
    listAgentEvents(actor, agent.id, AGENT_PAGE_EVENTS),
    listFindings(actor, { agent: agent.slug }),
  ]);
  return { agent, purposes, credentials, exceptions, reviews, events, findings };
}
