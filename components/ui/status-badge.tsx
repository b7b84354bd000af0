import type { LucideIcon } from 'lucide-react';
import { Badge, type BadgeTone } from './badge';

export type StatusSpec = { tone: BadgeTone; label: string; icon: LucideIcon };

/** A status in the one colour language: a tone, an icon and a word, never colour alone. */
export function StatusBadge({ spec }: { spec: StatusSpec }) {
  const Icon = spec.icon;
  return (
    <Badge tone={spec.tone}>
      <Icon aria-hidden />
      {spec.label}
    </Badge>
  );
}
