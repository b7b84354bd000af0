// Input that no field can mean: control characters (other than tab, line feed
// and carriage return), lone UTF-16 surrogates, malformed percent-encoding or
// UTF-8. Refused at the edge with 400, before any route or action sees it.
import { hostileText } from '@/lib/secrets/free-text';

export { hostileText };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Why a header value cannot be input, or null. HTTP hands header bytes over one character per byte (Latin-1), so bytes
 * 0x80–0xFF are checked as the UTF-8 they claim to be: invalid UTF-8 is refused, like a control character.
 */
export function hostileHeader(value: string): string | null {
  const problem = hostileText(value);
  if (problem || !/[\x80-\xff]/.test(value)) return problem;
  try {
    utf8.decode(Uint8Array.from(value, (c) => c.charCodeAt(0)));
    return null;
  } catch {
    return 'invalid UTF-8';
  }
}

/** Why a request's URL or headers cannot be input, or null: what the console's proxy and the gate's server refuse. */
export function hostileRequest(url: URL, headers: Headers): string | null {
  return hostileUrl(url) ?? [...headers.values()].map(hostileHeader).find((problem) => problem !== null) ?? null;
}

/** Why a URL's path or query cannot be input, or null: each part is percent-decoded and checked. */
export function hostileUrl(url: URL): string | null {
  const parts = [...url.pathname.split('/'), ...url.search.replace(/^\?/, '').split(/[&=]/)];
  for (const part of parts) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return 'malformed percent-encoding';
    }
    const problem = hostileText(decoded);
    if (problem) return problem;
  }
  return null;
}

/** The first string (or key) in a parsed JSON value that is hostile, with its path, or null; too deep is hostile. */
export function hostileJson(value: unknown, maxDepth = 64): { path: string; problem: string } | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (path.length > maxDepth) return { path: path.slice(0, 3).join('.'), problem: 'nesting deeper than 64 levels' };
    if (typeof v === 'string') {
      const problem = hostileText(v);
      if (problem) return { path: path.join('.'), problem };
    } else if (v && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v)) {
        const problem = hostileText(key);
        if (problem) return { path: [...path, '(key)'].join('.'), problem };
        stack.push({ value: inner, path: [...path, key] });
      }
    }
  }
  return null;
}
