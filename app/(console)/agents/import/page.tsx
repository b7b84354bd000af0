import type { Metadata } from 'next';
import { ImportAgents } from '@/components/agents/import-agents';
import { PageHeader } from '@/components/page-header';
import { requirePageAccess } from '@/lib/auth';
import { CSV_COLUMNS } from '@/lib/registry/spec';

export const metadata: Metadata = { title: 'Import agents' };

const COLUMN_NOTES: Record<(typeof CSV_COLUMNS)[number], string> = {
  slug: 'Required. The agent’s unique name: lower-case letters, digits and hyphens. An existing slug updates it.',
  name: 'Required. What people call it.',
  description: 'What it does.',
  kind: 'Required. Coding agent, CI agent, Support agent, Data pipeline, Research agent, Ops agent or Other.',
  environments: 'Required. Development, Staging and/or Production, separated by ;.',
  risk_tier: 'Required. Low, Medium, High or Critical.',
  workload_identity: 'The identity it presents, e.g. spiffe://example.com/agents/deploy-bot.',
  review_cadence_days: 'Days between reviews, when not the tier’s cadence.',
  owner: 'The accountable owner’s e-mail (a security lead names anyone; an owner imports their own agents).',
  iam_owner: 'E-mail of who owns its IAM control plane (security leads only).',
  pam_owner: 'E-mail of who owns its PAM control plane (security leads only).',
  platform_owner: 'E-mail of who owns its platform security (security leads only).',
};

export default async function ImportAgentsPage() {
  await requirePageAccess('agent.write', '/agents/import');
  return (
    <>
      <PageHeader
        title="Import agents"
        description={
          'Upload a CSV or a custodian.yaml file. Every row is checked first and nothing changes until you apply; ' +
          'a row that loosens a control (a lower tier, production added) waits for a second person.'
        }
      />
      <ImportAgents />
      <details className="mt-6 rounded-md border p-4 text-sm">
        <summary className="cursor-pointer font-medium">The CSV columns</summary>
        <p className="mt-2 text-muted-foreground">
          The first row names the columns, in any order. Empty cells leave an existing agent’s value as it is.{' '}
          <a className="underline" href="/agents/import/template" download>
            Download the template
          </a>
          . A YAML file follows <code>examples/custodian.yaml</code> and may also carry purposes and an escalation
          contact.
        </p>
        <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
          {CSV_COLUMNS.map((c) => (
            <div key={c} className="contents">
              <dt>
                <code>{c}</code>
              </dt>
              <dd className="text-muted-foreground">{COLUMN_NOTES[c]}</dd>
            </div>
          ))}
        </dl>
      </details>
    </>
  );
}
