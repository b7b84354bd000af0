import { UsersRound } from 'lucide-react';
import type { Metadata } from 'next';
import { AccessDenied } from '@/components/access-denied';
import { AgentStatusBadge } from '@/components/agents/status-badges';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { PersonCell } from '@/components/person-cell';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { getPageAccess } from '@/lib/auth';
import { listOwnershipMatrix } from '@/lib/ownership/queries';

export const metadata: Metadata = { title: 'Ownership' };

export default async function OwnershipPage() {
  const { actor, denied } = await getPageAccess('agent.read', '/ownership');
  if (denied) return <AccessDenied reason={denied} />;
  const rows = await listOwnershipMatrix(actor);
  return (
    <>
      <PageHeader
        title="Ownership"
        description="Every agent in service, its accountable owner and who owns each control plane: IAM (identity lifecycle), PAM (privileged secret handling) and platform security (runtime enforcement)."
      />
      {rows.length === 0 ? (
        <EmptyState icon={UsersRound} title="No agents in service">
          Register an agent to assign its owners.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Agent</TH>
              <TH>Accountable owner</TH>
              <TH>IAM</TH>
              <TH>PAM</TH>
              <TH>Platform security</TH>
            </tr>
          </THead>
          <TBody>
            {rows.map((row) => {
              const holders = [row.planes.IAM?.id, row.planes.PAM?.id, row.planes.PLATFORM?.id];
              const onePersonHoldsAll = holders[0] !== undefined && holders.every((h) => h === holders[0]);
              return (
                <TR key={row.id}>
                  <TD>
                    <div className="flex items-center gap-2">
                      <span className="font-medium">{row.name}</span>
                      <AgentStatusBadge status={row.status} />
                      {onePersonHoldsAll ? <Badge tone="warning">One person holds all planes</Badge> : null}
                    </div>
                    <div className="font-mono text-xs text-muted-foreground">{row.slug}</div>
                  </TD>
                  <TD>
                    <PersonCell person={row.owner} missing="No owner" />
                  </TD>
                  <TD>
                    <PersonCell person={row.planes.IAM} />
                  </TD>
                  <TD>
                    <PersonCell person={row.planes.PAM} />
                  </TD>
                  <TD>
                    <PersonCell person={row.planes.PLATFORM} />
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </>
  );
}
