// What React's decoder would throw on, found before Next.js runs it: a server action's body checked at the edge so a
// malformed one is a 400, not a 500. Every Custodian action takes one form; these rules hold for no other kind.

// React's escapes for values in a reply that need no other chunk: a literal `$…`, undefined, -0, ±Infinity, NaN, a
// date, a bigint — and `$K<n>`, the form data the action takes.
const PLAIN_REFERENCE = /^\$(?:\$|undefined$|-0$|-?Infinity$|NaN$|D|n-?\d|K[0-9a-f]{1,8}$)/;

/**
 * An action's arguments are in React's reply encoding: a JSON list (the fetch action's field `0`, or the chunk a
 * no-JavaScript form's descriptor points at). Every Custodian action takes a form, so the list may hold plain JSON
 * and references to form data only. A missing, repeated or malformed list, or one that points at other chunks, is
 * refused here; React's decoder would throw and Next.js answer 500.
 */
function malformedArguments(chunks: FormDataEntryValue[]): string | null {
  if (chunks.length !== 1 || typeof chunks[0] !== 'string') return 'it needs exactly one argument list';
  let args: unknown;
  try {
    args = JSON.parse(chunks[0]);
  } catch {
    return 'its argument list is not JSON';
  }
  if (!Array.isArray(args)) return 'its argument list is not a list';
  if (args.length > 100) return 'its argument list is too long';
  const stack: unknown[] = [args];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string' && value.startsWith('$') && !PLAIN_REFERENCE.test(value)) {
      return 'its arguments refer to something other than the form';
    }
    if (value !== null && typeof value === 'object') stack.push(...Object.values(value));
  }
  return null;
}

/**
 * A form posted without JavaScript names its action in React's hidden fields: `$ACTION_REF_<n>`, its descriptor
 * `$ACTION_<n>:0` (`{id, bound}`) and the bound arguments the descriptor points at (`$ACTION_<n>:<k>`).
 */
export function malformedFormAction(form: FormData): string | null {
  for (const key of form.keys()) {
    const ref = /^\$ACTION_REF_(.+)$/.exec(key);
    if (!ref) continue;
    const prefix = `$ACTION_${ref[1]}:`;
    const descriptors = form.getAll(`${prefix}0`);
    if (descriptors.length !== 1 || typeof descriptors[0] !== 'string') return 'its action descriptor is missing';
    let descriptor: { id?: unknown; bound?: unknown };
    try {
      descriptor = JSON.parse(descriptors[0]) as typeof descriptor;
    } catch {
      return 'its action descriptor is not JSON';
    }
    if (typeof descriptor?.id !== 'string') return 'its action descriptor names no action';
    if (descriptor.bound === null) continue;
    const bound = typeof descriptor.bound === 'string' ? /^\$@([0-9a-f]{1,8})$/.exec(descriptor.bound) : null;
    if (!bound) return 'its bound arguments are not where the descriptor says';
    const problem = malformedArguments(form.getAll(`${prefix}${parseInt(bound[1]!, 16)}`));
    if (problem) return problem;
  }
  return null;
}

/** A fetch action (Next-Action header): its argument list is field `0`. */
export function malformedFetchAction(form: FormData): string | null {
  return malformedArguments(form.getAll('0'));
}
