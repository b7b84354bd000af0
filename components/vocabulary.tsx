import type { BadgeTone } from '@/components/ui/badge';
import type { SpriteIconName } from '@/components/ui/sprite-icons';
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
type Look = { tone: BadgeTone; icon: SpriteIconName };

function specs<V extends string>(vocabulary: Vocabulary<V>, looks: Record<V, Look>): Record<V, StatusSpec> {
  return Object.fromEntries(
    (Object.keys(looks) as V[]).map((v) => [v, { ...looks[v], label: vocabulary[v].label }]),
  ) as Record<V, StatusSpec>;
}

export const AGENT_STATUS_SPECS = specs<AgentStatus>(AGENT_STATUS, {
  PROPOSED: { tone: 'info', icon: 'circle-dashed' },
  ACTIVE: { tone: 'success', icon: 'circle-check' },
  SUSPENDED: { tone: 'warning', icon: 'circle-pause' },
  RETIRED: { tone: 'neutral', icon: 'circle-x' },
});

export const RISK_TIER_SPECS = specs<RiskTier>(RISK_TIER, {
  LOW: { tone: 'neutral', icon: 'shield-check' },
  MEDIUM: { tone: 'info', icon: 'gauge' },
  HIGH: { tone: 'warning', icon: 'shield-alert' },
  CRITICAL: { tone: 'danger', icon: 'flame' },
});

export const EXCEPTION_STATUS_SPECS = specs<ExceptionStatus>(EXCEPTION_STATUS, {
  PENDING: { tone: 'warning', icon: 'circle-dashed' },
  APPROVED: { tone: 'success', icon: 'circle-check' },
  REJECTED: { tone: 'danger', icon: 'circle-x' },
  WITHDRAWN: { tone: 'neutral', icon: 'undo-2' },
  LAPSED: { tone: 'neutral', icon: 'hourglass' },
  EXPIRED: { tone: 'neutral', icon: 'clock' },
  REVOKED: { tone: 'danger', icon: 'circle-slash' },
});

export const NOTIFICATION_STATUS_SPECS = specs<NotificationStatus>(NOTIFICATION_STATUS, {
  PENDING: { tone: 'info', icon: 'clock' },
  SENT: { tone: 'success', icon: 'check-check' },
  DEAD: { tone: 'danger', icon: 'circle-x' },
  SKIPPED: { tone: 'neutral', icon: 'bell-off' },
});

export const DELEGATION_STATUS_SPECS = specs<DelegationStatus>(DELEGATION_STATUS, {
  PENDING: { tone: 'warning', icon: 'circle-dashed' },
  APPROVED: { tone: 'success', icon: 'circle-check' },
  REVOKED: { tone: 'danger', icon: 'circle-slash' },
  EXPIRED: { tone: 'neutral', icon: 'clock' },
});

export const PURPOSE_STATUS_SPECS = specs<PurposeStatus>(PURPOSE_STATUS, {
  PENDING: { tone: 'warning', icon: 'circle-dashed' },
  APPROVED: { tone: 'success', icon: 'circle-check' },
  EXPIRED: { tone: 'neutral', icon: 'clock' },
});

export const REVIEW_OUTCOME_SPECS = specs<ReviewOutcome>(REVIEW_OUTCOME, {
  CERTIFIED: { tone: 'success', icon: 'circle-check' },
  SCOPE_REDUCED: { tone: 'info', icon: 'scissors' },
  SUSPENDED: { tone: 'warning', icon: 'ban' },
  RETIRED: { tone: 'neutral', icon: 'archive' },
});

export const SEVERITY_SPECS = specs<keyof typeof SEVERITY>(SEVERITY, {
  CRITICAL: { tone: 'danger', icon: 'octagon-alert' },
  HIGH: { tone: 'danger', icon: 'triangle-alert' },
  MEDIUM: { tone: 'warning', icon: 'circle-alert' },
  LOW: { tone: 'neutral', icon: 'info' },
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
