import { CircleCheck, CircleDashed, CircleSlash, CircleX, Clock, Undo2 } from 'lucide-react';
import { StatusBadge, type StatusSpec } from '@/components/ui/status-badge';
import type { ExceptionStatus } from '@/lib/generated/prisma/enums';

const STATUS: Record<ExceptionStatus, StatusSpec> = {
  PENDING: { tone: 'warning', label: 'Pending', icon: CircleDashed },
  APPROVED: { tone: 'success', label: 'In force', icon: CircleCheck },
  REJECTED: { tone: 'danger', label: 'Rejected', icon: CircleX },
  WITHDRAWN: { tone: 'neutral', label: 'Withdrawn', icon: Undo2 },
  EXPIRED: { tone: 'neutral', label: 'Expired', icon: Clock },
  REVOKED: { tone: 'danger', label: 'Revoked', icon: CircleSlash },
};

export function ExceptionStatusBadge({ status }: { status: ExceptionStatus }) {
  return <StatusBadge spec={STATUS[status]} />;
}
