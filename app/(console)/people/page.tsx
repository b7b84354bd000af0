import { Contact } from 'lucide-react';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { labelOf, ROLE } from '@/lib/vocabulary';
import { listPeople } from '@/lib/users/queries';
import { PersonActions } from './_components/person-actions';

export const metadata: Metadata = { title: 'People' };

export default async function PeoplePage() {
  const actor = await requirePageAccess('user.read', '/people');
  const people = await listPeople(actor);
  const canManage = can(actor, 'user.manage');
  return (
    <>
      <PageHeader title="People" description="Everyone who can sign in, their roles, and what they own or control." />
      {people.length === 0 ? (
        <EmptyState icon={Contact} title="No people yet">People appear here when they first sign in.</EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Person</TH>
              <TH>Roles</TH>
              <TH>Status</TH>
              <TH className="text-right">Agents owned</TH>
              <TH className="text-right">Control planes held</TH>
              {canManage ? <TH>Manage</TH> : null}
            </tr>
          </THead>
          <TBody>
            {people.map((p) => (
              <TR key={p.id}>
                <TD>
                  <div className="font-medium">{p.name}</div>
                  <div className="text-xs text-muted-foreground">{p.email}</div>
                </TD>
                <TD>
                  <div className="flex flex-wrap gap-1">
                    {p.roles.length === 0 ? <span className="text-muted-foreground">No role</span> : null}
                    {p.roles.map((r) => (
                      <Badge key={r}>{labelOf(ROLE, r)}</Badge>
                    ))}
                  </div>
                </TD>
                <TD>{p.active ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Deactivated</Badge>}</TD>
                <TD className="text-right tabular-nums">{p.ownedAgents}</TD>
                <TD className="text-right tabular-nums">{p.controlledPlanes}</TD>
                {canManage ? (
                  <TD>
                    <PersonActions person={p} />
                  </TD>
                ) : null}
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
