import { AlarmClock, CalendarClock, CircleCheck, Ban, Archive, Scissors } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { StatusBadge, type StatusSpec } from '@/components/ui/status-badge';
import type { ReviewOutcome, ReviewTrigger } from '@/lib/generated/prisma/enums';
import { localDay } from '@/lib/reviews/cadence';

const TRIGGER_LABELS: Record<ReviewTrigger, string> = {
  SCHEDULED: 'scheduled',
  PURPOSE_CHANGED: 'purpose changed',
  TOOLSET_CHANGED: 'tools changed',
  ENVIRONMENT_CHANGED: 'environments changed',
  OWNER_CHANGED: 'owner changed',
  OWNER_DEPARTED: 'owner departed',
  POST_INCIDENT: 'post-incident',
  CAMPAIGN: 'campaign',
};

export function TriggerBadges({ triggers }: { triggers: ReviewTrigger[] }) {
  return (
    <span className="flex flex-wrap gap-1">
      {triggers.map((t) => (
        <Badge key={t} tone={t === 'POST_INCIDENT' || t === 'OWNER_DEPARTED' ? 'warning' : 'neutral'}>
          {TRIGGER_LABELS[t]}
        </Badge>
      ))}
    </span>
  );
}

export const OUTCOME_SPECS: Record<ReviewOutcome, StatusSpec> = {
  CERTIFIED: { tone: 'success', label: 'Certified', icon: CircleCheck },
  SCOPE_REDUCED: { tone: 'info', label: 'Scope reduced', icon: Scissors },
  SUSPENDED: { tone: 'warning', label: 'Suspended', icon: Ban },
  RETIRED: { tone: 'neutral', label: 'Retired', icon: Archive },
};

export function OutcomeBadge({ outcome }: { outcome: ReviewOutcome }) {
  return <StatusBadge spec={OUTCOME_SPECS[outcome]} />;
}

/** When an open review is due: overdue ones in red with the days overdue. */
export function DueBadge({ dueAt, daysOverdue, timeZone }: { dueAt: Date; daysOverdue: number; timeZone: string }) {
  const date = localDay(dueAt, timeZone);
  return daysOverdue > 0 ? (
    <StatusBadge spec={{ tone: 'danger', label: `${daysOverdue} day${daysOverdue === 1 ? '' : 's'} overdue · ${date}`, icon: AlarmClock }} />
  ) : (
    <StatusBadge spec={{ tone: 'neutral', label: `due ${date}`, icon: CalendarClock }} />
  );
}
