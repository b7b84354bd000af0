import 'server-only';
import { applyGuardedFields, type GuardedValues } from '@/lib/agents/loosening';
import { appendAuditEvent } from '@/lib/audit';
import type { Actor } from '@/lib/authz';
import { applyCredentialFields, lockCredential } from '@/lib/credentials/commands';
import type { CredentialGuardedField, CredentialSettings } from '@/lib/credentials/loosening';
import { heldSettings } from '@/lib/credentials/rotation-period';
import type { Tx } from '@/lib/db';
import { Conflict, Invalid } from '@/lib/errors';
import type { Prisma, Role } from '@/lib/generated/prisma/client';
import { getSettings, SETTING_KEYS, type SettingKey } from '@/lib/settings';
import type { LockedChangeRequest } from './commands';

/**
 * What an approved request changes, applied by the second person in their
 * transaction, against the present: the agent as it is now, the person as
 * they are now, the setting as it is now (a setting changed since the request
 * was made is a conflict, not an overwrite).
 */
export async function applyChange(tx: Tx, actor: Actor, request: LockedChangeRequest): Promise<void> {
  const who = { type: 'USER' as const, id: actor.id };
  switch (request.kind) {
    case 'AGENT_LOOSENING': {
      await tx.$queryRaw`SELECT "id" FROM "Agent" WHERE "id" = ${request.agentId} FOR UPDATE`;
      // As for a credential: a field changed since the request (a tier raised after an incident, an environment
      // removed) is a conflict, never silently put back to what the requester saw.
      const now = await tx.agent.findUniqueOrThrow({ where: { id: request.agentId! } });
      if (changedSince(now, request.from as Partial<GuardedValues>)) {
        throw new Conflict('This agent changed since the request was made: reject it and ask again.');
      }
      await applyGuardedFields(tx, who, request.agentId!, request.to as Partial<GuardedValues>, request.id);
      return;
    }
    case 'CREDENTIAL_LOOSENING': {
      const credential = await lockCredential(tx, request.credentialId!);
      if (credential.revokedAt) throw new Invalid('That credential was revoked since: reject the request instead.');
      // Applied against the present: a field changed since the request (tightened, say) is a conflict, not a jump.
      // As the request was judged: against the rotation period the credential is held to under today's policy (a
      // request made before that recorded the stated one: either is the present).
      const stated = await tx.credential.findUniqueOrThrow({ where: { id: credential.id } });
      const held = heldSettings(stated, (await getSettings(tx)).credentialRotationDays);
      const from = request.from as Partial<CredentialSettings>;
      if (changedSince(held, from) && changedSince(stated, from)) {
        throw new Conflict('This credential changed since the request was made: reject it and ask again.');
      }
      const to = request.to as Partial<CredentialSettings>;
      await applyCredentialFields(tx, who, credential, to, {
        loosened: Object.keys(to) as CredentialGuardedField[],
        changeRequestId: request.id,
      });
      return;
    }
    case 'ROLE_GRANT': {
      const role = (request.to as { role: Role }).role;
      const [person] = await tx.$queryRaw<{ id: string; roles: string[]; active: boolean }[]>`
        SELECT "id", "roles"::text[] AS "roles", "active" FROM "User" WHERE "id" = ${request.targetUserId} FOR UPDATE`;
      if (!person?.active) throw new Invalid('That person is no longer active: reject the request instead.');
      if (person.roles.includes(role)) throw new Conflict('They already hold that role.');
      await tx.user.update({
        where: { id: person.id },
        data: { roles: { push: role }, version: { increment: 1 } },
      });
      await appendAuditEvent(tx, {
        action: 'role.granted',
        actor: who,
        details: { userId: person.id, role, changeRequestId: request.id },
      });
      return;
    }
    case 'SETTINGS_LOOSENING': {
      const key = request.settingKey as SettingKey;
      if (!(SETTING_KEYS as string[]).includes(key)) throw new Invalid('That setting no longer exists.');
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`setting:${key}`}))`;
      const current = (await getSettings(tx))[key];
      if (JSON.stringify(current) !== JSON.stringify(request.from)) {
        throw new Conflict('This setting changed since the request was made: reject it and ask again.');
      }
      const value = request.to as Prisma.InputJsonValue;
      await tx.setting.upsert({
        where: { key },
        create: { key, value, version: 1, updatedById: actor.id },
        update: { value, version: { increment: 1 }, updatedById: actor.id },
      });
      await appendAuditEvent(tx, {
        action: 'settings.changed',
        actor: who,
        details: { key, from: current, to: request.to, changeRequestId: request.id },
      });
      return;
    }
  }
}

/** Whether any field the request recorded (`from`) differs from the row as it is now. */
function changedSince<T extends object>(now: T, from: Partial<T>): boolean {
  return (Object.keys(from) as (keyof T)[]).some((k) => JSON.stringify(now[k]) !== JSON.stringify(from[k]));
}
