'use client';

import { Download, Search, X } from 'lucide-react';
import { useState } from 'react';
import { useUrlState } from '@/components/data-table/use-url-state';
import { Button, buttonVariants } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { AGENT_KINDS, AGENT_STATUSES, ENVIRONMENTS, RISK_TIERS } from '@/lib/agents/schema';
import { FilterSelect, type FilterOption } from '@/components/forms/filter-fields';

const FILTERS = ['q', 'status', 'riskTier', 'environment', 'kind', 'owner', 'planeUnassigned', 'orphaned', 'reviewOverdue'];
const label = (v: string) => v.charAt(0) + v.slice(1).toLowerCase().replace('_', ' ');

function Select({ name, label: text, options, value, onChange }: { name: string; label: string; options: FilterOption[]; value: string; onChange: (v: string) => void }) {
  return <FilterSelect label={text} name={name} options={options} value={value} onChange={(e) => onChange(e.target.value)} />;
}

/** Search and filters; every change is written to the URL. */
export function AgentsToolbar({ people }: { people: { id: string; name: string | null }[] }) {
  const { params, setParams } = useUrlState();
  const [q, setQ] = useState(params.get('q') ?? '');
  const active = FILTERS.some((f) => params.get(f));
  const flag = (name: string, text: string) => (
    <label className="flex items-center gap-1.5">
      <input type="checkbox" checked={params.get(name) === '1'} onChange={(e) => setParams({ [name]: e.target.checked ? '1' : null })} />
      {text}
    </label>
  );
  const exportHref = `/agents/export?${params.toString()}`;
  return (
    <div className="mb-3 flex flex-col gap-3 rounded-lg border bg-card p-3">
      <div className="flex flex-wrap items-end gap-3">
        <form
          role="search"
          className="flex min-w-64 flex-1 flex-col gap-1 text-xs text-muted-foreground"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: q.trim() || null });
          }}
        >
          <label htmlFor="agents-q">Search name, slug, workload identity or owner</label>
          <div className="relative">
            <Search aria-hidden className="pointer-events-none absolute top-2.5 left-2.5 size-4" />
            <Input id="agents-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} className="pl-8" placeholder="e.g. deploy, spiffe://…, Olivia" />
          </div>
        </form>
        <Select name="status" label="Status" value={params.get('status') ?? ''} onChange={(v) => setParams({ status: v })} options={AGENT_STATUSES.map((s) => ({ value: s, label: label(s) }))} />
        <Select name="riskTier" label="Risk tier" value={params.get('riskTier') ?? ''} onChange={(v) => setParams({ riskTier: v })} options={RISK_TIERS.map((s) => ({ value: s, label: label(s) }))} />
        <Select name="environment" label="Environment" value={params.get('environment') ?? ''} onChange={(v) => setParams({ environment: v })} options={ENVIRONMENTS.map((s) => ({ value: s, label: label(s) }))} />
        <Select name="kind" label="Kind" value={params.get('kind') ?? ''} onChange={(v) => setParams({ kind: v })} options={AGENT_KINDS.map((s) => ({ value: s, label: label(s) }))} />
        <Select name="owner" label="Accountable owner" value={params.get('owner') ?? ''} onChange={(v) => setParams({ owner: v })} options={people.map((p) => ({ value: p.id, label: p.name ?? p.id }))} />
      </div>
      <div className="flex flex-wrap items-center gap-4">
        {flag('planeUnassigned', 'A control plane unassigned')}
        {flag('orphaned', 'Orphaned')}
        {flag('reviewOverdue', 'Review overdue')}
        <div className="ml-auto flex items-center gap-2">
          {active ? (
            <Button
              variant="ghost"
              size="sm"
              onClick={() => {
                setQ('');
                setParams(Object.fromEntries(FILTERS.map((f) => [f, null])));
              }}
            >
              <X aria-hidden /> Clear filters
            </Button>
          ) : null}
          <a href={exportHref} className={buttonVariants({ variant: 'outline', size: 'sm' })} download>
            <Download aria-hidden /> Export CSV
          </a>
        </div>
      </div>
    </div>
  );
}
