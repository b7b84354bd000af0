import { ShieldAlert } from 'lucide-react';
import type { Metadata } from 'next';
import { AccessDenied } from '@/components/access-denied';
import { RiskTierBadge } from '@/components/agents/status-badges';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { getPageAccess } from '@/lib/auth';
import { listExceptions } from '@/lib/exceptions/queries';

export const metadata: Metadata = { title: 'Exceptions' };

export default async function ExceptionsPage() {
  const { actor, denied } = await getPageAccess('agent.read', '/exceptions');
  if (denied) return <AccessDenied reason={denied} />;
  const rows = await listExceptions(actor);
  return (
    <>
      <PageHeader
        title="Exceptions"
        description="Temporary, approved, time-bounded deviations from policy: break-glass, persistent tokens, cached secrets, broad scopes."
      />
      {rows.length === 0 ? (
        <EmptyState icon={ShieldAlert} title="No exceptions requested">
          When an agent needs to deviate from policy, its owner requests an exception and a PAM approver decides it.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Type</TH>
              <TH>Agent</TH>
              <TH>Status</TH>
              <TH>Requested by</TH>
              <TH>Expires</TH>
            </tr>
          </THead>
          <TBody>
            {rows.map((e) => (
              <TR key={e.id}>
                <TD>{e.type.replace('_', ' ').toLowerCase()}</TD>
                <TD>
                  <span className="mr-2 font-medium">{e.agent.name}</span>
                  <RiskTierBadge tier={e.agent.riskTier} />
                </TD>
                <TD>
                  <Badge tone={e.status === 'PENDING' ? 'warning' : e.status === 'APPROVED' ? 'success' : 'neutral'}>{e.status.toLowerCase()}</Badge>
                </TD>
                <TD>{e.requestedBy.name}</TD>
                <TD>
                  <RelativeTime value={e.expiresAt} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
