import { getCurrentUser } from '@/lib/auth';
import { requirePermission } from '@/lib/authz';
import { NotFound } from '@/lib/errors';
import { frameworkReport, parseAsOf, type FrameworkReport } from '@/lib/policy/reports';
import { handleRoute } from './problem';

/**
 * A framework report download: the caller may read findings, the framework exists, the date is a past one. The OSCAL
 * file and the signed summary (`signed`) carry the chain head under the audit key's signature: they are audit
 * exports, as evidence packs are, and always describe a moment from the timeline (without a date, now), so files
 * downloaded from one page describe the same moment; the page pins it in its links.
 */
export function reportDownload(
  request: Request,
  params: Promise<{ id: string }>,
  respond: (report: FrameworkReport, asOf: Date | null) => Response,
  options: { signed?: boolean } = {},
) {
  return handleRoute(async () => {
    const actor = await getCurrentUser();
    requirePermission(actor, 'findings.read');
    if (options.signed) requirePermission(actor, 'audit.export');
    const { id } = await params;
    const asked = parseAsOf(new URL(request.url).searchParams.get('asOf'));
    const asOf = asked ?? (options.signed ? new Date() : null);
    const report = await frameworkReport(actor, id, { asOf });
    if (!report) throw new NotFound(`No framework ${id}.`);
    return respond(report, asOf);
  });
}

export function attachment(body: string, type: string, filename: string): Response {
  return new Response(body, {
    headers: {
      'content-type': type,
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}
