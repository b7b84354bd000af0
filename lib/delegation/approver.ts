import { canOnAgent, type Actor } from '@/lib/authz';

type Principal = { slug: string; ownerId: string | null; ownerActive: boolean };

/**
 * Why this person may not approve a delegation, read now, or null: the principal's accountable owner approves; a
 * security lead instead when that owner asked for it or has left (or there is none); never the person who asked.
 */
export function approverProblem(
  actor: Actor,
  grant: { requestedById: string; principal: Principal },
): { problem: string | null; asLead: boolean } {
  if (grant.requestedById === actor.id) {
    return {
      problem: 'You asked for this delegation: someone else must approve it (separation of duties).',
      asLead: false,
    };
  }
  const { principal } = grant;
  const owner = principal.ownerActive ? principal.ownerId : null;
  if (owner && owner !== grant.requestedById) {
    return actor.id === owner
      ? { problem: null, asLead: false }
      : { problem: `Only ${principal.slug}’s accountable owner approves another agent acting for it.`, asLead: false };
  }
  // The owner asked (or nobody answers for the principal): a security lead decides. With no owner to match, only a
  // role not scoped to owned agents holds the permission.
  if (canOnAgent(actor, 'delegation.approve', null)) return { problem: null, asLead: true };
  return {
    problem: owner
      ? `${principal.slug}’s owner asked for this delegation, so a security lead approves it.`
      : `${principal.slug} has no active owner, so a security lead approves it.`,
    asLead: false,
  };
}
