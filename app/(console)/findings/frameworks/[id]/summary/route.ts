import { attachment, reportDownload } from '@/lib/http/framework-report';
import { reportFileName, signedSummaryFile } from '@/lib/policy/report-files';

export const dynamic = 'force-dynamic';

/** A framework report's summary signed with the audit key: `npm run audit:verify -- --report` checks it offline. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return reportDownload(
    request,
    params,
    (report) => attachment(signedSummaryFile(report), 'application/json', reportFileName(report, 'summary', 'json')),
    { signed: true },
  );
}
