import { CircleAlert, Info, OctagonAlert, TriangleAlert } from 'lucide-react';
import { StatusBadge, type StatusSpec } from '@/components/ui/status-badge';
import type { Severity } from '@/lib/policy/rules';

export const SEVERITY_SPECS: Record<Severity, StatusSpec> = {
  CRITICAL: { tone: 'danger', label: 'Critical', icon: OctagonAlert },
  HIGH: { tone: 'danger', label: 'High', icon: TriangleAlert },
  MEDIUM: { tone: 'warning', label: 'Medium', icon: CircleAlert },
  LOW: { tone: 'neutral', label: 'Low', icon: Info },
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <StatusBadge spec={SEVERITY_SPECS[severity]} />;
}
