import type { ExceptionStatus } from '@/lib/generated/prisma/enums';

/**
 * The status a person should see now: an approved exception past its expiry
 * is expired, whether or not the sweeper has run yet.
 */
export function exceptionStatusNow(
  exception: { status: ExceptionStatus; expiresAt: Date },
  now = new Date(),
): ExceptionStatus {
  return exception.status === 'APPROVED' && exception.expiresAt <= now ? 'EXPIRED' : exception.status;
}
