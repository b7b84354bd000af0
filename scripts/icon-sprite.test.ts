import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPRITE_ICONS } from '@/components/ui/sprite-icons';
import { iconSprite, SPRITE_FILE } from './icon-sprite';

describe('the icon sprite', () => {
  it('is the one public/icons.svg holds: an icon added to the list without `npm run icons` fails here', () => {
    expect(readFileSync(SPRITE_FILE, 'utf8')).toBe(iconSprite());
  });

  it('draws every listed icon as a symbol with lucide’s shapes and stroke, and nothing else', () => {
    const sprite = iconSprite();
    const ids = [...sprite.matchAll(/<symbol id="([^"]+)"([^>]*)>(.*?)<\/symbol>/g)];
    expect(ids.map(([, id]) => id).sort()).toEqual(Object.keys(SPRITE_ICONS).sort());
    for (const [, , attributes, shapes] of ids) {
      expect(attributes).toContain('viewBox="0 0 24 24"');
      // Outlines in the text's colour, as lucide draws them (filled shapes would read as blots).
      expect(attributes).toContain('fill="none"');
      expect(attributes).toContain('stroke="currentColor"');
      expect(attributes).toContain('stroke-width="2"');
      expect(attributes).not.toMatch(/\s(class|width|height)=/);
      expect(shapes).toMatch(/^<(path|circle|rect|line|polyline|polygon|ellipse) /);
    }
  });
});
