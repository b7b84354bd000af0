// Input that no field can mean: control characters (other than tab, line feed
// and carriage return), lone UTF-16 surrogates, malformed percent-encoding or
// UTF-8. Refused at the edge with 400, before any route or action sees it.
import { hostileText } from '@/lib/secrets/free-text';

export { hostileText };
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

/** The first string in a parsed JSON value that is hostile, with its path, or null. */
export function hostileJson(value: unknown, path = ''): { path: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = hostileText(value);
    return problem ? { path, problem } : null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = hostileText(key);
      if (keyProblem) return { path: `${path}${path ? '.' : ''}${key}`, problem: keyProblem };
      const found = hostileJson(inner, `${path}${path ? '.' : ''}${key}`);
      if (found) return found;
    }
  }
  return null;
}
