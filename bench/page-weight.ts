// First-load JavaScript per route, gzip-compressed, from the production build's
// own statistics (.next/diagnostics/route-bundle-stats.json lists each route's
// first-load chunks; Next 16 no longer prints the sizes).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export type PageWeight = { route: string; gzipKb: number; chunks: number };

export function pageWeights(root = process.cwd()): PageWeight[] | null {
  const stats = path.join(root, '.next/diagnostics/route-bundle-stats.json');
  if (!existsSync(stats)) return null;
  const routes = JSON.parse(readFileSync(stats, 'utf8')) as { route: string; firstLoadChunkPaths: string[] }[];
  const gzipped = new Map<string, number>();
  const size = (chunk: string) => {
    if (!gzipped.has(chunk)) gzipped.set(chunk, gzipSync(readFileSync(path.join(root, chunk))).length);
    return gzipped.get(chunk)!;
  };
  return routes
    .map((r) => ({
      route: r.route,
      chunks: r.firstLoadChunkPaths.length,
      gzipKb: r.firstLoadChunkPaths.reduce((n, c) => n + size(c), 0) / 1000,
    }))
    .sort((a, b) => b.gzipKb - a.gzipKb);
}
