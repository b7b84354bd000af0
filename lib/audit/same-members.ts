/** The same members, whatever their order or repeats (each compared as text, whole: a name may hold any character). */
export function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  const x = new Set(a.map(String));
  const y = new Set(b.map(String));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** The same recorded value: two lists as sets (sameMembers), anything else as itself (absent as null). */
export const sameValue = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? sameMembers(a, b) : (a ?? null) === (b ?? null);
