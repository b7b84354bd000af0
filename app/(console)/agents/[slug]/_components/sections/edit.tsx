import { AgentForm } from '@/components/agents/agent-form';
import { Section } from '@/components/section';
import { Disclosure } from '@/components/ui/disclosure';
import type { AgentSummary } from '@/lib/agents/queries';
import { updateAgentAction } from '../../../actions';

/** Name, description, kind, tier, environments, workload identity and cadence. */
export function EditSection({ agent }: { agent: AgentSummary }) {
  return (
    <Section title="Edit details" id="edit">
      <Disclosure summary="Edit name, description, kind, tier, environments">
        <div className="mt-3">
          <AgentForm
            action={updateAgentAction}
            values={{
              id: agent.id,
              version: agent.version,
              name: agent.name,
              description: agent.description,
              kind: agent.kind,
              workloadIdentity: agent.workloadIdentity,
              environments: agent.environments,
              riskTier: agent.riskTier,
              reviewCadenceDays: agent.reviewCadenceDays,
            }}
            submitLabel="Save changes"
          />
        </div>
      </Disclosure>
    </Section>
  );
}
