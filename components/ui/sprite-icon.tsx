import type { SpriteIconName } from './sprite-icons';

// Versioned by next.config.ts, which lets browsers keep this address for a year.
const SPRITE = `/icons.svg?v=${process.env.CUSTODIAN_SPRITE_VERSION}`;

/** One of the sprite's icons (`public/icons.svg`), decorative, sized by its class as a lucide icon is; never squeezed
 * by the text beside it. */
export function SpriteIcon({ name, className }: { name: SpriteIconName; className?: string }) {
  return (
    <svg aria-hidden="true" width="24" height="24" className={className ? `shrink-0 ${className}` : 'shrink-0'}>
      <use href={`${SPRITE}#${name}`} />
    </svg>
  );
}
