import type { Prisma, TokenAgentScope } from '@/lib/generated/prisma/client';

/** Which agents an API token may act on: all, a list, or those whose workload identity starts with a prefix. */
export type TokenReach =
  { kind: 'ALL' } | { kind: 'LIST'; agentIds: string[] } | { kind: 'WORKLOAD_PREFIX'; prefix: string };

export function reachOf(token: {
  agentScope: TokenAgentScope;
  agentIds: string[];
  workloadPrefix: string | null;
}): TokenReach {
  if (token.agentScope === 'LIST') return { kind: 'LIST', agentIds: token.agentIds };
  if (token.agentScope === 'WORKLOAD_PREFIX') return { kind: 'WORKLOAD_PREFIX', prefix: token.workloadPrefix ?? '' };
  return { kind: 'ALL' };
}

/** Whether the token reaches this agent, read from the agent as it is now (a changed identity moves it out). */
export function reaches(reach: TokenReach, agent: { id: string; workloadIdentity: string | null }): boolean {
  switch (reach.kind) {
    case 'ALL':
      return true;
    case 'LIST':
      return reach.agentIds.includes(agent.id);
    case 'WORKLOAD_PREFIX':
      return reach.prefix !== '' && (agent.workloadIdentity ?? '').startsWith(reach.prefix);
  }
}

/** The same rule as a filter on agents, for lists. */
export function reachWhere(reach: TokenReach): Prisma.AgentWhereInput {
  switch (reach.kind) {
    case 'ALL':
      return {};
    case 'LIST':
      return { id: { in: reach.agentIds } };
    case 'WORKLOAD_PREFIX':
      return reach.prefix === '' ? { id: { in: [] } } : { workloadIdentity: { startsWith: reach.prefix } };
  }
}

/** How the reach reads on the tokens page and in the timeline. */
export function describeReach(reach: TokenReach, slugs: string[] = []): string {
  if (reach.kind === 'ALL') return 'All agents';
  if (reach.kind === 'LIST') return `Agents: ${slugs.join(', ') || `${reach.agentIds.length} listed`}`;
  return `Workload identities starting ${reach.prefix}`;
}
