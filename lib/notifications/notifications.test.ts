// The outbox and its channels against real receivers on loopback: an SMTP server (smtp-server) and an HTTP server,
// never a mock. Loopback is allowed as the operator would allow it (CUSTODIAN_WEBHOOK_ALLOW_PRIVATE); nothing here
// sends traffic to any other address.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/audit/append';
import type { Actor } from '@/lib/authz';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { getEnv, resetEnvCache } from '@/lib/env';
import { Forbidden, Invalid } from '@/lib/errors';
import { decideException, requestException } from '@/lib/exceptions/commands';
import { syncFindings } from '@/lib/policy/trend';
import { makeActiveAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { deactivateUser } from '@/lib/users/commands';
import { createEndpoint, resendNotification, setPreferences, updateEndpoint } from './commands';
import { deliverDue, MAX_ATTEMPTS, RETRY_DELAYS_MS } from './deliver';
import { oweDue } from './due';
import { listNotifications } from './queries';

type Received = { headers: http.IncomingHttpHeaders; body: string };

/** An HTTP receiver on loopback that answers each request with the next status in `script` (then 200). */
async function receiver(script: number[] = []) {
  const received: Received[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = script.shift() ?? 200;
      res.end('ok');
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const mails: { to: string; raw: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        for (const to of session.envelope.rcptTo) mails.push({ to: to.address, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

beforeEach(() => {
  process.env.CUSTODIAN_WEBHOOK_ALLOW_PRIVATE = '127.0.0.1/32';
  process.env.NOTIFY_TEST_SECRET = 'whsec-test-only-0123456789';
  resetEnvCache();
});

const withSmtp = (port = smtpPort) => ({ ...getEnv(), SMTP_HOST: '127.0.0.1', SMTP_PORT: port });
const noSmtp = () => ({ ...getEnv(), SMTP_HOST: undefined });
const later = (ms: number) => new Date(Date.now() + ms);

/** A CRITICAL agent whose PAM plane is held by `pam`, with an escalation contact, and a break-glass requested on it. */
async function breakGlass() {
  const admin = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const pam = await createPerson(['OWNER'], { name: 'PAM owner' });
  const approver = await createPerson(['PAM_APPROVER'], { name: 'Approver' });
  const agent = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'CRITICAL' }, { PAM: pam.id });
  const { id } = await requestException(owner, {
    agentId: agent.id,
    type: 'BREAK_GLASS',
    noCredentialReason: 'Console access only',
    justification: 'Prod outage',
    durationHours: 2,
  });
  return { admin, owner, pam, approver, agent, exceptionId: id };
}

/** A cached-secret exception on a fresh MEDIUM agent of `owner`, for `hours`. */
async function cachedSecret(owner: Actor, hours: number) {
  const agent = await makeActiveAgent(await createPerson(['ADMIN']), { ownerId: owner.id, riskTier: 'MEDIUM' });
  const { id } = await requestException(owner, {
    agentId: agent.id,
    type: 'CACHED_SECRET',
    justification: 'Offline batch',
    durationHours: hours,
  });
  return id;
}

describe('the outbox', () => {
  it('a break-glass request writes its notifications with its event: PAM owner, approvers, escalation', async () => {
    const { owner, pam, approver, agent, exceptionId } = await breakGlass();
    const [event] = await getDb().auditEvent.findMany({ where: { agentId: agent.id, action: 'exception.requested' } });
    const rows = await getDb().notification.findMany({ where: { eventSeq: event!.seq } });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['breakglass.requested']));
    const to = rows.map((r) => r.userId ?? r.address);
    expect(to).toContain(pam.id);
    expect(to).toContain(approver.id);
    expect(to).toContain('oncall@example.com');
    // Never the requester, and each recipient once.
    expect(to).not.toContain(owner.id);
    expect(new Set(to).size).toBe(to.length);
    expect(rows.every((r) => (r.payload as { exceptionId: string }).exceptionId === exceptionId)).toBe(true);
  });

  it('a rolled-back change notifies no one: the rows go with the event', async () => {
    const { agent, exceptionId } = await breakGlass();
    const before = await getDb().notification.count();
    await expect(
      getDb().$transaction(async (tx) => {
        await appendAuditEvent(tx, {
          action: 'exception.requested',
          actor: SYSTEM_ACTOR,
          agentId: agent.id,
          details: { exceptionId, type: 'BREAK_GLASS' },
        });
        expect(await tx.notification.count()).toBeGreaterThan(before);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await getDb().notification.count()).toBe(before);
  });

  it('decisions tell the requester; an unrelated action tells no one', async () => {
    const { owner, approver, exceptionId } = await breakGlass();
    await decideException(approver, { exceptionId, outcome: 'REJECT', reason: 'Not an outage' });
    const told = await getDb().notification.findMany({ where: { kind: 'exception.decided' } });
    expect(told.map((n) => n.userId)).toEqual([owner.id]);
    expect(told[0]!.payload).toMatchObject({ outcome: 'rejected', reason: 'Not an outage' });
  });

  it('a person deactivated who owns agents is told to every security lead, not to themselves', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER'], { name: 'Leaver' });
    await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'MEDIUM' });
    const { version } = await getDb().user.findUniqueOrThrow({ where: { id: owner.id } });
    await deactivateUser(admin, { userId: owner.id, version, reason: 'Left the company' });
    const rows = await getDb().notification.findMany({ where: { kind: 'person.deactivated' } });
    const leads = await getDb().user.findMany({ where: { active: true, roles: { has: 'ADMIN' } } });
    expect(new Set(rows.map((r) => r.userId))).toEqual(new Set(leads.map((l) => l.id)));
    expect(rows[0]!.payload).toMatchObject({ personName: 'Leaver', owns: 1 });
  });
});

describe('findings on the timeline', () => {
  it('the sync appends finding.opened and .closed; a critical one tells the owner and the plane’s owner', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const platform = await createPerson(['OWNER'], { name: 'Platform owner' });
    const agent = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'MEDIUM' }, { PLATFORM: platform.id });
    const { id: credentialId } = await issueCredential(owner, {
      agentId: agent.id,
      name: 'leaky-key',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
    });
    await syncFindings();
    const before = await getDb().notification.count({ where: { kind: 'finding.critical' } });
    await getDb().credential.update({ where: { id: credentialId }, data: { usedAfterRevocationAt: new Date() } });
    await syncFindings();
    const rule = { path: ['ruleId'], equals: 'use-after-revocation' };
    const [opened] = await getDb().auditEvent.findMany({
      where: { agentId: agent.id, action: 'finding.opened', credentialId, details: rule },
    });
    expect(opened?.details).toMatchObject({ ruleId: 'use-after-revocation', severity: 'CRITICAL', plane: 'PLATFORM' });
    const told = await getDb().notification.findMany({ where: { eventSeq: opened!.seq } });
    expect(new Set(told.map((n) => n.userId))).toEqual(new Set([owner.id, platform.id]));
    expect(told.every((n) => n.kind === 'finding.critical')).toBe(true);
    // Closed: on the timeline, and nobody is told.
    await getDb().credential.update({ where: { id: credentialId }, data: { usedAfterRevocationAt: null } });
    await syncFindings();
    const closed = await getDb().auditEvent.findMany({
      where: { agentId: agent.id, action: 'finding.closed', credentialId, details: rule },
    });
    expect(closed).toHaveLength(1);
    expect(await getDb().notification.count({ where: { kind: 'finding.critical' } })).toBe(before + 2);
  });
});

describe('timers', () => {
  it('a break-glass still pending after 15 minutes reminds its approvers once, whoever sweeps', async () => {
    const { exceptionId, approver } = await breakGlass();
    expect(await oweDue(later(10 * 60_000))).toBe(0);
    const written = await oweDue(later(16 * 60_000));
    expect(written).toBeGreaterThanOrEqual(3);
    expect(await oweDue(later(17 * 60_000))).toBe(0);
    const reminders = await getDb().notification.findMany({ where: { cause: `breakglass.pending:${exceptionId}` } });
    expect(reminders.map((r) => r.userId)).toContain(approver.id);
    expect(reminders.every((r) => r.kind === 'breakglass.pending')).toBe(true);
  });

  it('an exception in force warns 24 hours and 1 hour before it ends, each once', async () => {
    const owner = await createPerson(['OWNER']);
    const id = await cachedSecret(owner, 48);
    await decideException(await createPerson(['PAM_APPROVER']), {
      exceptionId: id,
      outcome: 'APPROVE',
      reason: 'Agreed',
    });
    const ending = () => getDb().notification.findMany({ where: { cause: { startsWith: `exception.ending:${id}:` } } });
    await oweDue(later(60_000));
    await oweDue(later(23 * 3_600_000));
    expect(await ending()).toHaveLength(0);
    await oweDue(later(24.5 * 3_600_000));
    await oweDue(later(24.6 * 3_600_000));
    const day = await ending();
    expect(day.map((n) => (n.payload as { within: string }).within)).toEqual(['24 hours']);
    expect(day.map((n) => n.userId)).toEqual([owner.id]);
    await oweDue(later(47.5 * 3_600_000));
    await oweDue(later(47.6 * 3_600_000));
    expect((await ending()).map((n) => n.cause).sort()).toEqual([
      `exception.ending:${id}:1h`,
      `exception.ending:${id}:24h`,
    ]);
  });
});

describe('channels', () => {
  it('e-mail goes through the SMTP server with the link to the page where the person acts', async () => {
    const { pam, exceptionId } = await breakGlass();
    await deliverDue(new Date(), withSmtp());
    const person = await getDb().user.findUniqueOrThrow({ where: { id: pam.id } });
    const mail = mails.find((m) => m.to === person.email);
    expect(mail, 'the PAM owner’s e-mail').toBeDefined();
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toMatch(/^Break-glass requested on .*: decide now$/);
    expect(parsed.text).toContain(`/exceptions/${exceptionId}`);
    const row = await getDb().notification.findFirstOrThrow({
      where: { userId: pam.id, kind: 'breakglass.requested' },
    });
    expect(parsed.headers.get('x-custodian-notification-id')).toBe(row.id);
    expect(row.status).toBe('SENT');
    const tries = await getDb().notificationAttempt.findMany({ where: { notificationId: row.id } });
    expect(tries).toHaveLength(1);
    expect(tries[0]!.ok).toBe(true);
  });

  it('an SMTP server that is down is retried with backoff, then dead-lettered; a resend delivers it', async () => {
    const { approver } = await breakGlass();
    const row = () =>
      getDb().notification.findFirstOrThrow({ where: { userId: approver.id, kind: 'breakglass.requested' } });
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let clock = Date.now();
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await deliverDue(new Date(clock), withSmtp(9));
      clock += (RETRY_DELAYS_MS[i] ?? 0) + 1_000;
    }
    const dead = await row();
    expect(dead.status).toBe('DEAD');
    expect(dead.attempts).toBe(MAX_ATTEMPTS);
    expect(dead.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    const tries = await getDb().notificationAttempt.findMany({ where: { notificationId: dead.id } });
    expect(tries).toHaveLength(MAX_ATTEMPTS);
    expect(tries.every((t) => !t.ok)).toBe(true);
    // Dead stays dead: later sweeps do not try again.
    await deliverDue(new Date(clock + 86_400_000), withSmtp(9));
    expect((await row()).attempts).toBe(MAX_ATTEMPTS);

    const admin = await createPerson(['ADMIN']);
    await expect(resendNotification(approver, { id: dead.id })).rejects.toBeInstanceOf(Forbidden);
    await resendNotification(admin, { id: dead.id, status: 'DEAD' });
    await deliverDue(new Date(), withSmtp());
    expect((await row()).status).toBe('SENT');
    const log = await listNotifications(admin, { status: 'SENT', kind: 'breakglass.requested' });
    expect(log.rows.find((r) => r.id === dead.id)?.attempts.length).toBe(MAX_ATTEMPTS + 1);
  });

  it('without SMTP the e-mail is skipped and says why; a muted kind is skipped, a required one is not', async () => {
    const owner = await createPerson(['OWNER']);
    const { approver, exceptionId } = await breakGlass();
    // The approver mutes everything they may: break-glass still reaches them.
    await setPreferences(approver, { email: [] });
    await decideException(approver, { exceptionId, outcome: 'REJECT', reason: 'Not needed' });
    await deliverDue(new Date(), noSmtp());
    const theirs = await getDb().notification.findMany({ where: { userId: approver.id } });
    expect(theirs.every((n) => n.status === 'SKIPPED')).toBe(true);
    expect(theirs.find((n) => n.kind === 'breakglass.requested')?.lastError).toMatch(/No SMTP server/);
    // An owner who mutes decisions is not e-mailed them.
    await setPreferences(owner, { email: ['exception.ended'] });
    const id = await cachedSecret(owner, 24);
    await decideException(approver, { exceptionId: id, outcome: 'APPROVE', reason: 'Fine' });
    const decided = await getDb().notification.findFirstOrThrow({
      where: { userId: owner.id, kind: 'exception.decided' },
    });
    expect(decided.status).toBe('SKIPPED');
    expect(decided.lastError).toMatch(/Muted/);
  });

  it('a webhook gets a signed payload; after a 500 the same notification is retried and accepted', async () => {
    const hook = await receiver([500]);
    try {
      const admin = await createPerson(['ADMIN']);
      await createEndpoint(admin, {
        name: 'SOC webhook',
        channel: 'WEBHOOK',
        url: hook.url,
        secretRef: 'env:NOTIFY_TEST_SECRET',
        kinds: ['breakglass.requested'],
        active: 'on',
      });
      const { exceptionId } = await breakGlass();
      const now = new Date();
      await deliverDue(now, noSmtp());
      expect(hook.received).toHaveLength(1);
      const endpoint = await getDb().notificationEndpoint.findUniqueOrThrow({ where: { name: 'SOC webhook' } });
      const row = await getDb().notification.findFirstOrThrow({ where: { endpointId: endpoint.id } });
      expect(row.status).toBe('PENDING');
      expect(row.lastError).toBe('HTTP 500');
      // Not yet due again.
      await deliverDue(new Date(now.getTime() + 10_000), noSmtp());
      expect(hook.received).toHaveLength(1);
      await deliverDue(new Date(now.getTime() + RETRY_DELAYS_MS[0] + 1_000), noSmtp());
      expect(hook.received).toHaveLength(2);
      expect((await getDb().notification.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('SENT');

      for (const { headers, body } of hook.received) {
        expect(headers['custodian-notification-id']).toBe(row.id);
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['custodian-signature']))!;
        const expected = createHmac('sha256', 'whsec-test-only-0123456789').update(`${t}.${body}`).digest('hex');
        expect(v1).toBe(expected);
        expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
        const payload = JSON.parse(body) as Record<string, unknown>;
        expect(payload).toMatchObject({ id: row.id, kind: 'breakglass.requested' });
        expect(String(payload.url)).toMatch(new RegExp(`/exceptions/${exceptionId}$`));
      }
      // A tampered body would not verify.
      const { body } = hook.received[0]!;
      const t = /t=(\d+)/.exec(String(hook.received[0]!.headers['custodian-signature']))![1];
      expect(createHmac('sha256', 'whsec-test-only-0123456789').update(`${t}.${body} `).digest('hex')).not.toBe(
        /v1=(\w+)/.exec(String(hook.received[0]!.headers['custodian-signature']))![1],
      );
    } finally {
      await hook.close();
    }
  });

  it('a Slack endpoint gets a Slack-compatible message, its URL read from the reference', async () => {
    const hook = await receiver();
    try {
      process.env.NOTIFY_TEST_SLACK_URL = hook.url;
      const admin = await createPerson(['ADMIN']);
      // Slack's URL is its secret: a URL is refused, a reference accepted.
      await expect(
        createEndpoint(admin, { name: 'Chat', channel: 'SLACK', url: hook.url, kinds: [], active: 'on' }),
      ).rejects.toMatchObject({ fieldErrors: { url: [expect.stringMatching(/give a reference/)] } });
      await createEndpoint(admin, {
        name: 'Chat',
        channel: 'SLACK',
        url: 'env:NOTIFY_TEST_SLACK_URL',
        kinds: ['breakglass.requested'],
        active: 'on',
      });
      await breakGlass();
      await deliverDue(new Date(), noSmtp());
      expect(hook.received).toHaveLength(1);
      const payload = JSON.parse(hook.received[0]!.body) as { text: string; blocks: { type: string }[] };
      expect(payload.text).toMatch(/^Break-glass requested on /);
      expect(payload.blocks.map((b) => b.type)).toEqual(['section', 'actions']);
      expect(hook.received[0]!.headers['custodian-signature']).toBeUndefined();
    } finally {
      await hook.close();
    }
  });
});

describe('faults and address checks', () => {
  it('a private or loopback URL is refused before any connection, unless the operator allows its range', async () => {
    const hook = await receiver();
    try {
      delete process.env.CUSTODIAN_WEBHOOK_ALLOW_PRIVATE;
      resetEnvCache();
      const admin = await createPerson(['ADMIN']);
      const before = await databaseFingerprint();
      for (const url of [
        hook.url,
        hook.url.replace('127.0.0.1', 'localhost'),
        'http://10.1.2.3/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]:8080/hook',
        'http://[::ffff:192.168.1.1]/hook',
        'ftp://example.com/hook',
        'not a url',
      ]) {
        await expect(
          createEndpoint(admin, {
            name: 'Internal',
            channel: 'WEBHOOK',
            url,
            secretRef: 'env:NOTIFY_TEST_SECRET',
            kinds: [],
            active: 'on',
          }),
          url,
        ).rejects.toBeInstanceOf(Invalid);
      }
      expect(hook.connections()).toBe(0);
      expect(await databaseFingerprint()).toEqual(before);
      // A webhook without its signing secret, or with a pasted secret instead of a reference, is refused too.
      await expect(
        createEndpoint(admin, { name: 'Unsigned', channel: 'WEBHOOK', url: 'https://example.com/h', kinds: [] }),
      ).rejects.toMatchObject({ fieldErrors: { secretRef: [expect.stringMatching(/every webhook is signed/)] } });
    } finally {
      await hook.close();
    }
  });

  it('an endpoint moved to a private address behind Custodian’s back is refused at delivery', async () => {
    const hook = await receiver();
    try {
      const admin = await createPerson(['ADMIN']);
      await createEndpoint(admin, {
        name: 'Allowed at first',
        channel: 'WEBHOOK',
        url: hook.url,
        secretRef: 'env:NOTIFY_TEST_SECRET',
        kinds: ['breakglass.requested'],
        active: 'on',
      });
      // The operator withdraws the allowance: the saved URL no longer passes, and delivery checks it again.
      delete process.env.CUSTODIAN_WEBHOOK_ALLOW_PRIVATE;
      resetEnvCache();
      await breakGlass();
      await deliverDue(new Date(), noSmtp());
      expect(hook.connections()).toBe(0);
      const endpoint = await getDb().notificationEndpoint.findUniqueOrThrow({ where: { name: 'Allowed at first' } });
      const row = await getDb().notification.findFirstOrThrow({ where: { endpointId: endpoint.id } });
      expect(row.status).toBe('PENDING');
      expect(row.lastError).toMatch(/Refused before connecting: 127\.0\.0\.1 is a loopback/);
    } finally {
      await hook.close();
    }
  });

  it('a receiver that never answers is cut off and retried; the request that caused it was never held up', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = http.createServer(() => {});
    silent.on('connection', (s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const admin = await createPerson(['ADMIN']);
      await createEndpoint(admin, {
        name: 'Silent',
        channel: 'WEBHOOK',
        url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`,
        secretRef: 'env:NOTIFY_TEST_SECRET',
        kinds: ['breakglass.requested'],
        active: 'on',
      });
      const started = Date.now();
      await breakGlass();
      expect(Date.now() - started).toBeLessThan(10_000);
      const { postJson } = await import('./webhook');
      const { allowedRanges } = await import('./address-guard');
      const result = await postJson(
        `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`,
        '{}',
        {},
        allowedRanges('127.0.0.1/32'),
        500,
      );
      expect(result).toEqual({ ok: false, detail: expect.stringMatching(/no answer within 0.5 s/) });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('references name NOTIFY_ variables or small regular files; a key-bearing URL goes in by reference', async () => {
    const admin = await createPerson(['ADMIN']);
    const webhook = (fields: Record<string, unknown>) =>
      createEndpoint(admin, {
        name: `Refs ${Math.random()}`,
        channel: 'WEBHOOK',
        url: 'https://93.184.215.14/hook',
        secretRef: 'env:NOTIFY_TEST_SECRET',
        kinds: ['breakglass.requested'],
        ...fields,
      });
    // Custodian's own configuration is not an endpoint's secret.
    await expect(webhook({ secretRef: 'env:NEXTAUTH_SECRET' })).rejects.toMatchObject({
      fieldErrors: { secretRef: [expect.stringMatching(/NOTIFY_/)] },
    });
    // Files only under the directory the operator set aside: not the audit key, not /proc, nor a link out of it.
    const slack = (url: string) =>
      createEndpoint(admin, { name: `File ${Math.random()}`, channel: 'SLACK', url, kinds: [] });
    await expect(slack('file:/dev/zero')).rejects.toMatchObject({
      fieldErrors: { url: [expect.stringMatching(/File references are off for notifications/)] },
    });
    await expect(webhook({ secretRef: 'file:/proc/self/environ' })).rejects.toMatchObject({
      fieldErrors: { secretRef: [expect.stringMatching(/File references are off for notifications/)] },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'notify-'));
    process.env.NOTIFY_SECRETS_DIR = dir;
    resetEnvCache();
    try {
      symlinkSync('/proc/self/environ', path.join(dir, 'environ'));
      mkdirSync(path.join(dir, 'a-directory'));
      writeFileSync(path.join(dir, 'hook-secret'), 'whsec-file-0123456789\n');
      for (const ref of ['file:/dev/zero', `file:${dir}/../etc/passwd`, `file:${dir}/environ`]) {
        await expect(webhook({ secretRef: ref }), ref).rejects.toMatchObject({
          fieldErrors: { secretRef: [expect.stringMatching(/lies under/)] },
        });
      }
      // Under it, a directory (or a device, a FIFO) never hangs the request that saves the form: refused, naming
      // the problem, not the content.
      await expect(slack(`file:${dir}/a-directory`)).rejects.toMatchObject({
        fieldErrors: { url: [expect.stringMatching(/not a regular file/)] },
      });
      await expect(webhook({ secretRef: `file:${dir}/hook-secret` })).resolves.toMatch(/^Added/);
    } finally {
      delete process.env.NOTIFY_SECRETS_DIR;
      resetEnvCache();
    }
    // A URL with its key in it is refused as a URL, accepted as a reference.
    const keyed = 'https://93.184.215.14/webhookb2/0123456789abcdef0123456789abcdef';
    await expect(webhook({ url: keyed })).rejects.toMatchObject({
      fieldErrors: { url: [expect.stringMatching(/carries what looks like a key/)] },
    });
    process.env.NOTIFY_TEST_TEAMS_URL = keyed;
    await expect(webhook({ url: 'env:NOTIFY_TEST_TEAMS_URL' })).resolves.toMatch(/^Added/);
    // What a reference holds is never repeated in a refusal.
    process.env.NOTIFY_TEST_TEAMS_URL = 'http://10.9.8.7/hook';
    const refused = await webhook({ url: 'env:NOTIFY_TEST_TEAMS_URL' }).catch((e: Invalid) => e);
    expect(JSON.stringify((refused as Invalid).fieldErrors)).not.toContain('10.9.8.7');
  });

  it('a broken endpoint can be turned off; a stale or muted resend is refused', async () => {
    const admin = await createPerson(['ADMIN']);
    process.env.NOTIFY_TEST_GONE = 'https://93.184.215.14/hook';
    await createEndpoint(admin, {
      name: 'Soon broken',
      channel: 'SLACK',
      url: 'env:NOTIFY_TEST_GONE',
      kinds: ['review.overdue'],
      active: 'on',
    });
    delete process.env.NOTIFY_TEST_GONE;
    const endpoint = await getDb().notificationEndpoint.findUniqueOrThrow({ where: { name: 'Soon broken' } });
    const off = { id: endpoint.id, version: 1, name: 'Soon broken', channel: 'SLACK', url: 'env:NOTIFY_TEST_GONE' };
    await expect(updateEndpoint(admin, { ...off, kinds: [], active: 'on' })).rejects.toBeInstanceOf(Invalid);
    await expect(updateEndpoint(admin, { ...off, kinds: [] })).resolves.toBe('Saved Soon broken.');
    expect((await getDb().notificationEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).active).toBe(false);

    const owner = await createPerson(['OWNER']);
    const { approver, exceptionId } = await breakGlass();
    await setPreferences(owner, { email: [] });
    const id = await cachedSecret(owner, 24);
    await decideException(approver, { exceptionId: id, outcome: 'REJECT', reason: 'Not needed' });
    const muted = await getDb().notification.findFirstOrThrow({
      where: { userId: owner.id, kind: 'exception.decided' },
    });
    await expect(resendNotification(admin, { id: muted.id, status: 'SKIPPED' })).rejects.toThrow(/muted/);
    await deliverDue(new Date(), withSmtp());
    const sent = await getDb().notification.findFirstOrThrow({
      where: {
        userId: approver.id,
        kind: 'breakglass.requested',
        payload: { path: ['exceptionId'], equals: exceptionId },
      },
    });
    expect(sent.status).toBe('SENT');
    // A lead whose page still said "dead" does not send it twice.
    await expect(resendNotification(admin, { id: sent.id, status: 'DEAD' })).rejects.toThrow(/changed since/);
  });

  it('only a security lead manages endpoints; others see only their own notifications', async () => {
    const owner = await createPerson(['OWNER']);
    const { approver } = await breakGlass();
    await expect(
      createEndpoint(owner, {
        name: 'Mine',
        channel: 'WEBHOOK',
        url: 'https://example.com/h',
        secretRef: 'env:NOTIFY_TEST_SECRET',
        kinds: [],
      }),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(updateEndpoint(owner, { id: 'x', version: 1 })).rejects.toBeInstanceOf(Forbidden);
    const mine = await listNotifications(approver, {});
    expect(mine.everyone).toBe(false);
    expect(mine.rows.length).toBeGreaterThan(0);
    const ids = new Set((await getDb().notification.findMany({ where: { userId: approver.id } })).map((n) => n.id));
    expect(mine.rows.every((r) => ids.has(r.id))).toBe(true);
    // Whether it went, not what the server answered: that names infrastructure.
    await deliverDue(new Date(), withSmtp(9));
    const after = await listNotifications(approver, {});
    const tried = after.rows.filter((r) => r.attempts.length > 0);
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.every((r) => r.lastError === null && r.attempts.every((a) => a.detail === 'not accepted'))).toBe(true);
    const lead = await listNotifications(await createPerson(['ADMIN']), {});
    expect(lead.rows.some((r) => r.attempts.some((a) => /ECONNREFUSED|ESOCKET|ECONNECTION/.test(a.detail)))).toBe(true);
  });
});

// Each rule attacked by the person it governs, through a path other than the one it was written for.
describe('attacks by the people the rules govern', () => {
  it('a lead who may not point a webhook inward cannot get there by editing, or by parking it off first', async () => {
    const hook = await receiver();
    try {
      delete process.env.CUSTODIAN_WEBHOOK_ALLOW_PRIVATE;
      resetEnvCache();
      const admin = await createPerson(['ADMIN']);
      const fields = { channel: 'WEBHOOK', secretRef: 'env:NOTIFY_TEST_SECRET', kinds: ['breakglass.requested'] };
      await createEndpoint(admin, { name: 'Parked', url: 'https://93.184.215.14/hook', active: 'on', ...fields });
      const { id } = await getDb().notificationEndpoint.findUniqueOrThrow({ where: { name: 'Parked' } });
      // An edit is checked as a creation is.
      await expect(
        updateEndpoint(admin, { id, version: 1, name: 'Parked', url: hook.url, active: 'on', ...fields }),
      ).rejects.toMatchObject({ fieldErrors: { url: [expect.stringMatching(/loopback, private or reserved/)] } });
      // Turned off, the inward URL is saved (nothing is sent to an endpoint that is off)…
      await updateEndpoint(admin, { id, version: 1, name: 'Parked', url: hook.url, ...fields });
      // …and turning it on again is the check it skipped.
      await expect(
        updateEndpoint(admin, { id, version: 2, name: 'Parked', url: hook.url, active: 'on', ...fields }),
      ).rejects.toBeInstanceOf(Invalid);
      // Switched on behind Custodian's back (the database), delivery still refuses before connecting.
      await getDb().notificationEndpoint.update({ where: { id }, data: { active: true } });
      await breakGlass();
      await deliverDue(new Date(), noSmtp());
      expect(hook.connections()).toBe(0);
      const row = await getDb().notification.findFirstOrThrow({ where: { endpointId: id } });
      expect(row.lastError).toMatch(/Refused before connecting/);
    } finally {
      await hook.close();
    }
  });

  it('a person’s preferences are their own: naming someone else mutes only the sender', async () => {
    const owner = await createPerson(['OWNER']);
    const approver = await createPerson(['PAM_APPROVER']);
    await setPreferences(owner, { email: [], userId: approver.id });
    expect(await getDb().notificationMute.count({ where: { userId: approver.id } })).toBe(0);
    expect(await getDb().notificationMute.count({ where: { userId: owner.id } })).toBeGreaterThan(0);
  });

  it('a person deactivated after a notification is written is not e-mailed it: delivery reads them anew', async () => {
    const admin = await createPerson(['ADMIN']);
    const { approver } = await breakGlass();
    const { version } = await getDb().user.findUniqueOrThrow({ where: { id: approver.id } });
    await deactivateUser(admin, { userId: approver.id, version, reason: 'Left the company' });
    await deliverDue(new Date(), withSmtp());
    const theirs = await getDb().notification.findFirstOrThrow({
      where: { userId: approver.id, kind: 'breakglass.requested' },
    });
    expect(theirs.status).toBe('SKIPPED');
    expect(theirs.lastError).toMatch(/deactivated/);
    const person = await getDb().user.findUniqueOrThrow({ where: { id: approver.id } });
    expect(mails.some((m) => m.to === person.email)).toBe(false);
  });
});
