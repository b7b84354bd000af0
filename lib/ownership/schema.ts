import { z } from 'zod';
import { PLANES, version } from '@/lib/agents/schema';
import { Id, IdOf, Reason } from '@/lib/secrets/free-text';

const person = IdOf('Choose a person.');

export const AssignOwnerSchema = z.object({ agentId: Id, version, userId: person });
export const AssignControlSchema = AssignOwnerSchema.extend({
  plane: z.enum(PLANES, 'Choose IAM, PAM or platform security.'),
});

export const BulkReassignSchema = z
  .object({
    fromUserId: person,
    toUserId: person,
    // Empty: everything the person owns or controls.
    agentIds: z.array(Id).max(100_000).default([]),
    // Sent by a form listing agents to tick: then an empty list means none, not all.
    selection: z.literal('1').optional(),
    reason: Reason,
  })
  .refine((v) => v.fromUserId !== v.toUserId, {
    path: ['toUserId'],
    message: 'Choose someone other than the person leaving.',
  })
  .refine((v) => !v.selection || v.agentIds.length > 0, {
    path: ['agentIds'],
    message: 'Tick at least one agent to move.',
  });
