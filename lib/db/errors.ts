/** Whether a Prisma error is a unique-constraint violation, optionally on a given field. */
export function isUniqueViolation(error: unknown, field?: string): boolean {
  if (!error || typeof error !== 'object' || (error as { code?: string }).code !== 'P2002') return false;
  if (!field) return true;
  return (
    JSON.stringify((error as { meta?: unknown }).meta ?? {}).includes(field) ||
    String((error as Error).message).includes(field)
  );
}
