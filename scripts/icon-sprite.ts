// Draws public/icons.svg from components/ui/sprite-icons.ts: `npm run icons`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { SPRITE_ICONS } from '@/components/ui/sprite-icons';

export const SPRITE_FILE = path.join(import.meta.dirname, '..', 'public', 'icons.svg');

// The drawing attributes a symbol keeps from lucide's own <svg> (its size and class are the page's to set).
const KEPT = new Set(['viewBox', 'fill', 'stroke', 'stroke-width', 'stroke-linecap', 'stroke-linejoin']);

/** The sprite: one <symbol> per icon, drawn by lucide itself, so its shapes are exactly lucide's. */
export function iconSprite(): string {
  const symbols = Object.entries(SPRITE_ICONS).map(([name, Icon]) => {
    const svg = renderToStaticMarkup(createElement(Icon));
    const open = /^<svg([^>]*)>/.exec(svg);
    if (!open || !svg.endsWith('</svg>')) throw new Error(`lucide drew ${name} as something other than one <svg>.`);
    const attributes = [...open[1]!.matchAll(/([\w-]+)="([^"]*)"/g)]
      .filter(([, key]) => KEPT.has(key!))
      .map(([whole]) => whole);
    const shapes = svg.slice(open[0].length, -'</svg>'.length);
    return `<symbol id="${name}" ${attributes.join(' ')}>${shapes}</symbol>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg">\n${symbols.join('\n')}\n</svg>\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(SPRITE_FILE, iconSprite());
  console.log(`Wrote ${path.relative(process.cwd(), SPRITE_FILE)} (${Object.keys(SPRITE_ICONS).length} icons).`);
}
