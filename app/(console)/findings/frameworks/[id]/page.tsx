import { Download, FileJson, FileSignature, Printer } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FilterInput } from '@/components/forms/filter-fields';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { SeverityBadge } from '@/components/vocabulary';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { Invalid } from '@/lib/errors';
import type { SearchParams } from '@/lib/http/search-params';
import { frameworkReport, parseAsOf, type CoverageState } from '@/lib/policy/reports';

export const metadata: Metadata = { title: 'Framework report' };

const STATE_LABEL: Record<CoverageState, string> = {
  assessed: 'Assessed',
  evidenced: 'Evidenced',
  outside: 'Outside Custodian',
};
const STATE_TONE: Record<CoverageState, BadgeTone> = { assessed: 'info', evidenced: 'success', outside: 'neutral' };
const day = (d: Date) => d.toISOString().slice(0, 10);

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export default async function FrameworkReportPage({ params, searchParams }: Props) {
  const { id } = await params;
  const actor = await requirePageAccess('findings.read', `/findings/frameworks/${id}`);
  const auditExport = can(actor, 'audit.export');
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
  // The OSCAL file and the summary describe one moment: today's page pins the one it was shown at.
  const pinned = `?asOf=${encodeURIComponent(asOf ? asked : report.at.toISOString())}`;
  const counts = { assessed: 0, evidenced: 0, outside: 0 };
  for (const c of controls) counts[c.state] += 1;
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
        <div className="mt-2 flex flex-wrap gap-4 print:hidden">
          <a
            href={`/findings/frameworks/${framework.id}/export${query}`}
            className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
          >
            <Download aria-hidden className="size-4" /> CSV
          </a>
          {auditExport ? (
            <>
              {' '}
              <a
                href={`/findings/frameworks/${framework.id}/oscal${pinned}`}
                className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
              >
                <FileJson aria-hidden className="size-4" /> OSCAL assessment results
              </a>
              <a
                href={`/findings/frameworks/${framework.id}/summary${pinned}`}
                className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
              >
                <FileSignature aria-hidden className="size-4" /> Signed summary
              </a>
            </>
          ) : null}
          <span className="inline-flex items-center gap-1 text-muted-foreground">
            <Printer aria-hidden className="size-4" /> Print this page for a paper copy: the navigation is left out.
          </span>
        </div>
        {auditExport ? (
          <p className="mt-1 text-xs text-muted-foreground print:hidden">
            The OSCAL file and the signed summary describe {asOf ? 'this date' : 'this moment'} from the custody
            timeline{asOf ? '' : ' (findings as of the last sync; the table and the CSV evaluate the rules live)'};
            check the summary offline with{' '}
            <code>
              npm run audit:verify -- --report &lt;summary&gt; --oscal &lt;oscal file&gt; --public-key &lt;pem&gt;
            </code>
            .
          </p>
        ) : null}
        <p className="mt-2" data-testid="coverage-summary">
          {counts.assessed} controls assessed by policy rules, {counts.evidenced} evidenced by Custodian’s processes
          (records from {day(report.evidenceWindow.from)} to {day(report.evidenceWindow.to)}), {counts.outside} outside
          Custodian.
        </p>
      </div>
      <Table>
        <caption className="sr-only">Controls of {framework.name}</caption>
        <THead>
          <tr>
            <TH>Control</TH>
            <TH>State</TH>
            <TH>How Custodian accounts for it</TH>
            <TH>Pass</TH>
            <TH>Fail</TH>
            <TH>Failing agents</TH>
          </tr>
        </THead>
        <TBody>
          {controls.map((c) => (
            <TR key={c.item.id} className="break-inside-avoid" data-testid="control-row">
              <TD>
                <span className="font-mono text-xs">{c.item.id}</span>
                <span className="block">{c.item.name}</span>
                {c.item.observes ? (
                  <span className="block text-xs text-muted-foreground">Observed here: {c.item.observes}</span>
                ) : null}
              </TD>
              <TD>
                <Badge tone={STATE_TONE[c.state]} data-testid="control-state">
                  {STATE_LABEL[c.state]}
                </Badge>
              </TD>
              <TD>
                {c.state === 'outside' ? (
                  <p className="max-w-prose">
                    {c.item.outside?.reason}
                    {c.item.outside?.helps ? (
                      <span className="block text-muted-foreground">What helps: {c.item.outside.helps}</span>
                    ) : null}
                  </p>
                ) : null}
                {c.rules.length > 0 ? (
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
                ) : null}
                {c.evidence.length > 0 ? (
                  <ul className="mt-1 flex flex-col gap-0.5 text-xs">
                    {c.evidence.map((e) => (
                      <li key={e.id} title={e.what}>
                        <Link href={e.href} className="underline decoration-muted-foreground/40 underline-offset-2">
                          {e.title}
                        </Link>
                        :{' '}
                        <span className="tabular-nums">
                          {e.count.toLocaleString('en')}
                          {e.capped ? '+' : ''}
                        </span>
                        {e.qualified ? (
                          <span className="text-muted-foreground">
                            {' '}
                            ({e.qualified.count.toLocaleString('en')} {e.qualified.label})
                          </span>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                ) : null}
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
