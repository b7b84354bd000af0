import { CircleCheck, CircleDashed, CirclePause, CircleX, Flame, Gauge, ShieldAlert, ShieldCheck } from 'lucide-react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { AgentStatus, RiskTier } from '@/lib/generated/prisma/enums';

const STATUS: Record<AgentStatus, { tone: BadgeTone; label: string; icon: typeof CircleCheck }> = {
  PROPOSED: { tone: 'info', label: 'Proposed', icon: CircleDashed },
  ACTIVE: { tone: 'success', label: 'Active', icon: CircleCheck },
  SUSPENDED: { tone: 'warning', label: 'Suspended', icon: CirclePause },
  RETIRED: { tone: 'neutral', label: 'Retired', icon: CircleX },
};

const TIER: Record<RiskTier, { tone: BadgeTone; label: string; icon: typeof Gauge }> = {
  LOW: { tone: 'neutral', label: 'Low', icon: ShieldCheck },
  MEDIUM: { tone: 'info', label: 'Medium', icon: Gauge },
  HIGH: { tone: 'warning', label: 'High', icon: ShieldAlert },
  CRITICAL: { tone: 'danger', label: 'Critical', icon: Flame },
};

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  const { tone, label, icon: Icon } = STATUS[status];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden />
      {label}
    </Badge>
  );
}

export function RiskTierBadge({ tier }: { tier: RiskTier }) {
  const { tone, label, icon: Icon } = TIER[tier];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden />
      {label}
    </Badge>
  );
}
