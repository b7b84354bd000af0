import { Section } from '@/components/section';
import { listLifecycleMoves } from '@/lib/agents/lifecycle-facts';
import type { AgentSummary } from '@/lib/agents/queries';
import type { Actor } from '@/lib/authz';
import { StatusControl } from '../agent-controls';

/** The moves the lifecycle allows now, each with what blocks it. */
export async function LifecycleSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const moves = await listLifecycleMoves(actor, agent.id);
  return (
    <Section title="Lifecycle" id="lifecycle">
      <StatusControl agentId={agent.id} version={agent.version} moves={moves} />
    </Section>
  );
}
