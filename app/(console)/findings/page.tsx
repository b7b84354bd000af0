import type { Metadata } from 'next';
import Link from 'next/link';
import { AccessDenied } from '@/components/access-denied';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent } from '@/components/ui/card';
import { getPageAccess } from '@/lib/auth';
import { getPostureSummary } from '@/lib/dashboard/queries';
import { countAgentsWithUnclosedBreakGlass } from '@/lib/exceptions/approvers';

export const metadata: Metadata = { title: 'Findings' };

export default async function FindingsPage() {
  const { actor, denied } = await getPageAccess('findings.read', '/findings');
  if (denied) return <AccessDenied reason={denied} />;
  const [summary, unclosedBreakGlass] = await Promise.all([getPostureSummary(actor), countAgentsWithUnclosedBreakGlass()]);
  return (
    <>
      <PageHeader
        title="Findings"
        description="What is wrong right now and who must fix it. The policy rules and their framework mappings are not configured in this version; these ownership checks are computed today."
      />
      <Card>
        <CardContent>
          <ul className="divide-y">
            <li className="flex justify-between py-2">
              <Link href="/agents?orphaned=1" className="text-primary underline underline-offset-2">
                Agents with no, or an inactive, accountable or control owner
              </Link>
              <span className="tabular-nums">{summary.orphaned}</span>
            </li>
            <li className="flex justify-between py-2">
              <Link href="/agents?reviewOverdue=1" className="text-primary underline underline-offset-2">
                Agents whose review is overdue
              </Link>
              <span className="tabular-nums">{summary.reviewsOverdue}</span>
            </li>
            <li className="flex justify-between py-2">
              <Link href="/exceptions?tab=history&type=BREAK_GLASS" className="text-primary underline underline-offset-2">
                Agents whose break-glass ended without its credential being rotated
              </Link>
              <span className="tabular-nums">{unclosedBreakGlass}</span>
            </li>
          </ul>
        </CardContent>
      </Card>
    </>
  );
}
