import { approveDelegation, requestDelegation } from '@/lib/delegation/commands';
import { makeActiveAgent } from './agents';
import { createPerson } from './people';

/** A lead, an agent owner (`asker`) with an active agent (`delegate`), and another owner whose agents it acts for. */
export async function delegationParties() {
  const lead = await createPerson(['ADMIN']);
  const asker = await createPerson(['OWNER']);
  const principalOwner = await createPerson(['OWNER']);
  const delegate = await makeActiveAgent(lead, { ownerId: asker.id });
  return { lead, asker, principalOwner, delegate };
}

type Parties = Awaited<ReturnType<typeof delegationParties>>;

/**
 * `delegate`'s owner asks that it may act for a new agent of `principalOwner`'s (deploy, in DEV, for 7 days, unless
 * `ask` says otherwise); the principal's owner approves it unless `approve` is false.
 */
export async function requestGrant(
  { lead, asker, principalOwner, delegate }: Parties,
  {
    approve = true,
    ...ask
  }: { approve?: boolean; tasks?: string; environments?: string[]; days?: number; justification?: string } = {},
): Promise<{ grantId: string; principal: { id: string; slug: string } }> {
  const principal = await makeActiveAgent(lead, { ownerId: principalOwner.id });
  const { id: grantId } = await requestDelegation(asker, {
    delegateId: delegate.id,
    principal: principal.slug,
    tasks: 'deploy',
    environments: ['DEV'],
    days: 7,
    justification: 'The release pipeline',
    ...ask,
  });
  if (approve) await approveDelegation(principalOwner, { grantId, reason: 'Our pipeline' });
  return { grantId, principal };
}
