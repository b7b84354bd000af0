import { ShieldAlert } from 'lucide-react';
import Link from 'next/link';
import { Section } from '@/components/section';
import { Disclosure } from '@/components/ui/disclosure';
import { ExceptionStatusBadge } from '@/components/vocabulary';
import type { AgentSummary } from '@/lib/agents/queries';
import { canOnAgent, type Actor } from '@/lib/authz';
import { listAgentCredentials } from '@/lib/credentials/queries';
import { listEligibleApprovers } from '@/lib/exceptions/approvers';
import { listAgentExceptions, listAwaitingRotation } from '@/lib/exceptions/queries';
import { exceptionStatusNow } from '@/lib/exceptions/status';
import { getPolicy } from '@/lib/settings';
import { EXCEPTION_TYPE, labelOf } from '@/lib/vocabulary';
import { RequestExceptionForm } from '../custody-controls';

/** The agent's exceptions, and the request form for its owner. */
export async function ExceptionsSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const canRequest = canOnAgent(actor, 'exception.request', agent.owner?.id ?? null) && agent.status !== 'RETIRED';
  const [exceptions, request] = await Promise.all([
    listAgentExceptions(actor, agent.id),
    canRequest
      ? Promise.all([listAgentCredentials(actor, agent.id), listEligibleApprovers(actor, agent.id), getPolicy()])
      : null,
  ]);
  // Only a break-glass of this agent's can await rotation: most agents have no exception at all.
  const awaiting = request && exceptions.length > 0 ? await listAwaitingRotation(actor, agent.id) : [];
  const now = new Date();
  return (
    <Section title="Exceptions" icon={ShieldAlert} id="exceptions">
      {exceptions.length === 0 ? (
        <p className="text-muted-foreground">No exceptions have been requested for this agent.</p>
      ) : (
        <ul className="divide-y">
          {exceptions.map((e) => (
            <li key={e.id} className="flex justify-between gap-2 py-1.5">
              <Link
                href={`/exceptions/${e.id}`}
                className="underline decoration-muted-foreground/40 underline-offset-2"
              >
                {labelOf(EXCEPTION_TYPE, e.type)} — requested by {e.requestedBy.name}
              </Link>
              <ExceptionStatusBadge status={exceptionStatusNow(e, now)} />
            </li>
          ))}
        </ul>
      )}
      {request ? (
        <Disclosure className="mt-3" summary="Request an exception">
          <div className="mt-3">
            <RequestExceptionForm
              agentId={agent.id}
              credentials={request[0].filter((c) => !c.revokedAt).map((c) => ({ id: c.id, name: c.name }))}
              approvers={request[1]}
              maxHours={request[2].exceptionMaxHours}
              awaitingRotation={awaiting.map((r) => r.credentialName)}
            />
          </div>
        </Disclosure>
      ) : null}
    </Section>
  );
}
