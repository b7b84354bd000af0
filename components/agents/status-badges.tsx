import { CircleCheck, CircleDashed, CirclePause, CircleX, Flame, Gauge, ShieldAlert, ShieldCheck } from 'lucide-react';
import { StatusBadge, type StatusSpec } from '@/components/ui/status-badge';
import type { AgentStatus, RiskTier } from '@/lib/generated/prisma/enums';

const STATUS: Record<AgentStatus, StatusSpec> = {
  PROPOSED: { tone: 'info', label: 'Proposed', icon: CircleDashed },
  ACTIVE: { tone: 'success', label: 'Active', icon: CircleCheck },
  SUSPENDED: { tone: 'warning', label: 'Suspended', icon: CirclePause },
  RETIRED: { tone: 'neutral', label: 'Retired', icon: CircleX },
};

const TIER: Record<RiskTier, StatusSpec> = {
  LOW: { tone: 'neutral', label: 'Low', icon: ShieldCheck },
  MEDIUM: { tone: 'info', label: 'Medium', icon: Gauge },
  HIGH: { tone: 'warning', label: 'High', icon: ShieldAlert },
  CRITICAL: { tone: 'danger', label: 'Critical', icon: Flame },
};

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return <StatusBadge spec={STATUS[status]} />;
}

export function RiskTierBadge({ tier }: { tier: RiskTier }) {
  return <StatusBadge spec={TIER[tier]} />;
}
