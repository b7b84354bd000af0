import {
  Archive,
  Ban,
  BellOff,
  CheckCheck,
  CircleAlert,
  CircleCheck,
  CircleDashed,
  CirclePause,
  CircleSlash,
  CircleX,
  Clock,
  Flame,
  Gauge,
  Hourglass,
  Info,
  OctagonAlert,
  Scissors,
  ShieldAlert,
  ShieldCheck,
  TriangleAlert,
  Undo2,
  type LucideIcon,
} from 'lucide-react';
import type { BadgeTone } from '@/components/ui/badge';
import { StatusBadge, type StatusSpec } from '@/components/ui/status-badge';
import type {
  AgentStatus,
  DelegationStatus,
  ExceptionStatus,
  NotificationStatus,
  PurposeStatus,
  ReviewOutcome,
  RiskTier,
} from '@/lib/generated/prisma/enums';
import {
  AGENT_STATUS,
  DELEGATION_STATUS,
  EXCEPTION_STATUS,
  NOTIFICATION_STATUS,
  PURPOSE_STATUS,
  REVIEW_OUTCOME,
  RISK_TIER,
  SEVERITY,
  type Vocabulary,
} from '@/lib/vocabulary';

// The one colour language: each status value's tone and icon, beside its
// words in lib/vocabulary (never colour alone).
type Look = { tone: BadgeTone; icon: LucideIcon };

function specs<V extends string>(vocabulary: Vocabulary<V>, looks: Record<V, Look>): Record<V, StatusSpec> {
  return Object.fromEntries(
    (Object.keys(looks) as V[]).map((v) => [v, { ...looks[v], label: vocabulary[v].label }]),
  ) as Record<V, StatusSpec>;
}

export const AGENT_STATUS_SPECS = specs<AgentStatus>(AGENT_STATUS, {
  PROPOSED: { tone: 'info', icon: CircleDashed },
  ACTIVE: { tone: 'success', icon: CircleCheck },
  SUSPENDED: { tone: 'warning', icon: CirclePause },
  RETIRED: { tone: 'neutral', icon: CircleX },
});

export const RISK_TIER_SPECS = specs<RiskTier>(RISK_TIER, {
  LOW: { tone: 'neutral', icon: ShieldCheck },
  MEDIUM: { tone: 'info', icon: Gauge },
  HIGH: { tone: 'warning', icon: ShieldAlert },
  CRITICAL: { tone: 'danger', icon: Flame },
});

export const EXCEPTION_STATUS_SPECS = specs<ExceptionStatus>(EXCEPTION_STATUS, {
  PENDING: { tone: 'warning', icon: CircleDashed },
  APPROVED: { tone: 'success', icon: CircleCheck },
  REJECTED: { tone: 'danger', icon: CircleX },
  WITHDRAWN: { tone: 'neutral', icon: Undo2 },
  LAPSED: { tone: 'neutral', icon: Hourglass },
  EXPIRED: { tone: 'neutral', icon: Clock },
  REVOKED: { tone: 'danger', icon: CircleSlash },
});

export const NOTIFICATION_STATUS_SPECS = specs<NotificationStatus>(NOTIFICATION_STATUS, {
  PENDING: { tone: 'info', icon: Clock },
  SENT: { tone: 'success', icon: CheckCheck },
  DEAD: { tone: 'danger', icon: CircleX },
  SKIPPED: { tone: 'neutral', icon: BellOff },
});

export const DELEGATION_STATUS_SPECS = specs<DelegationStatus>(DELEGATION_STATUS, {
  PENDING: { tone: 'warning', icon: CircleDashed },
  APPROVED: { tone: 'success', icon: CircleCheck },
  REVOKED: { tone: 'danger', icon: CircleSlash },
  EXPIRED: { tone: 'neutral', icon: Clock },
});

export const PURPOSE_STATUS_SPECS = specs<PurposeStatus>(PURPOSE_STATUS, {
  PENDING: { tone: 'warning', icon: CircleDashed },
  APPROVED: { tone: 'success', icon: CircleCheck },
  EXPIRED: { tone: 'neutral', icon: Clock },
});

export const REVIEW_OUTCOME_SPECS = specs<ReviewOutcome>(REVIEW_OUTCOME, {
  CERTIFIED: { tone: 'success', icon: CircleCheck },
  SCOPE_REDUCED: { tone: 'info', icon: Scissors },
  SUSPENDED: { tone: 'warning', icon: Ban },
  RETIRED: { tone: 'neutral', icon: Archive },
});

export const SEVERITY_SPECS = specs<keyof typeof SEVERITY>(SEVERITY, {
  CRITICAL: { tone: 'danger', icon: OctagonAlert },
  HIGH: { tone: 'danger', icon: TriangleAlert },
  MEDIUM: { tone: 'warning', icon: CircleAlert },
  LOW: { tone: 'neutral', icon: Info },
});

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return <StatusBadge spec={AGENT_STATUS_SPECS[status]} />;
}

export function RiskTierBadge({ tier }: { tier: RiskTier }) {
  return <StatusBadge spec={RISK_TIER_SPECS[tier]} />;
}

export function ExceptionStatusBadge({ status }: { status: ExceptionStatus }) {
  return <StatusBadge spec={EXCEPTION_STATUS_SPECS[status]} />;
}

export function NotificationStatusBadge({ status }: { status: NotificationStatus }) {
  return <StatusBadge spec={NOTIFICATION_STATUS_SPECS[status]} />;
}

export function DelegationStatusBadge({ status }: { status: DelegationStatus }) {
  return <StatusBadge spec={DELEGATION_STATUS_SPECS[status]} />;
}

export function PurposeStatusBadge({ status }: { status: PurposeStatus }) {
  return <StatusBadge spec={PURPOSE_STATUS_SPECS[status]} />;
}

export function OutcomeBadge({ outcome }: { outcome: ReviewOutcome }) {
  return <StatusBadge spec={REVIEW_OUTCOME_SPECS[outcome]} />;
}

export function SeverityBadge({ severity }: { severity: keyof typeof SEVERITY }) {
  return <StatusBadge spec={SEVERITY_SPECS[severity]} />;
}
