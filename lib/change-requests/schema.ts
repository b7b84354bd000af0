import { z } from 'zod';
import { Id, Reason } from '@/lib/secrets/free-text';

const version = z.coerce.number('The form is out of date: reload the page.').int().min(1);

export const DecideChangeSchema = z.object({
  changeRequestId: Id,
  version,
  outcome: z.enum(['APPROVE', 'REJECT'], 'Choose approve or reject.'),
  reason: Reason,
});

export const WithdrawChangeSchema = z.object({ changeRequestId: Id, version });
