import { TriangleAlert } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { ListCount } from '@/components/data-table/list-count';
import { EmptyState } from '@/components/empty-state';
import { FindingsTable } from '@/components/findings/findings-table';
import { SecretAlarms } from '@/components/findings/secret-alarms';
import { FilterInput, FilterSelect } from '@/components/forms/filter-fields';
import { PageHeader } from '@/components/page-header';
import { PersonPicker } from '@/components/people/person-picker';
import { ReplicaNotice } from '@/components/system/replica-notice';
import { cn } from '@/components/ui/cn';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { FindingsQuerySchema, listFindings, type FindingsQuery } from '@/lib/policy/findings';
import { FRAMEWORKS } from '@/lib/policy/frameworks';
import { RULES } from '@/lib/policy/rules';
import { unattributedSecretAlarms } from '@/lib/secrets/alarms';
import { getPerson } from '@/lib/users/search';
import { CONTROL_PLANE, optionsOf, SEVERITY } from '@/lib/vocabulary';
import { FindingsAsOf } from '../_components/findings-as-of';

export const metadata: Metadata = { title: 'Findings' };

const KEYS = ['rule', 'severity', 'framework', 'plane', 'owner', 'agent'] as const;

function href(query: Partial<FindingsQuery>, change: Partial<FindingsQuery>) {
  const next = { ...query, ...change };
  const params = new URLSearchParams(KEYS.flatMap((k) => (next[k] ? [[k, String(next[k])]] : [])));
  return `/findings${params.size ? `?${params}` : ''}`;
}

export default async function FindingsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('findings.read', '/findings');
  const query = parseSearchParams(FindingsQuerySchema, await searchParams);
  const [{ findings, total, asOf, next, prev }, owner, alarms] = await Promise.all([
    listFindings(actor, query),
    query.owner === 'me' ? null : getPerson(actor, query.owner),
    can(actor, 'audit.read') ? unattributedSecretAlarms(actor) : [],
  ]);
  const mine = query.owner === 'me';
  const filtered = KEYS.some((k) => query[k] && !(k === 'owner' && mine));
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Findings"
        description={
          'What is wrong and who must fix it: every rule is checked against the registry in the database, each ' +
          'finding links to where it is fixed.'
        }
        actions={
          <span className="flex flex-wrap gap-3">
            {FRAMEWORKS.map((f) => (
              <Link
                key={f.id}
                href={`/findings/frameworks/${f.id}`}
                className="text-primary underline underline-offset-2"
              >
                {f.short}
              </Link>
            ))}
          </span>
        }
      />
      {query.agent ? null : <ReplicaNotice />}
      {query.agent ? null : (
        <FindingsAsOf asOf={asOf?.toISOString() ?? null} canRecompute={can(actor, 'findings.recompute')} />
      )}
      <nav aria-label="Whose findings" className="flex border-b">
        {[
          ['All', href(query, { owner: undefined })],
          ['Mine (agents I own or hold a plane of)', href(query, { owner: 'me' })],
        ].map(([label, link], i) => {
          const current = i === 1 ? mine : !mine;
          return (
            <Link
              key={label}
              href={link!}
              aria-current={current ? 'page' : undefined}
              className={cn(
                'border-b-2 px-3 py-2',
                current ? 'border-primary font-medium' : 'border-transparent text-muted-foreground',
              )}
            >
              {label}
            </Link>
          );
        })}
      </nav>
      <form action="/findings" className="flex flex-wrap items-end gap-3" aria-label="Filter findings">
        {mine ? <input type="hidden" name="owner" value="me" /> : null}
        <FilterSelect
          label="Rule"
          name="rule"
          defaultValue={query.rule ?? ''}
          options={RULES.map((r) => ({ value: r.id, label: r.title }))}
        />
        <FilterSelect
          label="Severity"
          name="severity"
          defaultValue={query.severity ?? ''}
          options={optionsOf(SEVERITY)}
        />
        <FilterSelect
          label="Framework"
          name="framework"
          defaultValue={query.framework ?? ''}
          options={FRAMEWORKS.map((f) => ({ value: f.id, label: f.short }))}
        />
        <FilterSelect label="Plane" name="plane" defaultValue={query.plane ?? ''} options={optionsOf(CONTROL_PLANE)} />
        {!mine ? (
          <PersonPicker name="owner" label="Owner" active="any" placeholder="Anyone" defaultValue={owner} />
        ) : null}
        <FilterInput label="Agent (slug)" name="agent" defaultValue={query.agent ?? ''} />
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
        {filtered ? (
          <Link
            href={href({}, { owner: mine ? 'me' : undefined })}
            className="pb-2 text-primary underline underline-offset-2"
          >
            Clear filters
          </Link>
        ) : null}
        <span className="ml-auto pb-2 text-muted-foreground">
          <ListCount total={total} noun="open finding" />
        </span>
      </form>
      <SecretAlarms alarms={alarms} />
      {findings.length === 0 ? (
        <EmptyState icon={TriangleAlert} title={filtered || mine ? 'No finding matches' : 'No open findings'}>
          {mine
            ? 'Nothing on the agents you own or hold a plane of breaks a policy rule.'
            : 'Every agent passes every rule. Findings appear here as soon as something drifts.'}
        </EmptyState>
      ) : (
        <>
          <FindingsTable findings={findings} caption="Open findings, most severe first" />
          <DataTablePagination shown={findings.length} size={query.size} next={next} prev={prev} />
        </>
      )}
    </div>
  );
}
