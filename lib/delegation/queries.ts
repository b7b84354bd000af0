import 'server-only';
import { can, canOnAgent, requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { AgentStatus, DelegationStatus, Environment } from '@/lib/generated/prisma/enums';
import { approverProblem } from './approver';
import { delegationStatusNow } from './commands';

const agentRef = {
  select: { id: true, slug: true, name: true, status: true, ownerId: true, owner: { select: { active: true } } },
} as const;
const person = { select: { id: true, name: true } } as const;

/** How many of an agent's grants (newest first) its page lists. */
export const DELEGATIONS_LISTED = 200;

export type DelegationView = {
  id: string;
  /** The other agent: the principal on the delegate's page, the delegate on the principal's. */
  other: { id: string; slug: string; name: string; status: AgentStatus };
  tasks: string[];
  environments: Environment[];
  status: DelegationStatus;
  days: number;
  justification: string;
  requestedBy: { id: string; name: string | null };
  approvedBy: { id: string; name: string | null } | null;
  expiresAt: Date | null;
  createdAt: Date;
  /** What this viewer may do with it now (the commands check again). */
  canApprove: boolean;
  canRevoke: boolean;
};

/** The agent's delegations both ways: the agents it may act for, and those that may act for it. */
export async function listAgentDelegations(
  actor: Actor,
  agentId: string,
): Promise<{ actsFor: DelegationView[]; actedForBy: DelegationView[] }> {
  requirePermission(actor, 'agent.read');
  const now = new Date();
  const db = getDb();
  const orderBy = [{ createdAt: 'desc' as const }, { id: 'asc' as const }];
  // Most agents have no grant: ask for ids first, since Prisma sends a query per relation even for no rows.
  const ids = await db.delegationGrant.findMany({
    where: { OR: [{ delegateId: agentId }, { principalId: agentId }] },
    orderBy,
    take: DELEGATIONS_LISTED,
    select: { id: true },
  });
  const grants =
    ids.length === 0
      ? []
      : await db.delegationGrant.findMany({
          where: { id: { in: ids.map((g) => g.id) } },
          orderBy,
          include: { delegate: agentRef, principal: agentRef, requestedBy: person, approvedBy: person },
        });
  const view = (g: (typeof grants)[number], other: typeof g.delegate): DelegationView => {
    const status = delegationStatusNow(g, now);
    const principal = { ...g.principal, ownerActive: g.principal.owner?.active === true };
    return {
      id: g.id,
      other: { id: other.id, slug: other.slug, name: other.name, status: other.status },
      tasks: g.tasks,
      environments: g.environments,
      status,
      days: g.days,
      justification: g.justification,
      requestedBy: g.requestedBy,
      approvedBy: g.approvedBy,
      expiresAt: g.expiresAt,
      createdAt: g.createdAt,
      canApprove:
        status === 'PENDING' &&
        can(actor, 'delegation.approve') &&
        approverProblem(actor, { requestedById: g.requestedById, delegate: g.delegate, principal }).problem === null,
      canRevoke:
        (status === 'PENDING' || status === 'APPROVED') &&
        [g.delegate.ownerId, g.principal.ownerId].some((owner) => canOnAgent(actor, 'delegation.revoke', owner)),
    };
  };
  return {
    actsFor: grants.filter((g) => g.delegateId === agentId).map((g) => view(g, g.principal)),
    actedForBy: grants.filter((g) => g.principalId === agentId).map((g) => view(g, g.delegate)),
  };
}

export type DelegationGraph = {
  nodes: { id: string; slug: string; status: AgentStatus; column: number }[];
  edges: { id: string; from: string; to: string; pending: boolean; tasks: string[] }[];
};

const GRAPH_DEPTH = 2;
const GRAPH_EDGES = 60;

/**
 * The agent's delegation neighbourhood, two hops each way over grants in force or waiting: agents that may act for
 * it to the left (column -1, -2), agents it may act for to the right (1, 2).
 */
export async function delegationNeighbourhood(actor: Actor, agentId: string): Promise<DelegationGraph> {
  requirePermission(actor, 'agent.read');
  const now = new Date();
  const live = { OR: [{ status: 'PENDING' as const }, { status: 'APPROVED' as const, expiresAt: { gt: now } }] };
  const columns = new Map<string, number>([[agentId, 0]]);
  const edges = new Map<string, DelegationGraph['edges'][number]>();
  for (const side of [1, -1] as const) {
    let frontier = [agentId];
    for (let depth = 1; depth <= GRAPH_DEPTH && frontier.length > 0 && edges.size < GRAPH_EDGES; depth++) {
      const found = await getDb().delegationGrant.findMany({
        where: { ...live, ...(side === 1 ? { delegateId: { in: frontier } } : { principalId: { in: frontier } }) },
        select: { id: true, delegateId: true, principalId: true, status: true, tasks: true },
        orderBy: { id: 'asc' },
        take: GRAPH_EDGES - edges.size,
      });
      frontier = [];
      for (const g of found) {
        edges.set(g.id, {
          id: g.id,
          from: g.delegateId,
          to: g.principalId,
          pending: g.status === 'PENDING',
          tasks: g.tasks,
        });
        const next = side === 1 ? g.principalId : g.delegateId;
        if (!columns.has(next)) {
          columns.set(next, side * depth);
          frontier.push(next);
        }
      }
    }
  }
  const agents = await getDb().agent.findMany({
    where: { id: { in: [...columns.keys()] } },
    select: { id: true, slug: true, status: true },
  });
  return {
    nodes: agents.map((a) => ({ ...a, column: columns.get(a.id)! })),
    edges: [...edges.values()],
  };
}
