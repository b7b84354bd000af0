import { z } from 'zod';

export const RoleSchema = z.enum(['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'], 'Choose one of the four roles.');

const target = {
  userId: z.string().min(1, 'Choose a person.'),
  version: z.coerce.number('The form is out of date: reload the page.').int().positive(),
};

export const ChangeRoleSchema = z.object({
  ...target,
  role: RoleSchema,
  /** Why: kept with the change request a privileged role opens. */
  reason: z
    .string()
    .trim()
    .max(500, 'Keep the reason under 500 characters.')
    .optional()
    .transform((v) => v || undefined),
});
export const DeactivateUserSchema = z.object({
  ...target,
  reason: z
    .string()
    .trim()
    .min(3, 'Say why, in a few words (at least 3 characters).')
    .max(500, 'Keep the reason under 500 characters.'),
});
export const ReactivateUserSchema = z.object(target);
