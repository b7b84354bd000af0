'use client';

import { Download, Search, X } from 'lucide-react';
import { useState } from 'react';
import { useUrlState } from '@/components/data-table/use-url-state';
import { FilterSelect, type FilterOption } from '@/components/forms/filter-fields';
import { PersonPicker, type PickedPerson } from '@/components/people/person-picker';
import { Button, buttonVariants } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { AGENT_KIND, AGENT_STATUS, ENVIRONMENT, optionsOf, RISK_TIER } from '@/lib/vocabulary';

const FILTERS = [
  'q',
  'status',
  'riskTier',
  'environment',
  'kind',
  'owner',
  'inService',
  'ownershipIncomplete',
  'planeUnassigned',
  'orphaned',
  'reviewOverdue',
  'ready',
];

function Select({
  name,
  label: text,
  options,
  value,
  onChange,
}: {
  name: string;
  label: string;
  options: FilterOption[];
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <FilterSelect label={text} name={name} options={options} value={value} onChange={(e) => onChange(e.target.value)} />
  );
}

/** Search and filters; every change is written to the URL. */
export function AgentsToolbar({ owner }: { owner: PickedPerson | null }) {
  const { params, setParams } = useUrlState();
  const [q, setQ] = useState(params.get('q') ?? '');
  const active = FILTERS.some((f) => params.get(f));
  const flag = (name: string, text: string) => (
    <label className="flex items-center gap-1.5">
      <input
        type="checkbox"
        checked={params.get(name) === '1'}
        onChange={(e) => setParams({ [name]: e.target.checked ? '1' : null })}
      />
      {text}
    </label>
  );
  const exportHref = `/agents/export?${params.toString()}`;
  return (
    <div className="mb-3 flex flex-col gap-3 rounded-lg border bg-card p-3">
      <div className="flex flex-wrap items-end gap-3">
        <form
          role="search"
          aria-label="Search this list of agents"
          className="flex min-w-64 flex-1 flex-col gap-1 text-xs text-muted-foreground"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: q.trim() || null });
          }}
        >
          <label htmlFor="agents-q">Search name, slug, workload identity or owner</label>
          <div className="relative">
            <Search aria-hidden className="pointer-events-none absolute top-2.5 left-2.5 size-4" />
            <Input
              id="agents-q"
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              className="pl-8"
              placeholder="e.g. deploy, spiffe://…, Olivia"
            />
          </div>
        </form>
        <Select
          name="status"
          label="Status"
          value={params.get('status') ?? ''}
          onChange={(v) => setParams({ status: v })}
          options={optionsOf(AGENT_STATUS)}
        />
        <Select
          name="riskTier"
          label="Risk tier"
          value={params.get('riskTier') ?? ''}
          onChange={(v) => setParams({ riskTier: v })}
          options={optionsOf(RISK_TIER)}
        />
        <Select
          name="environment"
          label="Environment"
          value={params.get('environment') ?? ''}
          onChange={(v) => setParams({ environment: v })}
          options={optionsOf(ENVIRONMENT)}
        />
        <Select
          name="kind"
          label="Kind"
          value={params.get('kind') ?? ''}
          onChange={(v) => setParams({ kind: v })}
          options={optionsOf(AGENT_KIND)}
        />
        <Select
          name="ready"
          label="Ready for issuance"
          value={params.get('ready') ?? ''}
          onChange={(v) => setParams({ ready: v })}
          options={[
            { value: 'yes', label: 'Ready: the agent passes the gate’s agent-level rules' },
            { value: 'no', label: 'Not ready' },
          ]}
        />
        <PersonPicker
          key={params.get('owner') ?? ''}
          name="owner"
          label="Accountable owner"
          active="any"
          placeholder="Anyone"
          defaultValue={owner}
          onPick={(v) => setParams({ owner: v || null })}
        />
      </div>
      <div className="flex flex-wrap items-center gap-4">
        {flag('inService', 'In service (not retired)')}
        {flag('ownershipIncomplete', 'Ownership incomplete')}
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
