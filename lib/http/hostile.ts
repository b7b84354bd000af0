// Input that no field can mean: control characters (other than tab, line feed
// and carriage return), lone UTF-16 surrogates, malformed percent-encoding or
// UTF-8. Refused at the edge with 400, before any route or action sees it.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a decoded string cannot be input, or null. */
export function hostileText(text: string): string | null {
  if (CONTROL.test(text)) return 'a control character (such as NUL)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate';
  return null;
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
