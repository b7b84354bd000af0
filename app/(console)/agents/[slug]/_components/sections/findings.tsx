import { TriangleAlert } from 'lucide-react';
import { FindingsTable } from '@/components/findings/findings-table';
import { Section } from '@/components/section';
import type { AgentSummary } from '@/lib/agents/queries';
import type { Actor } from '@/lib/authz';
import { listFindings } from '@/lib/policy/findings';

/** This agent's findings, evaluated live (not from the periodic sync). */
export async function FindingsSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const findings = await listFindings(actor, { agent: agent.slug });
  return (
    <Section title={`Findings (${findings.total})`} icon={TriangleAlert} id="findings">
      {findings.total === 0 ? (
        <p className="text-muted-foreground">This agent passes every policy rule.</p>
      ) : (
        <FindingsTable findings={findings.findings} caption={`Open findings of ${agent.name}`} showAgent={false} />
      )}
    </Section>
  );
}
