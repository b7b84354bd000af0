import { Badge } from '@/components/ui/badge';
import { StatusBadge } from '@/components/ui/status-badge';
import type { ReviewTrigger } from '@/lib/generated/prisma/enums';
import { localDay } from '@/lib/reviews/cadence';
import { labelOf, REVIEW_TRIGGER } from '@/lib/vocabulary';

export function TriggerBadges({ triggers }: { triggers: ReviewTrigger[] }) {
  return (
    <span className="flex flex-wrap gap-1">
      {triggers.map((t) => (
        <Badge key={t} tone={t === 'POST_INCIDENT' || t === 'OWNER_DEPARTED' ? 'warning' : 'neutral'}>
          {labelOf(REVIEW_TRIGGER, t)}
        </Badge>
      ))}
    </span>
  );
}

/** When an open review is due: overdue ones in red with the days overdue. */
export function DueBadge({ dueAt, daysOverdue, timeZone }: { dueAt: Date; daysOverdue: number; timeZone: string }) {
  const date = localDay(dueAt, timeZone);
  return daysOverdue > 0 ? (
    <StatusBadge
      spec={{
        tone: 'danger',
        label: `${daysOverdue} day${daysOverdue === 1 ? '' : 's'} overdue · ${date}`,
        icon: 'alarm-clock',
      }}
    />
  ) : (
    <StatusBadge spec={{ tone: 'neutral', label: `due ${date}`, icon: 'calendar-clock' }} />
  );
}
