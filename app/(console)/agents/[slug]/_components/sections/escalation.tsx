import { EscalationContactCard } from '@/components/agents/escalation-contact';
import { Section } from '@/components/section';
import { Disclosure } from '@/components/ui/disclosure';
import type { AgentSummary } from '@/lib/agents/queries';
import { canOnAgent, type Actor } from '@/lib/authz';
import { getEscalationContact } from '@/lib/escalation/queries';
import { needsEscalation } from '@/lib/escalation/rules';
import { ClearEscalation, EscalationForm } from '../escalation-form';

/** Who is paged when the agent misbehaves, and how; HIGH and CRITICAL agents go into service only with one. */
export async function EscalationSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const contact = await getEscalationContact(actor, agent.id);
  const canWrite = canOnAgent(actor, 'agent.write', agent.owner?.id ?? null);
  return (
    <Section title="Escalation" id="escalation">
      <EscalationContactCard contact={contact} required={needsEscalation(agent.riskTier)} />
      {canWrite ? (
        <Disclosure className="mt-3" summary={contact ? 'Change the escalation contact' : 'Set an escalation contact'}>
          <div className="mt-3 flex flex-col gap-3">
            <EscalationForm
              agentId={agent.id}
              version={agent.version}
              contact={
                contact
                  ? {
                      name: contact.name,
                      person: contact.user,
                      email: contact.email,
                      phone: contact.phone,
                      pagerUrl: contact.pagerUrl,
                      coverage: contact.coverage,
                    }
                  : null
              }
            />
            {contact ? <ClearEscalation agentId={agent.id} version={agent.version} /> : null}
          </div>
        </Disclosure>
      ) : null}
    </Section>
  );
}
