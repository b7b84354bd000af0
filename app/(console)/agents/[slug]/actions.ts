'use server';

import { getCurrentUser } from '@/lib/auth';
import { issueCredential, revokeCredential, rotateCredential, updateCredential } from '@/lib/credentials/commands';
import { approveDelegation, requestDelegation, revokeDelegation } from '@/lib/delegation/commands';
import { clearEscalationContact, setEscalationContact } from '@/lib/escalation/commands';
import { requestException } from '@/lib/exceptions/commands';
import type { ActionState } from '@/lib/http/action-state';
import { formAction, formQuery } from '@/lib/http/form-action';
import { decideIssuance } from '@/lib/issuance/decide';
import type { DecisionResult } from '@/lib/issuance/schema';

export async function issueCredentialAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => {
    const { reviewed } = await issueCredential(await getCurrentUser(), input);
    return reviewed
      ? 'Issued: custody recorded. Privileged, or in production outside a vault or CI secret store, it opens (or ' +
          'joins) the agent’s lifecycle review.'
      : 'Issued: custody recorded.';
  });
}

export async function updateCredentialAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => updateCredential(await getCurrentUser(), input));
}

export async function rotateCredentialAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => rotateCredential(await getCurrentUser(), input));
}

export async function revokeCredentialAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => revokeCredential(await getCurrentUser(), input));
}

export async function requestExceptionAction(_: ActionState, formData: FormData) {
  return formAction(
    formData,
    async (input) => {
      const { requiredApprovals } = await requestException(await getCurrentUser(), input);
      const type = formData.get('type') === 'PERSISTENT_TOKEN' ? 'A persistent token' : 'Break-glass';
      return requiredApprovals === 2
        ? `Requested. ${type} on a critical agent needs two PAM approvers.`
        : 'Requested. A PAM approver decides it.';
    },
    ['credentialIds'],
  );
}

export async function setEscalationAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => setEscalationContact(await getCurrentUser(), input));
}

export async function clearEscalationAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => clearEscalationContact(await getCurrentUser(), input));
}

export async function requestDelegationAction(_: ActionState, formData: FormData) {
  return formAction(
    formData,
    async (input) => {
      await requestDelegation(await getCurrentUser(), input);
      return 'Requested. The other agent’s owner approves it; a security lead does when one person owns both or asked.';
    },
    ['environments'],
  );
}

export async function approveDelegationAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => {
    const { expiresAt } = await approveDelegation(await getCurrentUser(), input);
    return `Approved: in force until ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
  });
}

export async function revokeDelegationAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => revokeDelegation(await getCurrentUser(), input));
}

/** "Would it be allowed?": the issuance gate's answer for this agent, nothing recorded. */
export async function dryRunIssuanceAction(_: ActionState, formData: FormData) {
  return formQuery<DecisionResult>(formData, async (input) => {
    const result = await decideIssuance(input, { record: false, actor: await getCurrentUser() });
    return { message: result.decision === 'allow' ? 'Allowed.' : 'Denied.', result };
  });
}
