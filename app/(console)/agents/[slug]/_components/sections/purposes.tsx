import { Section } from '@/components/section';
import { Disclosure } from '@/components/ui/disclosure';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { PurposeStatusBadge } from '@/components/vocabulary';
import type { AgentSummary } from '@/lib/agents/queries';
import { can, canOnAgent, type Actor } from '@/lib/authz';
import { listAgentPurposes } from '@/lib/purposes/queries';
import { ENVIRONMENT, labelOf } from '@/lib/vocabulary';
import { PurposeActions, PurposeForm } from '../agent-controls';

/** What the agent is approved to do: task, tools and systems, environments. */
export async function PurposesSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const purposes = await listAgentPurposes(actor, agent.id);
  const canWrite = canOnAgent(actor, 'agent.write', agent.owner?.id ?? null);
  const canApprove = can(actor, 'purpose.approve');
  return (
    <Section title="Approved purposes" id="purposes">
      {purposes.length === 0 ? (
        <p className="mb-3 text-muted-foreground">
          No purpose yet. An agent needs an approved purpose before it can become active.
        </p>
      ) : (
        <div className="mb-4">
          <Table>
            <THead>
              <tr>
                <TH>Task</TH>
                <TH>Tools and systems</TH>
                <TH>Environments</TH>
                <TH>Status</TH>
                {canWrite || canApprove ? <TH>Actions</TH> : null}
              </tr>
            </THead>
            <TBody>
              {purposes.map((p) => (
                <TR key={p.id}>
                  <TD>{p.task}</TD>
                  <TD>{p.scope.join(', ')}</TD>
                  <TD>{p.environments.map((e) => labelOf(ENVIRONMENT, e)).join(', ')}</TD>
                  <TD>
                    <PurposeStatusBadge status={p.status} />
                  </TD>
                  {canWrite || canApprove ? (
                    <TD>
                      {p.status !== 'EXPIRED' ? (
                        <>
                          <PurposeActions
                            purposeId={p.id}
                            version={p.version}
                            canApprove={p.status === 'PENDING' && canApprove}
                            canExpire={canWrite}
                          />
                          {canWrite ? (
                            <Disclosure className="mt-1" small summary="Change this purpose">
                              <div className="mt-2 w-80">
                                <PurposeForm
                                  purpose={{
                                    id: p.id,
                                    version: p.version,
                                    task: p.task,
                                    scope: p.scope,
                                    environments: p.environments,
                                  }}
                                />
                              </div>
                            </Disclosure>
                          ) : null}
                        </>
                      ) : null}
                    </TD>
                  ) : null}
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      )}
      {canWrite && agent.status !== 'RETIRED' ? (
        <Disclosure summary="Add a purpose">
          <div className="mt-3 max-w-xl">
            <PurposeForm agentId={agent.id} />
          </div>
        </Disclosure>
      ) : null}
    </Section>
  );
}
