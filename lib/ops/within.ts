/**
 * `work`'s answer, or a rejection once `ms` have passed without one. For checks that must answer in time (readiness,
 * the replica's state): a server that drops packets instead of refusing them would otherwise hold them for as long as
 * the pool waits for a connection. The work itself is not cancelled; it ends when its own time-out does.
 */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
