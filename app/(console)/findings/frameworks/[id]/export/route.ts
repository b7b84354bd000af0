import { getCurrentUser } from '@/lib/auth';
import { requirePermission } from '@/lib/authz';
import { csvLine } from '@/lib/csv';
import { NotFound } from '@/lib/errors';
import { handleRoute } from '@/lib/http/problem';
import { frameworkReport, parseAsOf } from '@/lib/policy/reports';

export const dynamic = 'force-dynamic';

/** A framework report as CSV: one row per control. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleRoute(async () => {
    const actor = await getCurrentUser();
    requirePermission(actor, 'findings.read');
    const { id } = await params;
    const asOf = parseAsOf(new URL(request.url).searchParams.get('asOf'));
    const report = await frameworkReport(actor, id, { asOf });
    const describes = (report?.asOf?.at ?? new Date()).toISOString();
    if (!report) throw new NotFound(`No framework ${id}.`);
    const lines = [
      csvLine([
        'framework',
        'control_id',
        'control_name',
        'rules',
        'agents_in_scope',
        'passing_agents',
        'failing_agents',
        'failing_agent_slugs_first_25',
        'as_of',
        'chain_head_seq',
      ]),
      ...report.controls.map((c) =>
        csvLine([
          report.framework.name,
          c.item.id,
          c.item.name,
          c.rules.map((r) => r.id).join(' '),
          String(report.agentsInScope),
          c.passingAgents === null ? 'not assessed' : String(c.passingAgents),
          c.failingAgents === null ? 'not assessed' : String(c.failingAgents),
          c.failing.map((a) => a.slug).join(' '),
          describes,
          report.asOf ? (report.asOf.head?.seq.toString() ?? '0') : '',
        ]),
      ),
    ];
    const suffix = asOf ? `-as-of-${asOf.toISOString().slice(0, 10)}` : '';
    return new Response(lines.join(''), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${report.framework.id}-report${suffix}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
