import { iterateAgents } from '@/lib/agents/list';
import { parseAgentListQuery } from '@/lib/agents/schema';
import { getCurrentUser } from '@/lib/auth';
import { requirePermission } from '@/lib/authz';
import { csvLine } from '@/lib/csv';
import { handleRoute } from '@/lib/http/problem';
import { AGENT_KIND, AGENT_STATUS, ENVIRONMENT, labelOf, RISK_TIER } from '@/lib/vocabulary';

export const dynamic = 'force-dynamic';

const HEADER = [
  'slug',
  'name',
  'status',
  'risk_tier',
  'kind',
  'environments',
  'workload_identity',
  'owner',
  'owner_active',
  'control_planes_assigned',
  'next_review_due',
  'registered_at',
  'ready_for_issuance',
];

/** Every agent matching the list's filters as CSV, streamed a batch at a time. */
export function GET(request: Request) {
  return handleRoute(async () => {
    const actor = await getCurrentUser();
    requirePermission(actor, 'agent.read');
    const query = parseAgentListQuery(Object.fromEntries(new URL(request.url).searchParams));
    const encoder = new TextEncoder();
    const rows = iterateAgents(actor, query);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(csvLine(HEADER)));
      },
      async pull(controller) {
        const next = await rows.next();
        if (next.done) return controller.close();
        controller.enqueue(
          encoder.encode(
            next.value
              .map((a) =>
                csvLine([
                  a.slug,
                  a.name,
                  labelOf(AGENT_STATUS, a.status),
                  labelOf(RISK_TIER, a.riskTier),
                  labelOf(AGENT_KIND, a.kind),
                  a.environments.map((e) => labelOf(ENVIRONMENT, e)).join('; '),
                  a.workloadIdentity ?? '',
                  a.owner?.name ?? '',
                  a.owner ? String(a.owner.active) : '',
                  String(a.planesAssigned),
                  a.nextReviewDue?.toISOString() ?? '',
                  a.createdAt.toISOString(),
                  String(a.ready),
                ]),
              )
              .join(''),
          ),
        );
      },
    });
    return new Response(stream, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="agents-${new Date().toISOString().slice(0, 10)}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
