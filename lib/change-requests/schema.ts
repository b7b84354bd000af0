import { z } from 'zod';

const reason = z
  .string()
  .trim()
  .min(3, 'Say why, in a few words (at least 3 characters).')
  .max(500, 'Keep the reason under 500 characters.');
const version = z.coerce.number('The form is out of date: reload the page.').int().min(1);

export const DecideChangeSchema = z.object({
  changeRequestId: z.string().min(1).max(64),
  version,
  outcome: z.enum(['APPROVE', 'REJECT'], 'Choose approve or reject.'),
  reason,
});

export const WithdrawChangeSchema = z.object({ changeRequestId: z.string().min(1).max(64), version });
