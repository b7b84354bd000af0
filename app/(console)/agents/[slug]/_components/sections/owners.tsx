import { PersonCell } from '@/components/person-cell';
import { Section } from '@/components/section';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { AgentSummary } from '@/lib/agents/queries';
import { can, type Actor } from '@/lib/authz';
import { CONTROL_PLANE, valuesOf } from '@/lib/vocabulary';
import { AssignControl } from '../agent-controls';

/** The accountable owner and the owner of each control plane (read with the header; nothing more to load). */
export function OwnersSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const canAssign = can(actor, 'ownership.assign');
  return (
    <Section title="Owners" id="owners">
      <Table>
        <THead>
          <tr>
            <TH>Responsibility</TH>
            <TH>Person</TH>
            {canAssign ? <TH>Change</TH> : null}
          </tr>
        </THead>
        <TBody>
          <TR>
            <TD>
              <div className="font-medium">Accountable owner</div>
              <div className="text-xs text-muted-foreground">Answers for the agent and its access</div>
            </TD>
            <TD>
              <PersonCell person={agent.owner} missing="No owner" />
            </TD>
            {canAssign ? (
              <TD>
                <AssignControl
                  agentId={agent.id}
                  version={agent.version}
                  current={agent.owner}
                  label="accountable owner"
                />
              </TD>
            ) : null}
          </TR>
          {valuesOf(CONTROL_PLANE).map((plane) => {
            const holder = agent.planes[plane]?.user ?? null;
            return (
              <TR key={plane}>
                <TD>
                  <div className="font-medium">{CONTROL_PLANE[plane].label}</div>
                  <div className="text-xs text-muted-foreground">{CONTROL_PLANE[plane].description}</div>
                </TD>
                <TD>
                  <PersonCell person={holder} />
                </TD>
                {canAssign ? (
                  <TD>
                    <AssignControl
                      agentId={agent.id}
                      version={agent.version}
                      plane={plane}
                      current={holder}
                      label={`${CONTROL_PLANE[plane].label} owner`}
                    />
                  </TD>
                ) : null}
              </TR>
            );
          })}
        </TBody>
      </Table>
    </Section>
  );
}
