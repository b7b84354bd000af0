import { UsersRound } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { AgentStatusBadge } from '@/components/vocabulary';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { PersonCell } from '@/components/person-cell';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { listHoldings, listOwnershipMatrix } from '@/lib/ownership/queries';
import { getPeople } from '@/lib/users/search';
import { PersonPicker } from '@/components/people/person-picker';
import { BulkReassign } from './_components/bulk-reassign';

export const metadata: Metadata = { title: 'Ownership' };

type Props = { searchParams: Promise<Record<string, string | undefined>> };

export default async function OwnershipPage({ searchParams }: Props) {
  const actor = await requirePageAccess('agent.read', '/ownership');
  const params = await searchParams;
  const filter = { person: params.person || undefined, gaps: params.gaps === '1', after: params.after, before: params.before };
  const canAssign = can(actor, 'ownership.assign');
  const [{ rows, total, capped, next, prev }, named, holdings] = await Promise.all([
    listOwnershipMatrix(actor, filter),
    getPeople(actor, [filter.person, params.from]),
    canAssign && params.from ? listHoldings(actor, params.from) : Promise.resolve([]),
  ]);
  const pageHref = (cursor: Record<string, string>) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value && key !== 'after' && key !== 'before') query.set(key, value);
    for (const [key, value] of Object.entries(cursor)) query.set(key, value);
    return `/ownership?${query.toString()}`;
  };
  return (
    <>
      <PageHeader
        title="Ownership"
        description="Every agent in service, its accountable owner and who owns each control plane: IAM (identity lifecycle), PAM (privileged secret handling) and platform security (runtime enforcement)."
      />
      {canAssign ? (
        <Card className="mb-4">
          <CardHeader>
            <CardTitle>Bulk reassignment</CardTitle>
          </CardHeader>
          <CardContent>
            <BulkReassign from={named.find((p) => p.id === params.from) ?? null} holdings={holdings} />
          </CardContent>
        </Card>
      ) : null}
      <form className="mb-3 flex flex-wrap items-end gap-3" action="/ownership">
        <PersonPicker
          name="person"
          label="Person (owner or control owner)"
          active="any"
          placeholder="Anyone"
          defaultValue={named.find((p) => p.id === filter.person) ?? null}
        />
        <label className="flex items-center gap-1.5 pb-2">
          <input type="checkbox" name="gaps" value="1" defaultChecked={filter.gaps} /> Only gaps and inactive owners
        </label>
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
        <span className="pb-2 text-muted-foreground">
          {total.toLocaleString()}
          {capped ? '+' : ''} agents
        </span>
      </form>
      {rows.length === 0 ? (
        <EmptyState icon={UsersRound} title={filter.person || filter.gaps ? 'Nothing matches these filters' : 'No agents in service'}>
          {filter.person || filter.gaps ? 'No gaps here: every agent shown has an active owner on every plane.' : 'Register an agent to assign its owners.'}
        </EmptyState>
      ) : (
        <Table>
          <caption className="sr-only">Ownership matrix</caption>
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
                    <div className="flex flex-wrap items-center gap-2">
                      <Link href={`/agents/${row.slug}`} className="font-medium text-primary underline-offset-2 hover:underline">
                        {row.name}
                      </Link>
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
      {next || prev ? (
        <nav aria-label="Pagination" className="mt-3 flex justify-end gap-3">
          {prev ? <Link href={pageHref({})} className="text-primary underline underline-offset-2">First</Link> : null}
          {prev ? <Link href={pageHref({ before: prev })} className="text-primary underline underline-offset-2">Previous</Link> : null}
          {next ? <Link href={pageHref({ after: next })} className="text-primary underline underline-offset-2">Next</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
