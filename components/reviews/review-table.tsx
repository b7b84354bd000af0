import Link from 'next/link';
import { RiskTierBadge } from '@/components/vocabulary';
import { PersonCell } from '@/components/person-cell';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { ReviewRow } from '@/lib/reviews/queries';
import { daysOverdue } from '@/lib/reviews/cadence';
import { OutcomeBadge } from '@/components/vocabulary';
import { DueBadge, TriggerBadges } from './review-badges';

/** Reviews as a table: open ones with when they fall due, completed ones with their outcome. */
export function ReviewTable({ rows, caption, timeZone, showCampaign = true }: { rows: ReviewRow[]; caption: string; timeZone: string; showCampaign?: boolean }) {
  const now = new Date();
  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <THead>
        <tr>
          <TH>Agent</TH>
          <TH>Why</TH>
          <TH>Owner</TH>
          <TH>Reviewer</TH>
          <TH>Due or outcome</TH>
          {showCampaign ? <TH>Campaign</TH> : null}
        </tr>
      </THead>
      <TBody>
        {rows.map((r) => {
          const overdue = r.completedAt ? 0 : daysOverdue(r.dueAt, now, timeZone);
          return (
            <TR key={r.id} className={overdue > 0 ? 'bg-danger/5' : undefined}>
              <TD>
                <Link href={`/reviews/${r.id}`} className="mr-2 font-medium text-primary underline-offset-2 hover:underline">
                  {r.agent.name}
                </Link>
                <RiskTierBadge tier={r.agent.riskTier} />
              </TD>
              <TD>
                <TriggerBadges triggers={r.triggers} />
              </TD>
              <TD>
                <PersonCell person={r.agent.owner} missing="No owner" />
              </TD>
              <TD>
                <PersonCell person={r.reviewer} missing="Unassigned" />
              </TD>
              <TD>
                {r.completedAt && r.outcome ? (
                  <span className="flex flex-wrap items-center gap-1">
                    <OutcomeBadge outcome={r.outcome} /> <RelativeTime value={r.completedAt} />
                  </span>
                ) : (
                  <DueBadge dueAt={r.dueAt} daysOverdue={overdue} timeZone={timeZone} />
                )}
              </TD>
              {showCampaign ? (
                <TD>
                  {r.campaign ? (
                    <Link href={`/reviews/campaigns/${r.campaign.id}`} className="underline decoration-muted-foreground/40 underline-offset-2">
                      {r.campaign.name}
                    </Link>
                  ) : (
                    <span className="text-muted-foreground">—</span>
                  )}
                </TD>
              ) : null}
            </TR>
          );
        })}
      </TBody>
    </Table>
  );
}
