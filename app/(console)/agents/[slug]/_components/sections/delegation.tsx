import { Network } from 'lucide-react';
import Link from 'next/link';
import { DelegationGraph } from '@/components/agents/delegation-graph';
import { Section } from '@/components/section';
import { Disclosure } from '@/components/ui/disclosure';
import { DelegationStatusBadge } from '@/components/vocabulary';
import type { AgentSummary } from '@/lib/agents/queries';
import { canOnAgent, type Actor } from '@/lib/authz';
import {
  delegationNeighbourhood,
  DELEGATIONS_LISTED,
  listAgentDelegations,
  type DelegationView,
} from '@/lib/delegation/queries';
import { getPolicy } from '@/lib/settings';
import { ENVIRONMENT, labelOf } from '@/lib/vocabulary';
import { DelegationDecision, RequestDelegationForm } from '../delegation-controls';

const day = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

function Grants({ title, grants, empty }: { title: string; grants: DelegationView[]; empty: string }) {
  return (
    <div className="flex flex-col gap-1">
      <h3 className="font-medium">{title}</h3>
      {grants.length === 0 ? (
        <p className="text-sm text-muted-foreground">{empty}</p>
      ) : (
        <ul className="divide-y" aria-label={title}>
          {grants.map((g) => (
            <li key={g.id} className="flex flex-col gap-2 py-2" data-testid={`delegation-${g.other.slug}`}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  <Link
                    href={`/agents/${g.other.slug}`}
                    className="font-mono underline decoration-muted-foreground/40 underline-offset-2"
                  >
                    {g.other.slug}
                  </Link>{' '}
                  <span className="text-sm text-muted-foreground">
                    for {g.tasks.join(', ')} in {g.environments.map((e) => labelOf(ENVIRONMENT, e)).join(', ')}
                    {g.expiresAt ? ` · until ${day(g.expiresAt)}` : ` · ${g.days} days from approval`} · asked by{' '}
                    {g.requestedBy.name ?? 'someone'}
                    {g.approvedBy ? `, approved by ${g.approvedBy.name ?? 'someone'}` : ''}
                  </span>
                </span>
                <DelegationStatusBadge status={g.status} />
              </div>
              <p className="text-sm">“{g.justification}”</p>
              <DelegationDecision
                grantId={g.id}
                canApprove={g.canApprove}
                canRevoke={g.canRevoke}
                pending={g.status === 'PENDING'}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Agent-to-agent delegation: who may act for this agent, for whom it may act, the graph, and the request form. */
export async function DelegationSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const canRequest = canOnAgent(actor, 'delegation.request', agent.owner?.id ?? null) && agent.status !== 'RETIRED';
  const [{ actsFor, actedForBy }, policy] = await Promise.all([
    listAgentDelegations(actor, agent.id),
    canRequest ? getPolicy() : null,
  ]);
  // The graph's first hops are this agent's live grants: with none there is no graph to walk. (The lists hold the
  // newest grants only, so a full list may hide a live one.)
  const grants = [...actsFor, ...actedForBy];
  const live =
    grants.length >= DELEGATIONS_LISTED || grants.some((g) => g.status === 'PENDING' || g.status === 'APPROVED');
  const graph = live ? await delegationNeighbourhood(actor, agent.id) : null;
  return (
    <Section title="Delegation" icon={Network} id="delegation">
      <p className="mb-3 max-w-3xl text-sm text-muted-foreground">
        An agent that calls another agent acts for it only under a grant its owner approved: for named tasks, in named
        environments, until an expiry. A broker names the chain in <span className="font-mono">onBehalfOf</span>, and
        every hop is decided on its own.
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <Grants
          title="Who may act for this agent"
          grants={actedForBy}
          empty="No agent may act for this one. Another agent’s owner asks from that agent’s page."
        />
        <Grants
          title="This agent may act for"
          grants={actsFor}
          empty={
            canRequest
              ? 'It acts for no other agent. Request a delegation below when it calls another agent’s tools.'
              : 'It acts for no other agent.'
          }
        />
      </div>
      {graph && graph.edges.length > 0 ? (
        <div className="mt-4">
          <DelegationGraph graph={graph} centre={agent.id} />
        </div>
      ) : null}
      {canRequest && policy ? (
        <Disclosure className="mt-3" summary="Let this agent act for another">
          <div className="mt-3">
            <RequestDelegationForm delegateId={agent.id} maxDays={policy.delegation.maxDays} />
          </div>
        </Disclosure>
      ) : null}
    </Section>
  );
}
