import type { ExceptionStatus } from '@/lib/generated/prisma/enums';

/**
 * The status a person should see now: an approved exception past its expiry
 * is expired, whether or not the sweeper has run yet.
 */
export function exceptionStatusNow(
  exception: { status: ExceptionStatus; expiresAt: Date },
  now = new Date(),
): ExceptionStatus {
  if (exception.expiresAt > now) return exception.status;
  // Past its time before the sweeper ran: an approved window expired, a pending request lapsed.
  return exception.status === 'APPROVED' ? 'EXPIRED' : exception.status === 'PENDING' ? 'LAPSED' : exception.status;
}
