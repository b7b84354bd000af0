import { attachment, reportDownload } from '@/lib/http/framework-report';
import { oscalFile, reportFileName } from '@/lib/policy/report-files';

export const dynamic = 'force-dynamic';

/** A framework report as an OSCAL 1.0.4 assessment-results document. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return reportDownload(
    request,
    params,
    (report) => attachment(oscalFile(report), 'application/json', reportFileName(report, 'oscal-ar', 'json')),
    { signed: true },
  );
}
