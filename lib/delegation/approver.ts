import { canOnAgent, type Actor } from '@/lib/authz';

type Side = { slug: string; ownerId: string | null; ownerActive: boolean };

/**
 * Why this person may not approve a delegation, read now, or null. The principal's accountable owner approves,
 * unless that owner asked for it, also owns the delegate, or has left (or there is none): then a security lead who
 * owns neither agent approves. Nobody approves what they asked for.
 */
export function approverProblem(
  actor: Actor,
  grant: { requestedById: string; delegate: Pick<Side, 'ownerId'>; principal: Side },
): { problem: string | null; asLead: boolean } {
  if (grant.requestedById === actor.id) {
    return {
      problem: 'You asked for this delegation: someone else must approve it (separation of duties).',
      asLead: false,
    };
  }
  const { principal, delegate } = grant;
  const owner = principal.ownerActive ? principal.ownerId : null;
  const independent = owner && owner !== grant.requestedById && owner !== delegate.ownerId;
  if (independent) {
    return actor.id === owner
      ? { problem: null, asLead: false }
      : { problem: `Only ${principal.slug}’s accountable owner approves another agent acting for it.`, asLead: false };
  }
  const why = !owner
    ? `${principal.slug} has no active owner`
    : owner === grant.requestedById
      ? `${principal.slug}’s owner asked for this delegation`
      : 'One person owns both agents';
  // With no owner to match, only a role not scoped to owned agents holds the permission.
  if (!canOnAgent(actor, 'delegation.approve', null)) {
    return { problem: `${why}, so a security lead approves it.`, asLead: false };
  }
  if (actor.id === principal.ownerId || actor.id === delegate.ownerId) {
    return { problem: `${why}, so a security lead who owns neither agent approves it.`, asLead: false };
  }
  return { problem: null, asLead: true };
}
