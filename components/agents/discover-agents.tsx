'use client';

import { CircleCheck, FileSearch } from 'lucide-react';
import Link from 'next/link';
import { useState, type ChangeEvent } from 'react';
import { FilterSelect, type FilterOption } from '@/components/forms/filter-fields';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { DiscoveryPlan, DiscoverySummary } from '@/lib/discovery/apply';
import type { DiscoveryAction } from '@/lib/discovery/plan';
import { ImportError, ImportProgress } from './import-feedback';
import { followProgress, postJson, problemOf } from './progress-stream';

type Action = DiscoveryAction;
type Plan = Omit<DiscoveryPlan, 'source'>;
type Summary = DiscoverySummary;

const OUTCOME: Record<Action, { label: string; tone: BadgeTone }> = {
  propose: { label: 'Propose agent', tone: 'success' },
  record: { label: 'Record custody', tone: 'info' },
  unchanged: { label: 'Already recorded', tone: 'neutral' },
  person: { label: 'Person: not proposed', tone: 'warning' },
  refused: { label: 'Error', tone: 'danger' },
};
const SOURCES: FilterOption[] = [
  { value: 'vault-audit', label: 'Vault audit log (JSON lines)' },
  { value: 'aws-credential-report', label: 'AWS IAM credential report (CSV)' },
];
const SHOWN = 200;
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** Discovery: choose a log, see what it would propose and record (a dry run), leave identities out, import. */
export function DiscoverAgents({ environments, tiers }: { environments: FilterOption[]; tiers: FilterOption[] }) {
  const [source, setSource] = useState(SOURCES[0]!.value);
  const [environment, setEnvironment] = useState('PROD');
  const [riskTier, setRiskTier] = useState('MEDIUM');
  const [file, setFile] = useState<string | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<'checking' | 'importing' | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);

  const rows = plan?.rows ?? [];
  const included = rows.filter((r) => !excluded.has(r.identity));
  const refused = included.filter((r) => r.action === 'refused');
  const toImport = included.filter((r) => r.action === 'propose' || r.action === 'record').length;

  async function check(text: string, options = { source, environment, riskTier }) {
    setBusy('checking');
    setError(null);
    setSummary(null);
    try {
      const response = await postJson('/agents/discover/check', { ...options, file: text });
      if (!response.ok) {
        setPlan(null);
        return setError(await problemOf(response));
      }
      setPlan((await response.json()) as Plan);
      setExcluded(new Set());
    } catch {
      setError('The check did not reach the server: try again.');
    } finally {
      setBusy(null);
    }
  }

  async function choose(chosen: File | undefined) {
    if (!chosen) return;
    const text = await chosen.text();
    setFile(text);
    await check(text);
  }

  /** A changed option re-checks the chosen file: the dry run always shows what importing would do. */
  function option(set: (v: string) => void, key: 'source' | 'environment' | 'riskTier') {
    return ({ target: { value } }: ChangeEvent<HTMLSelectElement>) => {
      set(value);
      if (file !== null) void check(file, { source, environment, riskTier, [key]: value });
    };
  }

  async function importFile() {
    if (file === null || !plan) return;
    setBusy('importing');
    setError(null);
    setProgress({ done: 0, total: toImport });
    try {
      await followProgress<Summary>(
        '/agents/discover/apply',
        {
          source,
          environment,
          riskTier,
          file,
          exclude: [...excluded],
          expect: Object.fromEntries(included.filter((r) => r.digest).map((r) => [r.identity, r.digest])),
        },
        {
          progress: (done, total) => setProgress({ done, total }),
          done: (result) => {
            setSummary(result);
            setPlan(null);
            setFile(null);
          },
          error: setError,
        },
      );
    } catch {
      setError('The connection dropped while importing: check the agents list, then check the file again.');
    } finally {
      setBusy(null);
    }
  }

  const skipped = Object.entries(plan?.skipped ?? {});
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <FilterSelect
          anyLabel={null}
          label="What the file is"
          value={source}
          options={SOURCES}
          onChange={option(setSource, 'source')}
        />
        <FilterSelect
          anyLabel={null}
          label="Its credentials are in"
          value={environment}
          options={environments}
          onChange={option(setEnvironment, 'environment')}
        />
        <FilterSelect
          anyLabel={null}
          label="Proposed agents start at"
          value={riskTier}
          options={tiers}
          onChange={option(setRiskTier, 'riskTier')}
        />
        <div className="flex flex-col gap-1">
          <label htmlFor="discover-file" className="text-sm font-medium">
            File
          </label>
          <Input
            id="discover-file"
            type="file"
            accept=".log,.json,.jsonl,.ndjson,.csv,.txt,application/json,text/csv,text/plain"
            disabled={busy !== null}
            onChange={(e) => void choose(e.target.files?.[0])}
          />
        </div>
        {busy === 'checking' ? (
          <p role="status" className="text-sm text-muted-foreground">
            Reading every line…
          </p>
        ) : null}
      </div>

      {error ? <ImportError message={error} /> : null}

      {progress && busy === 'importing' ? (
        <ImportProgress label="Discovery progress" verb="Imported" noun="identities" {...progress} />
      ) : null}

      {summary ? <Imported summary={summary} /> : null}

      {!plan && !summary && busy === null ? (
        <p className="text-sm text-muted-foreground">
          Choose what the file is, then the file: every line is read and nothing changes until you import. Agents nobody
          registered are proposed, without an owner, for you to assign.
        </p>
      ) : null}

      {plan ? (
        <>
          <p className="text-sm">
            {`${plan.entries.toLocaleString('en')} entries read: ${plan.summary.propose} to propose, ` +
              `${plan.summary.record} known agents to record custody on, ${plan.summary.unchanged} already recorded, ` +
              `${plan.summary.person} people (not proposed), ${plan.summary.refused} with errors, ` +
              `${excluded.size} left out.`}
          </p>
          {skipped.length > 0 ? (
            <p className="text-sm text-muted-foreground">
              Skipped: {skipped.map(([why, n]) => `${n.toLocaleString('en')} ${why}`).join('; ')}.
            </p>
          ) : null}
          <Table>
            <THead>
              <TR>
                <TH>Include</TH>
                <TH>Line</TH>
                <TH>Identity</TH>
                <TH>Outcome</TH>
                <TH>What was seen</TH>
                <TH>Custody</TH>
              </TR>
            </THead>
            <TBody>
              {rows.slice(0, SHOWN).map((r) => (
                <TR key={r.identity} className={excluded.has(r.identity) ? 'opacity-50' : undefined}>
                  <TD>
                    {r.action === 'propose' || r.action === 'record' || r.action === 'refused' ? (
                      <input
                        type="checkbox"
                        aria-label={`Include ${r.identity}`}
                        checked={!excluded.has(r.identity)}
                        onChange={(e) =>
                          setExcluded((previous) => {
                            const next = new Set(previous);
                            if (e.target.checked) next.delete(r.identity);
                            else next.add(r.identity);
                            return next;
                          })
                        }
                      />
                    ) : null}
                  </TD>
                  <TD className="tabular-nums">{r.line}</TD>
                  <TD className="max-w-xs font-mono text-xs break-all">
                    {r.identity}
                    {r.agent ? (
                      <div className="mt-1 font-sans text-muted-foreground">
                        {r.agent.id ? (
                          <Link className="underline" href={`/agents/${r.agent.slug}`}>
                            {r.agent.slug}
                          </Link>
                        ) : (
                          `new agent ${r.agent.slug}`
                        )}
                      </div>
                    ) : null}
                  </TD>
                  <TD>
                    <Badge tone={OUTCOME[r.action].tone}>{OUTCOME[r.action].label}</Badge>
                  </TD>
                  <TD className="max-w-md text-xs text-muted-foreground">
                    {r.requests > 0 ? (
                      <p>
                        {`${r.requests.toLocaleString('en')} ${r.requests === 1 ? 'use' : 'uses'}, ` +
                          `${when(r.firstSeen)} to ${when(r.lastSeen)}`}
                      </p>
                    ) : null}
                    {r.seenOn.length > 0 ? <p>On {r.seenOn.join(', ')}</p> : null}
                    {r.paths.length > 0 ? <p className="font-mono break-all">{r.paths.join(', ')}</p> : null}
                    {[...r.reasons, ...r.notes].map((n, i) => (
                      <p key={i} className={r.action === 'refused' && i === 0 ? 'text-danger' : undefined}>
                        {n}
                      </p>
                    ))}
                  </TD>
                  <TD className="text-xs">
                    {r.credentials.length > 0 ? (
                      <ul>
                        {r.credentials.map((c) => (
                          <li key={c.name} className="font-mono">
                            {c.name}
                            {c.new ? <span className="font-sans text-muted-foreground"> (new)</span> : null}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                    {r.action !== 'person' ? (
                      <p className="text-muted-foreground">
                        {`${r.events.new} ${r.events.new === 1 ? 'event' : 'events'} to record`}
                        {r.events.recorded > 0 ? `, ${r.events.recorded} recorded before` : ''}
                      </p>
                    ) : null}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          {rows.length > SHOWN ? (
            <p className="text-sm text-muted-foreground">
              Showing {SHOWN} of {rows.length.toLocaleString('en')} identities.
            </p>
          ) : null}
          <div className="flex flex-wrap items-center gap-3">
            <Button disabled={busy !== null || refused.length > 0 || toImport === 0} onClick={() => void importFile()}>
              <FileSearch aria-hidden /> Import {toImport.toLocaleString('en')}{' '}
              {toImport === 1 ? 'identity' : 'identities'}
            </Button>
            <span className="text-sm text-muted-foreground">
              {refused.length > 0
                ? `Leave out the ${refused.length === 1 ? 'identity' : `${refused.length} identities`} with errors:` +
                  ' nothing imports while one remains.'
                : toImport === 0
                  ? 'Nothing to import: everything in the file is recorded already.'
                  : 'Proposed agents have no owner until you assign one; events keep the times the file gives.'}
            </span>
          </div>
        </>
      ) : null}
    </div>
  );
}

function Imported({ summary }: { summary: Summary }) {
  return (
    <div role="status" className="flex flex-col gap-1 text-sm">
      <p className="inline-flex items-center gap-1 text-success">
        <CircleCheck aria-hidden className="size-4" />
        {`Imported: ${summary.proposed.length} agents proposed, ${summary.events.toLocaleString('en')} events and ` +
          `${summary.credentials} custody records recorded` +
          (summary.recordedOn ? ` (${summary.recordedOn} on agents already registered).` : '.')}
      </p>
      {summary.reviews > 0 ? (
        <p>
          {`${summary.reviews.toLocaleString('en')} ${summary.reviews === 1 ? "agent's review" : "agents' reviews"} ` +
            'opened for credentials recorded loose (privileged, or in production outside a vault or CI secret store): '}
          <Link className="underline" href="/reviews">
            see the reviews
          </Link>
          .
        </p>
      ) : null}
      {summary.findings > 0 ? (
        <p>
          {`${summary.findings.toLocaleString('en')} ${summary.findings === 1 ? 'finding is' : 'findings are'} ` +
            'open on ' +
            'these agents (a key past its rotation, a proposed agent already holding credentials…): '}
          <Link className="underline" href="/findings">
            see the findings
          </Link>
          .
        </p>
      ) : null}
      {summary.proposed.length > 0 ? (
        <>
          <p className="text-muted-foreground">
            Assign each an owner (and its control owners) before it can be active:
          </p>
          <ul className="list-disc pl-5">
            {summary.proposed.slice(0, 50).map((p) => (
              <li key={p.slug}>
                <Link className="underline" href={`/agents/${p.slug}`}>
                  {p.name}
                </Link>{' '}
                <span className="font-mono text-xs text-muted-foreground">{p.slug}</span>
              </li>
            ))}
          </ul>
          {summary.proposed.length > 50 ? (
            <Link className="underline" href="/agents?status=PROPOSED">
              See all {summary.proposed.length.toLocaleString('en')} proposed agents
            </Link>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
