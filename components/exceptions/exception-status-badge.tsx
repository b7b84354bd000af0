import { CircleCheck, CircleDashed, CircleSlash, CircleX, Clock, Undo2 } from 'lucide-react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { ExceptionStatus } from '@/lib/generated/prisma/enums';

const STATUS: Record<ExceptionStatus, { tone: BadgeTone; label: string; icon: typeof CircleCheck }> = {
  PENDING: { tone: 'warning', label: 'Pending', icon: CircleDashed },
  APPROVED: { tone: 'success', label: 'In force', icon: CircleCheck },
  REJECTED: { tone: 'danger', label: 'Rejected', icon: CircleX },
  WITHDRAWN: { tone: 'neutral', label: 'Withdrawn', icon: Undo2 },
  EXPIRED: { tone: 'neutral', label: 'Expired', icon: Clock },
  REVOKED: { tone: 'danger', label: 'Revoked', icon: CircleSlash },
};

export function ExceptionStatusBadge({ status }: { status: ExceptionStatus }) {
  const { tone, label, icon: Icon } = STATUS[status];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden />
      {label}
    </Badge>
  );
}
