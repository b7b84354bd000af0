import { z } from 'zod';
import { IdOf, OptionalReason, Reason } from '@/lib/secrets/free-text';

export const RoleSchema = z.enum(['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'], 'Choose one of the four roles.');

const target = {
  userId: IdOf('Choose a person.'),
  version: z.coerce.number('The form is out of date: reload the page.').int().positive(),
};

export const ChangeRoleSchema = z.object({
  ...target,
  role: RoleSchema,
  /** Why: kept with the change request a privileged role opens. */
  reason: OptionalReason,
});
export const DeactivateUserSchema = z.object({
  ...target,
  reason: Reason,
});
export const ReactivateUserSchema = z.object(target);
