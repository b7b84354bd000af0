import { csvLine } from '@/lib/csv';
import { attachment, reportDownload } from '@/lib/http/framework-report';
import { evidenceText } from '@/lib/policy/evidence-text';
import { reportFileName } from '@/lib/policy/report-files';

export const dynamic = 'force-dynamic';

/** A framework report as CSV: one row per control, with its state, rules, counts and evidence. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return reportDownload(request, params, (report, asOf) => {
    const lines = [
      csvLine([
        'framework',
        'control_id',
        'control_name',
        'state',
        'rules',
        'agents_in_scope',
        'passing_agents',
        'failing_agents',
        'failing_agent_slugs_first_25',
        'evidence',
        'outside_reason',
        'as_of',
        'chain_head_seq',
      ]),
      ...report.controls.map((c) =>
        csvLine([
          report.framework.name,
          c.item.id,
          c.item.name,
          c.state,
          c.rules.map((r) => r.id).join(' '),
          String(report.agentsInScope),
          c.passingAgents === null ? '' : String(c.passingAgents),
          c.failingAgents === null ? '' : String(c.failingAgents),
          c.failing.map((a) => a.slug).join(' '),
          c.evidence.map(evidenceText).join('; '),
          c.state === 'outside' ? (c.item.outside?.reason ?? '') : '',
          report.at.toISOString(),
          report.asOf ? (report.asOf.head?.seq.toString() ?? '0') : '',
        ]),
      ),
    ];
    const name = asOf ? reportFileName(report, 'report', 'csv') : `${report.framework.id}-report.csv`;
    return attachment(lines.join(''), 'text/csv; charset=utf-8', name);
  });
}
