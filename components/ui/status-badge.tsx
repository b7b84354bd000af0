import { Badge, type BadgeTone } from './badge';
import { SpriteIcon } from './sprite-icon';
import type { SpriteIconName } from './sprite-icons';

export type StatusSpec = { tone: BadgeTone; label: string; icon: SpriteIconName };

/** A status in the one colour language: a tone, an icon and a word, never colour alone. */
export function StatusBadge({ spec }: { spec: StatusSpec }) {
  return (
    <Badge tone={spec.tone}>
      <SpriteIcon name={spec.icon} />
      {spec.label}
    </Badge>
  );
}
