import type { Metadata } from 'next';
import { DiscoverAgents } from '@/components/agents/discover-agents';
import { PageHeader } from '@/components/page-header';
import { requirePageAccess } from '@/lib/auth';
import { ENVIRONMENT, RISK_TIER } from '@/lib/vocabulary';

export const metadata: Metadata = { title: 'Discover agents' };

const optionsOf = (vocabulary: Record<string, { label: string }>) =>
  Object.entries(vocabulary).map(([value, { label }]) => ({ value, label }));

export default async function DiscoverAgentsPage() {
  await requirePageAccess('discovery.import', '/agents/discover');
  return (
    <>
      <PageHeader
        title="Discover agents"
        description={
          'Find the agents nobody registered in the logs you already have: a Vault audit log or an AWS IAM ' +
          'credential report. Each identity is checked first; nothing changes until you import, and importing ' +
          'the same file again records nothing twice.'
        }
      />
      <DiscoverAgents environments={optionsOf(ENVIRONMENT)} tiers={optionsOf(RISK_TIER)} />
      <details className="mt-6 rounded-md border p-4 text-sm">
        <summary className="cursor-pointer font-medium">How a file is read</summary>
        <div className="mt-2 flex flex-col gap-2 text-muted-foreground">
          <p>
            <strong>Vault audit log</strong> (the file audit device’s JSON lines). Only successful responses count. The
            caller is a Kubernetes service account (<code>system:serviceaccount:NAMESPACE:NAME</code>), an AppRole (
            <code>vault-approle://ROLE</code>) or an identity entity (<code>vault-entity://ID</code>); a userpass or
            LDAP user is a person and is only reported. A dynamic secrets engine issuing (<code>creds/</code>,{' '}
            <code>issue/</code>, <code>sign/</code>, <code>sts/</code>) is a just-in-time credential issued; a KV read
            is a static credential kept in Vault, used. Nothing of the request or response data is kept, nor any{' '}
            <code>hmac-sha256:</code> value.
          </p>
          <p>
            <strong>AWS IAM credential report</strong> (<code>aws iam get-credential-report</code>, decoded to CSV). A
            user with a console password, and the root user, are people: reported, not proposed. Every other user is a
            workload, by its ARN; each active access key is a static custody record with its last rotation and last use,
            and a key past the rotation policy is a finding.
          </p>
          <p>
            From the command line: <code>npm run discover -- vault-audit audit.log</code> (a dry run;{' '}
            <code>--apply</code> imports) with a <code>discovery:import</code> token in <code>CUSTODIAN_TOKEN</code>.
          </p>
        </div>
      </details>
    </>
  );
}
