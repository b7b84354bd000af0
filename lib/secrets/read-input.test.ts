// What a request sends is scanned whole: keys too, and a request too large to scan is refused, not half-scanned.
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import { addPurpose } from '@/lib/purposes/commands';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { unattributedSecretAlarms } from './alarms';

const token = `ghp_${'aB3dE'.repeat(7)}x`;

describe('reading input', () => {
  it('a secret as a field name is refused and never repeated in the error or the alarm', async () => {
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(owner, { ownerId: owner.id });
    const input = { agentId: agent.id, task: 'Deploy', scope: 'github', environments: ['PROD'], [token]: 'x' };
    const error = await addPurpose(owner, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect(JSON.stringify({ m: (error as Invalid).message, f: (error as Invalid).fieldErrors })).not.toContain(token);
    const alarm = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'input.secret_refused', actorId: owner.id },
    });
    expect(JSON.stringify(alarm.details)).not.toContain(token);
    expect(alarm.details).toMatchObject({ fields: [{ field: '(field name)' }] });
  });

  it('padding a request past what is scanned refuses it instead of letting a secret through', async () => {
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(owner, { ownerId: owner.id });
    const padding = Object.fromEntries(Array.from({ length: 20_001 }, (_, i) => [`p${i}`, '']));
    await expect(
      addPurpose(owner, {
        ...padding,
        agentId: agent.id,
        task: `Deploy ${token}`,
        scope: 'github',
        environments: ['PROD'],
      }),
    ).rejects.toThrow(/more than 20,000 values/);
    expect(await getDb().purpose.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it('an alarm is the agent’s finding only when its sender could act on the agent, never on others’', async () => {
    const owner = await createPerson(['OWNER']);
    const stranger = await createPerson(['OWNER']);
    const agent = await makeAgent(owner, { ownerId: owner.id });
    const input = { agentId: agent.id, task: `Deploy ${token}`, scope: 'github', environments: ['PROD'] };
    await expect(addPurpose(stranger, input)).rejects.toBeInstanceOf(Invalid);
    const theirs = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'input.secret_refused', actorId: stranger.id },
    });
    expect(theirs.agentId).toBeNull();
    // Still seen: security leads and auditors get every alarm that is no agent's finding, by whom and where.
    const lead = await createPerson(['ADMIN']);
    const alarms = await unattributedSecretAlarms(lead);
    expect(alarms).toContainEqual(
      expect.objectContaining({
        seq: theirs.seq,
        by: stranger.name,
        fields: [expect.objectContaining({ field: 'task' })],
      }),
    );
    await expect(unattributedSecretAlarms(owner)).rejects.toThrow(/permission/);
    await expect(addPurpose(owner, input)).rejects.toBeInstanceOf(Invalid);
    const mine = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'input.secret_refused', actorId: owner.id },
    });
    expect(mine.agentId).toBe(agent.id);
  });
});
