import { KeyRound } from 'lucide-react';
import { EmptyState } from '@/components/empty-state';
import { Section } from '@/components/section';
import { Badge } from '@/components/ui/badge';
import { Disclosure } from '@/components/ui/disclosure';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { AgentSummary } from '@/lib/agents/queries';
import { canOnAgent, type Actor } from '@/lib/authz';
import { listAgentCredentials } from '@/lib/credentials/queries';
import { CREDENTIAL_KIND, CREDENTIAL_STORAGE, ENVIRONMENT, ISSUANCE, labelOf } from '@/lib/vocabulary';
import { CredentialActions, EditCredentialForm, IssueCredentialForm } from '../custody-controls';

/** Custody records: where each credential lives and how it is issued, never its value. */
export async function CredentialsSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const credentials = await listAgentCredentials(actor, agent.id);
  const canCustody = canOnAgent(actor, 'credential.write', agent.owner?.id ?? null);
  return (
    <Section title="Credentials" icon={KeyRound} id="credentials">
      {credentials.length === 0 ? (
        <EmptyState icon={KeyRound} title="No credentials recorded">
          Custody records (where each credential lives, how it is issued) appear here. Never the secret itself.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Name</TH>
              <TH>Kind</TH>
              <TH>Issuance</TH>
              <TH>Stored in</TH>
              <TH>Environment</TH>
              <TH>Covered by</TH>
              <TH>State</TH>
              {canCustody ? <TH>Record</TH> : null}
            </tr>
          </THead>
          <TBody>
            {credentials.map((c) => (
              <TR key={c.id}>
                <TD className="font-mono text-xs">{c.name}</TD>
                <TD>{labelOf(CREDENTIAL_KIND, c.kind)}</TD>
                <TD>
                  {labelOf(ISSUANCE, c.issuance)}
                  {c.gated ? <span className="block text-xs text-muted-foreground">Only through the gate</span> : null}
                </TD>
                <TD>{labelOf(CREDENTIAL_STORAGE, c.storage)}</TD>
                <TD>{labelOf(ENVIRONMENT, c.environment)}</TD>
                <TD data-testid={`covered-by-${c.name}`}>
                  {c.revokedAt ? (
                    <span className="text-muted-foreground">—</span>
                  ) : c.coveredBy ? (
                    <a href="#purposes" className="underline decoration-muted-foreground/40 underline-offset-2">
                      {c.coveredBy.task}
                    </a>
                  ) : (
                    <Badge tone="danger">No approved purpose</Badge>
                  )}
                  {c.scope ? <span className="block font-mono text-xs text-muted-foreground">{c.scope}</span> : null}
                </TD>
                <TD>{c.revokedAt ? <Badge>Revoked</Badge> : <Badge tone="success">In use</Badge>}</TD>
                {canCustody ? (
                  <TD>
                    {c.revokedAt ? null : (
                      <>
                        <CredentialActions credentialId={c.id} name={c.name} />
                        <Disclosure className="mt-1" small summary="Edit custody record">
                          <div className="mt-2">
                            <EditCredentialForm
                              credentialId={c.id}
                              version={c.version}
                              name={c.name}
                              defaults={{
                                storage: c.storage,
                                secretRef: c.secretRef ?? '',
                                scope: c.scope,
                                maxTtlSeconds: c.maxTtlSeconds?.toString() ?? '',
                                rotationPeriodDays: c.rotationPeriodDays?.toString() ?? '',
                                boundToWorkloadIdentity: c.boundToWorkloadIdentity,
                                privileged: c.privileged,
                                gated: c.gated,
                              }}
                            />
                          </div>
                        </Disclosure>
                      </>
                    )}
                  </TD>
                ) : null}
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      {canCustody && agent.status !== 'RETIRED' ? (
        <Disclosure className="mt-3" summary="Record an issued credential">
          <div className="mt-3">
            <IssueCredentialForm agentId={agent.id} />
          </div>
        </Disclosure>
      ) : null}
    </Section>
  );
}
