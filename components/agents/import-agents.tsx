'use client';

import { CircleCheck, FileUp, RefreshCw } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { ImportError, ImportProgress } from './import-feedback';
import { followProgress, postJson, problemOf } from './progress-stream';

type Action = 'create' | 'update' | 'unchanged' | 'needs-approval' | 'refused';
type Row = {
  line: number;
  slug: string;
  action: Action;
  changes: { field: string; from: unknown; to: unknown }[];
  reasons: string[];
  digest: string;
  spec: Record<string, unknown>;
};
type Summary = { created: number; updated: number; needsApproval: number; unchanged: number };

const OUTCOME: Record<Action, { label: string; tone: BadgeTone }> = {
  create: { label: 'Create', tone: 'success' },
  update: { label: 'Update', tone: 'info' },
  unchanged: { label: 'Unchanged', tone: 'neutral' },
  'needs-approval': { label: 'Needs approval', tone: 'warning' },
  refused: { label: 'Error', tone: 'danger' },
};
// The fields a row can be fixed in here; a YAML file's purposes and contact are fixed in the file.
const FIXABLE = [
  'slug',
  'name',
  'description',
  'kind',
  'environments',
  'riskTier',
  'workloadIdentity',
  'reviewCadenceDays',
  'owner',
];
const SHOWN = 200;

/** The bulk import: upload, a dry-run table to exclude or fix rows in, then apply with progress. */
export function ImportAgents() {
  const [rows, setRows] = useState<Row[]>([]);
  const [excluded, setExcluded] = useState<Set<number>>(new Set());
  const [edited, setEdited] = useState<Set<number>>(new Set());
  const [fixing, setFixing] = useState<number | null>(null);
  const [busy, setBusy] = useState<'checking' | 'applying' | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [filter, setFilter] = useState<'all' | 'refused' | 'changes'>('all');

  const included = rows.filter((r) => !excluded.has(r.line));
  const blocking = included.filter((r) => r.action === 'refused' || edited.has(r.line));
  const counts = Object.fromEntries(
    (Object.keys(OUTCOME) as Action[]).map((a) => [a, included.filter((r) => r.action === a).length]),
  ) as Record<Action, number>;
  const toApply = counts.create + counts.update + counts['needs-approval'];

  async function check(body: unknown) {
    setBusy('checking');
    setError(null);
    setSummary(null);
    try {
      const response = await postJson('/agents/import/check', body);
      if (!response.ok) return setError(await problemOf(response));
      const checked = ((await response.json()) as { rows: Row[] }).rows;
      // Rows left out keep their last check; the rest are as the server read them now.
      const byLine = new Map(checked.map((r) => [r.line, r]));
      setRows((previous) => ('rows' in (body as object) ? previous.map((r) => byLine.get(r.line) ?? r) : checked));
      if (!('rows' in (body as object))) setExcluded(new Set());
      setEdited(new Set());
      setFixing(null);
    } catch {
      setError('The check did not reach the server: try again.');
    } finally {
      setBusy(null);
    }
  }

  async function upload(file: File | undefined) {
    if (!file) return;
    const yaml = /\.ya?ml$/i.test(file.name);
    if (!yaml && !/\.csv$/i.test(file.name)) return setError('Choose a .csv, .yaml or .yml file.');
    setRows([]);
    await check({ format: yaml ? 'yaml' : 'csv', text: await file.text() });
  }

  async function apply() {
    setBusy('applying');
    setError(null);
    setProgress({ done: 0, total: toApply });
    try {
      await followProgress<Summary>(
        '/agents/import/apply',
        { rows: included.map((r) => ({ line: r.line, spec: r.spec, digest: r.digest })) },
        {
          progress: (done, total) => setProgress({ done, total }),
          done: (summary) => {
            setSummary(summary);
            setRows([]);
          },
          error: setError,
        },
      );
    } catch {
      setError('The connection dropped while applying: check the agents list, then check the file again.');
    } finally {
      setBusy(null);
    }
  }

  function fix(line: number, values: Record<string, string>) {
    setRows((previous) =>
      previous.map((r) => {
        if (r.line !== line) return r;
        const spec = { ...r.spec };
        for (const [key, value] of Object.entries(values)) {
          if (value.trim() === '') delete spec[key];
          else spec[key] = key === 'environments' ? value.split(/[;,]/).map((e) => e.trim()) : value.trim();
        }
        return { ...r, spec };
      }),
    );
    setEdited((previous) => new Set(previous).add(line));
    setFixing(null);
  }

  const visible = rows.filter((r) =>
    filter === 'refused' ? r.action === 'refused' : filter === 'changes' ? r.action !== 'unchanged' : true,
  );

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor="import-file" className="text-sm font-medium">
            File to import
          </label>
          <Input
            id="import-file"
            type="file"
            accept=".csv,.yaml,.yml,text/csv,application/yaml"
            disabled={busy !== null}
            onChange={(e) => void upload(e.target.files?.[0])}
          />
        </div>
        {busy === 'checking' ? (
          <p role="status" className="text-sm text-muted-foreground">
            Checking every row…
          </p>
        ) : null}
      </div>

      {error ? <ImportError message={error} /> : null}

      {progress && busy === 'applying' ? (
        <ImportProgress label="Import progress" verb="Applied" noun="rows" {...progress} />
      ) : null}

      {summary ? (
        <p role="status" className="inline-flex items-center gap-1 text-sm text-success">
          <CircleCheck aria-hidden className="size-4" />
          {summaryText(summary)}{' '}
          <Link className="underline" href="/agents?sort=createdAt&dir=desc">
            See the agents
          </Link>
        </p>
      ) : null}

      {rows.length === 0 && !summary && busy === null ? (
        <p className="text-sm text-muted-foreground">
          Choose a file to see what it would change. Start from the template below if you have none.
        </p>
      ) : null}

      {rows.length > 0 ? (
        <>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span>
              {`${rows.length.toLocaleString('en')} rows: ${counts.create} to create, ${counts.update} to update, `}
              {`${counts['needs-approval']} needing approval, ${counts.unchanged} unchanged, `}
              {`${counts.refused} with errors, ${excluded.size} excluded.`}
            </span>
            <label className="flex items-center gap-1">
              Show
              <select
                className="rounded-md border bg-background px-2 py-1"
                value={filter}
                onChange={(e) => setFilter(e.target.value as typeof filter)}
              >
                <option value="all">every row</option>
                <option value="refused">rows with errors</option>
                <option value="changes">rows that change something</option>
              </select>
            </label>
          </div>
          <Table>
            <THead>
              <TR>
                <TH>Include</TH>
                <TH>Line</TH>
                <TH>Slug</TH>
                <TH>Outcome</TH>
                <TH>What happens</TH>
                <TH>
                  <span className="sr-only">Fix</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {visible.slice(0, SHOWN).map((r) => (
                <ImportRow
                  key={r.line}
                  row={r}
                  excluded={excluded.has(r.line)}
                  edited={edited.has(r.line)}
                  fixing={fixing === r.line}
                  onExclude={(out) =>
                    setExcluded((previous) => {
                      const next = new Set(previous);
                      if (out) next.add(r.line);
                      else next.delete(r.line);
                      return next;
                    })
                  }
                  onFix={() => setFixing(fixing === r.line ? null : r.line)}
                  onSave={(values) => fix(r.line, values)}
                />
              ))}
            </TBody>
          </Table>
          {visible.length > SHOWN ? (
            <p className="text-sm text-muted-foreground">
              Showing {SHOWN} of {visible.length.toLocaleString('en')}: show only the rows with errors to fix them.
            </p>
          ) : null}
          <div className="flex flex-wrap items-center gap-3">
            {edited.size > 0 ? (
              <Button
                variant="outline"
                disabled={busy !== null}
                onClick={() => void check({ rows: included.map((r) => ({ line: r.line, spec: r.spec })) })}
              >
                <RefreshCw aria-hidden /> Check again
              </Button>
            ) : null}
            <Button disabled={busy !== null || blocking.length > 0 || toApply === 0} onClick={() => void apply()}>
              <FileUp aria-hidden /> Apply {toApply.toLocaleString('en')} {toApply === 1 ? 'row' : 'rows'}
            </Button>
            <span className="text-sm text-muted-foreground">
              {blocking.length > 0
                ? `Fix (then check again) or exclude the ${blocking.length === 1 ? 'row' : `${blocking.length} rows`}` +
                  ' with errors or unchecked fixes: nothing applies while one remains.'
                : toApply === 0
                  ? 'Nothing to apply: every included row is as the registry has it.'
                  : 'Rows apply in batches of 500; progress shows as each commits.'}
            </span>
          </div>
        </>
      ) : null}
    </div>
  );
}

function ImportRow({
  row,
  excluded,
  edited,
  fixing,
  onExclude,
  onFix,
  onSave,
}: {
  row: Row;
  excluded: boolean;
  edited: boolean;
  fixing: boolean;
  onExclude: (out: boolean) => void;
  onFix: () => void;
  onSave: (values: Record<string, string>) => void;
}) {
  const outcome = OUTCOME[row.action];
  const what =
    row.action === 'refused'
      ? row.reasons
      : [
          ...row.changes.map((c) => (c.from === null ? `${c.field}: ${String(c.to)}` : `${c.field} changes`)),
          ...row.reasons,
        ];
  return (
    <>
      <TR className={excluded ? 'opacity-50' : undefined}>
        <TD>
          <input
            type="checkbox"
            aria-label={`Include line ${row.line}`}
            checked={!excluded}
            onChange={(e) => onExclude(!e.target.checked)}
          />
        </TD>
        <TD className="tabular-nums">{row.line}</TD>
        <TD className="font-mono text-xs">{row.slug || '—'}</TD>
        <TD>
          <Badge tone={edited ? 'neutral' : outcome.tone}>{edited ? 'Edited: check again' : outcome.label}</Badge>
        </TD>
        <TD className="max-w-xl text-xs">
          {what.length > 0 ? (
            <ul className={row.action === 'refused' ? 'text-danger' : 'text-muted-foreground'}>
              {what.slice(0, 6).map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          ) : (
            <span className="text-muted-foreground">Nothing changes.</span>
          )}
        </TD>
        <TD>
          {row.action === 'refused' || edited ? (
            <Button size="sm" variant="ghost" onClick={onFix} aria-expanded={fixing}>
              Fix line {row.line}
            </Button>
          ) : null}
        </TD>
      </TR>
      {fixing ? (
        <TR>
          <TD colSpan={6}>
            <form
              className="grid grid-cols-1 gap-2 md:grid-cols-3"
              onSubmit={(e) => {
                e.preventDefault();
                const data = new FormData(e.currentTarget);
                onSave(Object.fromEntries(FIXABLE.map((k) => [k, String(data.get(k) ?? '')])));
              }}
            >
              {FIXABLE.map((key) => (
                <label key={key} className="flex flex-col gap-1 text-xs">
                  {`Line ${row.line} ${key}`}
                  <Input name={key} defaultValue={cellOf(row.spec[key])} />
                </label>
              ))}
              <div className="flex items-end">
                <Button type="submit" size="sm">
                  Save line {row.line}
                </Button>
              </div>
            </form>
          </TD>
        </TR>
      ) : null}
    </>
  );
}

const summaryText = (s: Summary) =>
  `Imported: ${s.created.toLocaleString('en')} created, ${s.updated.toLocaleString('en')} updated, ` +
  `${s.needsApproval.toLocaleString('en')} waiting for approval, ${s.unchanged.toLocaleString('en')} unchanged.`;

const cellOf = (value: unknown) =>
  Array.isArray(value) ? value.join('; ') : value === undefined || value === null ? '' : String(value);
