import {
  AlarmClock,
  Archive,
  Ban,
  BellOff,
  CalendarClock,
  CheckCheck,
  CircleAlert,
  CircleCheck,
  CircleDashed,
  CirclePause,
  CircleSlash,
  CircleX,
  Clock,
  FileJson,
  Flame,
  Gauge,
  Hourglass,
  Info,
  OctagonAlert,
  Scissors,
  ShieldAlert,
  ShieldCheck,
  ShieldQuestion,
  TriangleAlert,
  Undo2,
  UserX,
  type LucideIcon,
} from 'lucide-react';

/**
 * The icons that repeat down a table (a status badge on every row, a details button on every event), drawn once in
 * `public/icons.svg` and placed with `<use>` by `SpriteIcon`. A lucide component renders itself on every row (two
 * components, its paths and their attributes rebuilt each time): on a list page those renders were a fifth of the
 * server's work. `npm run icons` redraws the sprite from this list; a test fails while the two differ.
 */
export const SPRITE_ICONS = {
  'alarm-clock': AlarmClock,
  archive: Archive,
  ban: Ban,
  'bell-off': BellOff,
  'calendar-clock': CalendarClock,
  'check-check': CheckCheck,
  'circle-alert': CircleAlert,
  'circle-check': CircleCheck,
  'circle-dashed': CircleDashed,
  'circle-pause': CirclePause,
  'circle-slash': CircleSlash,
  'circle-x': CircleX,
  clock: Clock,
  'file-json': FileJson,
  flame: Flame,
  gauge: Gauge,
  hourglass: Hourglass,
  info: Info,
  'octagon-alert': OctagonAlert,
  scissors: Scissors,
  'shield-alert': ShieldAlert,
  'shield-check': ShieldCheck,
  'shield-question': ShieldQuestion,
  'triangle-alert': TriangleAlert,
  'undo-2': Undo2,
  'user-x': UserX,
} satisfies Record<string, LucideIcon>;

export type SpriteIconName = keyof typeof SPRITE_ICONS;
