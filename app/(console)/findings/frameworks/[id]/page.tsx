import { Download, Printer } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FilterInput } from '@/components/forms/filter-fields';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { SeverityBadge } from '@/components/vocabulary';
import { requirePageAccess } from '@/lib/auth';
import { Invalid } from '@/lib/errors';
import type { SearchParams } from '@/lib/http/search-params';
import { frameworkReport, parseAsOf } from '@/lib/policy/reports';

export const metadata: Metadata = { title: 'Framework report' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export default async function FrameworkReportPage({ params, searchParams }: Props) {
  const { id } = await params;
  const actor = await requirePageAccess('findings.read', `/findings/frameworks/${id}`);
  const asked = [(await searchParams).asOf].flat()[0] ?? '';
  let asOf: Date | null = null;
  let dateError: string | null = null;
  try {
    asOf = parseAsOf(asked);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    dateError = error.message;
  }
  const report = await frameworkReport(actor, id, { asOf });
  if (!report) notFound();
  const { framework, agentsInScope, controls } = report;
  const query = asOf ? `?asOf=${encodeURIComponent(asked)}` : '';
  return (
    <div className="flex flex-col gap-4">
      <div>
        <div className="text-xs text-muted-foreground print:hidden">
          <Link href="/findings" className="underline underline-offset-2">
            Findings
          </Link>
        </div>
        <h1 className="mt-1 text-xl font-semibold tracking-tight">{framework.name}</h1>
        <p className="mt-1 text-muted-foreground" data-testid="report-scope">
          {report.asOf ? (
            <>
              As of {report.asOf.at.toISOString().slice(0, 19).replace('T', ' ')} UTC, from the custody timeline up to
              event #{report.asOf.head?.seq.toString() ?? '0'}
              {report.asOf.head ? (
                <>
                  {' '}
                  (hash <code className="text-xs">{report.asOf.head.hash.slice(0, 16)}…</code>)
                </>
              ) : null}
              : {agentsInScope.toLocaleString('en')} agents registered and not retired then.{' '}
              {!report.asOf.historyFrom || report.asOf.historyFrom > report.asOf.at ? (
                <strong>
                  The findings’ history on the timeline begins{' '}
                  {report.asOf.historyFrom
                    ? report.asOf.historyFrom.toISOString().slice(0, 10)
                    : 'at the next findings sync'}
                  : before that, no finding is known.{' '}
                </strong>
              ) : null}
            </>
          ) : (
            <>
              {agentsInScope.toLocaleString('en')} agents in scope (every agent not retired), assessed{' '}
              {new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.{' '}
            </>
          )}
          Source:{' '}
          <a href={framework.source} className="underline underline-offset-2">
            {framework.source}
          </a>
        </p>
        <form className="mt-2 flex flex-wrap items-end gap-2 print:hidden" aria-label="Report as of a date">
          <FilterInput label="As of (end of day, UTC)" type="date" name="asOf" defaultValue={asOf ? asked : ''} />
          <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
            Show
          </button>
          {asOf ? (
            <Link
              href={`/findings/frameworks/${framework.id}`}
              className="pb-2 text-primary underline underline-offset-2"
            >
              Today
            </Link>
          ) : null}
          {dateError ? (
            <p role="alert" className="pb-2 text-danger">
              {dateError}
            </p>
          ) : null}
        </form>
        <div className="mt-2 flex gap-4 print:hidden">
          <a
            href={`/findings/frameworks/${framework.id}/export${query}`}
            className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
          >
            <Download aria-hidden className="size-4" /> CSV
          </a>
          <span className="inline-flex items-center gap-1 text-muted-foreground">
            <Printer aria-hidden className="size-4" /> Print this page for a paper copy: the navigation is left out.
          </span>
        </div>
      </div>
      <Table>
        <caption className="sr-only">Controls of {framework.name}</caption>
        <THead>
          <tr>
            <TH>Control</TH>
            <TH>Evidenced by</TH>
            <TH>Pass</TH>
            <TH>Fail</TH>
            <TH>Failing agents</TH>
          </tr>
        </THead>
        <TBody>
          {controls.map((c) => (
            <TR key={c.item.id} className="break-inside-avoid">
              <TD>
                <span className="font-mono text-xs">{c.item.id}</span>
                <span className="block">{c.item.name}</span>
              </TD>
              <TD>
                {c.rules.length === 0 ? (
                  <span className="text-muted-foreground">Not assessed by Custodian</span>
                ) : (
                  <ul className="flex flex-col gap-1">
                    {c.rules.map((r) => (
                      <li key={r.id} className="flex items-center gap-1">
                        <SeverityBadge severity={r.severity} />
                        <Link
                          href={`/findings?rule=${r.id}`}
                          className="underline decoration-muted-foreground/40 underline-offset-2"
                        >
                          {r.title}
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </TD>
              <TD className="tabular-nums">{c.passingAgents ?? '—'}</TD>
              <TD className="tabular-nums">
                {c.failingAgents === null ? (
                  '—'
                ) : c.failingAgents > 0 ? (
                  <Badge tone="danger">{c.failingAgents}</Badge>
                ) : (
                  0
                )}
              </TD>
              <TD>
                {c.failing.map((a, i) => (
                  <span key={a.slug}>
                    {i > 0 ? ', ' : ''}
                    <Link
                      href={`/agents/${a.slug}`}
                      className="underline decoration-muted-foreground/40 underline-offset-2"
                    >
                      {a.name}
                    </Link>
                  </span>
                ))}
                {c.failingAgents && c.failingAgents > c.failing.length ? (
                  <span className="text-muted-foreground"> and {c.failingAgents - c.failing.length} more</span>
                ) : null}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
