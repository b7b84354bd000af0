import { Section } from '@/components/section';
import type { AgentSummary } from '@/lib/agents/queries';
import type { Actor } from '@/lib/authz';
import { CHAIN_RULES } from '@/lib/issuance/chain';
import { getDryRunChoices } from '@/lib/issuance/queries';
import { ISSUANCE_RULES } from '@/lib/issuance/rules';
import { IssuanceDryRun } from '../issuance-dry-run';

const ANCHORS = Object.fromEntries([...ISSUANCE_RULES, ...CHAIN_RULES].map((r) => [r.id, r.anchor]));

/** "Would it be allowed?": the issuance gate's answer for a credential, task and environment, nothing recorded. */
export async function IssuanceSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const { credentials, tasks } = await getDryRunChoices(actor, agent.id);
  return (
    <Section title="Issuance gate" id="issuance">
      <p className="mb-3 max-w-3xl text-sm text-muted-foreground">
        Brokers ask <span className="font-mono text-xs">POST /api/v1/decisions</span> before they issue this agent a
        credential. Ask the same question here: the answer lists every rule that fails and how to fix it. Nothing is
        recorded.
      </p>
      <IssuanceDryRun
        agentId={agent.id}
        credentials={credentials}
        tasks={tasks}
        environments={agent.environments}
        anchors={ANCHORS}
      />
    </Section>
  );
}
