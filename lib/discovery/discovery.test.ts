import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { POST as applyRoute } from '@/app/api/v1/discovery/apply/route';
import { POST as planRoute } from '@/app/api/v1/discovery/plan/route';
import { GET as openapi } from '@/app/api/v1/openapi.json/route';
import { registryDrift } from '@/lib/audit/drift';
import { revokeCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid } from '@/lib/errors';
import { makeActiveAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';
import { removeRole } from '@/lib/users/commands';
import { applyDiscovery, planDiscovery } from './apply';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const unique = () => Math.random().toString(16).slice(2, 10).padEnd(8, '0');

/** The Vault fixture with its identities and request ids made this test's own (the database is shared by file). */
function vaultLog(tag = unique()) {
  const text = readFileSync(path.join(FIXTURES, 'vault-audit.log'), 'utf8')
    .replaceAll('b7e1c5a0-1111', `${tag}-1111`)
    .replaceAll('deploy-runner', `deploy-runner-${tag}`)
    .replaceAll('reports-etl', `reports-etl-${tag}`)
    .replaceAll('5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', `${tag}-9e0f-4a1b-8c2d-3e4f5a6b7c8d`);
  return {
    text,
    tag,
    runner: `system:serviceaccount:ci:deploy-runner-${tag}`,
    etl: `vault-approle://reports-etl-${tag}`,
    entity: `vault-entity://${tag}-9e0f-4a1b-8c2d-3e4f5a6b7c8d`,
  };
}

function awsReport(account = String(Math.floor(1e11 + Math.random() * 9e11))) {
  return {
    text: readFileSync(path.join(FIXTURES, 'aws-credential-report.csv'), 'utf8').replaceAll('111122223333', account),
    arn: (user: string) => `arn:aws:iam::${account}:user/${user}`,
  };
}

const fingerprint = async () => ({ ...(await databaseFingerprint()), ApiToken: undefined, ApiRateBucket: undefined });

/** The custody events on an agent (the findings sync that follows an apply adds its finding events besides). */
async function eventsOn(agentId: string) {
  return getDb().auditEvent.findMany({
    where: { agentId, action: { notIn: ['finding.opened', 'finding.closed'] } },
    orderBy: { seq: 'asc' },
  });
}

describeWithPostgresServer('discovery from real logs', () => {
  it('a Vault log: two agents proposed, custody on a known one, a person reported; re-imported: nothing', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const log = vaultLog();
    const known = await makeActiveAgent(admin, { ownerId: owner.id, workloadIdentity: log.entity });
    const before = await fingerprint();
    const plan = await planDiscovery(admin, { source: 'vault-audit', file: log.text });
    expect(await fingerprint()).toEqual(before);
    expect(plan.summary).toEqual({ propose: 2, record: 1, unchanged: 0, person: 1, refused: 0 });
    expect(plan.entries).toBe(15);
    expect(plan.skipped).toEqual({
      'request entries (their responses are read)': 2,
      'failed requests': 1,
      'system, auth and token paths': 2,
      'lists, metadata reads, writes and other engines': 3,
    });
    const row = (identity: string) => plan.rows.find((r) => r.identity === identity)!;
    expect(row(log.runner)).toMatchObject({
      action: 'propose',
      line: 2,
      seenOn: ['database/', 'secret/'],
      paths: ['database/creds/readonly', 'secret/data/ci/registry'],
      firstSeen: '2026-11-30T09:00:01.287Z',
      lastSeen: '2026-11-30T10:05:12.000Z',
      requests: 3,
      events: { new: 3, recorded: 0 },
      agent: { slug: `ci-deploy-runner-${log.tag}`, id: null, status: 'PROPOSED' },
    });
    // A KV version 1 read answers with an empty lease: still a static secret read, not one issued.
    expect(row(log.etl)).toMatchObject({
      action: 'propose',
      seenOn: ['secret/', 'kv1/'],
      credentials: [
        { name: 'vault-secret-reports-warehouse', new: true },
        { name: 'vault-kv1-reports-smtp', new: true },
      ],
      events: { new: 2, recorded: 0 },
    });
    expect(row(log.entity)).toMatchObject({ action: 'record', agent: { id: known.id }, events: { new: 1 } });
    expect(row('vault-user:alice')).toMatchObject({ action: 'person', agent: null });

    const expect_ = Object.fromEntries(plan.rows.filter((r) => r.digest).map((r) => [r.identity, r.digest]));
    const summary = await applyDiscovery(admin, { source: 'vault-audit', file: log.text, expect: expect_ });
    // Six sightings (the records of the three keys seen only in use, each carried by an event of its own, are counted
    // with the custody records).
    expect(summary).toMatchObject({ recordedOn: 1, credentials: 5, events: 6 });
    // Proposed agents already holding credentials, a static secret never rotated: findings, counted for the lead.
    expect(summary.findings).toBeGreaterThanOrEqual(2);
    expect(summary.proposed.map((p) => p.slug).sort()).toEqual(
      [`ci-deploy-runner-${log.tag}`, `reports-etl-${log.tag}`].sort(),
    );

    const runner = await getDb().agent.findUniqueOrThrow({
      where: { workloadIdentity: log.runner },
      include: { credentials: { orderBy: { name: 'asc' } } },
    });
    expect(runner).toMatchObject({ status: 'PROPOSED', ownerId: null, environments: ['PROD'], riskTier: 'MEDIUM' });
    expect(runner.description).toContain('3 requests from 2026-11-30 09:00 to 2026-11-30 10:05 UTC');
    expect(runner.credentials.map((c) => [c.name, c.kind, c.issuance, c.storage, c.secretRef])).toEqual([
      [
        'vault-database-creds-readonly',
        'DATABASE_PASSWORD',
        'DYNAMIC',
        'VAULT_OR_BROKER',
        'vault:database/creds/readonly',
      ],
      ['vault-secret-ci-registry', 'OTHER', 'STATIC', 'VAULT_OR_BROKER', 'vault:secret/ci/registry'],
    ]);
    const events = await eventsOn(runner.id);
    expect(events.map((e) => e.action)).toEqual([
      'agent.created',
      'agent.discovered',
      'credential.issued', // the record of the registry secret, seen only in use
      'credential.issued',
      'credential.issued',
      'credential.used',
    ]);
    expect(events[2]!.details).toMatchObject({
      name: 'vault-secret-ci-registry',
      record: { issuance: 'STATIC', storage: 'VAULT_OR_BROKER', secretRef: 'vault:secret/ci/registry' },
    });
    expect(events[3]!.occurredAt.toISOString()).toBe('2026-11-30T09:00:01.287Z');
    expect(events[3]!.details).toMatchObject({ record: { issuance: 'DYNAMIC' } });
    expect(events[4]!.details).not.toHaveProperty('record');
    expect(events[5]!.details).toMatchObject({ discovered: 'vault-audit', context: 'read secret/data/ci/registry' });
    const knownEvents = await eventsOn(known.id);
    expect(knownEvents.at(-1)).toMatchObject({ action: 'credential.issued', actorId: admin.id });
    // Every record it made is carried by an event (one seen only in use, by one of its own): none is unexplained.
    const unexplained = (await registryDrift(getDb())).filter((d) => d.kind === 'credential' || d.kind === 'agent');
    expect(unexplained).toEqual([]);
    // A person is reported, never proposed.
    expect(await getDb().agent.count({ where: { workloadIdentity: 'vault-user:alice' } })).toBe(0);
    // Nothing Vault hashed, nor any request or response data, is kept.
    const [row0] = await getDb().$queryRaw<{ leaked: bigint }[]>`
      SELECT (SELECT count(*) FROM "AuditEvent" WHERE "details"::text LIKE '%hmac-sha256%' OR "details"::text LIKE
        '%lease_id%' OR "details"::text LIKE '%Q2Jz7d1y%') +
        (SELECT count(*) FROM "Agent" WHERE "description" LIKE '%hmac%') +
        (SELECT count(*) FROM "Credential" WHERE coalesce("secretRef", '') LIKE '%Q2Jz7d1y%') AS leaked`;
    expect(Number(row0!.leaked)).toBe(0);

    // The same log again: every identity unchanged, nothing recorded twice.
    const again = await planDiscovery(admin, { source: 'vault-audit', file: log.text });
    expect(again.summary).toEqual({ propose: 0, record: 0, unchanged: 3, person: 1, refused: 0 });
    expect(again.rows.find((r) => r.identity === log.runner)!.events).toEqual({ new: 0, recorded: 3 });
    const quiet = await fingerprint();
    expect(await applyDiscovery(admin, { source: 'vault-audit', file: log.text })).toEqual({
      proposed: [],
      recordedOn: 0,
      credentials: 0,
      events: 0,
      reviews: 0,
      findings: 0,
    });
    expect(await fingerprint()).toEqual(quiet);
  });

  it('a loose key recorded on an agent in service opens its review unless its importer is independent', async () => {
    // A lead who owns an agent cannot record a production key kept in a config file on it without a second person:
    // the import is theirs, as an issue in the console would be.
    const lead = await createPerson(['ADMIN']);
    const report = awsReport();
    const agent = await makeActiveAgent(lead, {
      ownerId: lead.id,
      workloadIdentity: report.arn('ci-deployer'),
      environments: ['PROD'],
    });
    const summary = await applyDiscovery(lead, { source: 'aws-credential-report', file: report.text });
    expect(summary).toMatchObject({ recordedOn: 1, reviews: 1 });
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.triggers).toContain('CREDENTIAL_LOOSENED');
    expect(review.reviewerId).not.toBe(lead.id);
    const opened = await getDb().auditEvent.findFirstOrThrow({ where: { action: 'review.opened', agentId: agent.id } });
    expect(opened.actorId).toBe(lead.id);

    // The same report for an agent a lead independent of it imports: recorded, and no review.
    const other = awsReport();
    const owner = await createPerson(['OWNER']);
    const theirs = await makeActiveAgent(lead, {
      ownerId: owner.id,
      workloadIdentity: other.arn('ci-deployer'),
      environments: ['PROD'],
    });
    const independent = await createPerson(['ADMIN']);
    expect(await applyDiscovery(independent, { source: 'aws-credential-report', file: other.text })).toMatchObject({
      recordedOn: 1,
      credentials: 3,
      reviews: 0,
    });
    expect(await getDb().credential.count({ where: { agentId: theirs.id } })).toBe(1);
    expect(await getDb().review.findUnique({ where: { openForAgent: theirs.id } })).toBeNull();

    // Through the API the same lead's token vouches for nobody (the workload it governs may hold it): reviewed.
    const third = awsReport();
    const viaApi = await makeActiveAgent(lead, {
      ownerId: owner.id,
      workloadIdentity: third.arn('ci-deployer'),
      environments: ['PROD'],
    });
    const { token } = await createToken(independent, {
      name: `discover-${unique()}`,
      scopes: ['discovery:import'],
      expiresInDays: 1,
    });
    const response = await applyRoute(
      new Request('http://localhost/api/v1/discovery/apply', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'aws-credential-report', file: third.text }),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ recordedOn: 1, reviews: 1 });
    const apiReview = await getDb().review.findUniqueOrThrow({ where: { openForAgent: viaApi.id } });
    expect(apiReview.triggers).toContain('CREDENTIAL_LOOSENED');
  });

  it('a malformed line is refused with its line number, and a file of another format imports nothing', async () => {
    const admin = await createPerson(['ADMIN']);
    const log = vaultLog();
    const lines = log.text.split('\n');
    const before = await fingerprint();
    const attempts: [unknown, RegExp][] = [
      [
        {
          source: 'vault-audit',
          file: [...lines.slice(0, 2), '{"time": "2026-11-30T09:00', ...lines.slice(2)].join('\n'),
        },
        /line 3: not a JSON object/,
      ],
      [
        { source: 'vault-audit', file: [...lines.slice(0, 4), '{"hello": "world"}', ...lines.slice(4)].join('\n') },
        /line 5: not a Vault audit entry/,
      ],
      [
        { source: 'vault-audit', file: [...lines.slice(0, 5), '[1, 2]', ...lines.slice(5)].join('\n') },
        /line 6: not a Vault audit entry/,
      ],
      [{ source: 'vault-audit', file: awsReport().text }, /not a Vault audit log/],
      [{ source: 'aws-credential-report', file: log.text }, /not an AWS IAM credential report/],
      [
        {
          source: 'aws-credential-report',
          file: awsReport().text.replace(',2025-06-01T12:00:00+00:00,', ',last june,'),
        },
        /line 3: access_key_1_last_rotated is not a date/,
      ],
      [
        { source: 'aws-credential-report', file: awsReport().text.replace('user/service/etl-loader', 'group/etl') },
        /line 5: arn is not an IAM user ARN/,
      ],
      [{ source: 'vault-audit', file: '\n\n' }, /no Vault audit entries/],
      [
        { source: 'vault-audit', file: log.text.replace('2026-11-30T10:00:01.554012Z', '2099-01-01T00:00:00Z') },
        /line 11: time is in the future/,
      ],
      [
        { source: 'vault-audit', file: log.text.replace(`"deploy-runner-${log.tag}"`, `"deploy\\u0000runner"`) },
        /line 1: not a Vault audit entry/,
      ],
      [
        {
          source: 'aws-credential-report',
          file: awsReport().text.replace(',2025-06-01T12:00:00+00:00,', ',2099-06-01T12:00:00+00:00,'),
        },
        /line 3: access_key_1_last_rotated is in the future/,
      ],
      [{ source: 'splunk', file: log.text }, /vault-audit or aws-credential-report/],
    ];
    for (const [body, message] of attempts) {
      for (const run of [planDiscovery, applyDiscovery]) {
        const error = await run(admin, body).catch((e: unknown) => e);
        expect(error, String(message)).toBeInstanceOf(Invalid);
        expect(`${(error as Invalid).message} ${JSON.stringify((error as Invalid).fieldErrors)}`).toMatch(message);
      }
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('an AWS report: static keys with rotation and use, people reported, old keys findings; then news', async () => {
    const admin = await createPerson(['ADMIN']);
    const report = awsReport();
    const plan = await planDiscovery(admin, {
      source: 'aws-credential-report',
      file: report.text,
      environment: 'PROD',
    });
    expect(plan.summary).toEqual({ propose: 2, record: 0, unchanged: 0, person: 2, refused: 0 });
    const row = (user: string) => plan.rows.find((r) => r.identity === report.arn(user))!;
    expect(row('dana.kim')).toMatchObject({ action: 'person', reasons: [expect.stringContaining('console password')] });
    expect(row('ci-deployer').notes).toEqual([
      'access key 2 is inactive: not recorded',
      expect.stringMatching(/^aws-access-key-1 was last rotated \d+ days ago, past the 90-day rotation policy/),
    ]);
    expect(row('service/etl-loader')).toMatchObject({
      action: 'propose',
      credentials: [
        { name: 'aws-access-key-1', new: true },
        { name: 'aws-access-key-2', new: true },
      ],
      events: { new: 3, recorded: 0 },
    });
    await applyDiscovery(admin, { source: 'aws-credential-report', file: report.text });
    expect(await getDb().agent.count({ where: { workloadIdentity: report.arn('dana.kim') } })).toBe(0);
    const deployer = await getDb().agent.findUniqueOrThrow({
      where: { workloadIdentity: report.arn('ci-deployer') },
      include: { credentials: true },
    });
    expect(deployer).toMatchObject({ status: 'PROPOSED', ownerId: null, name: 'ci-deployer' });
    expect(deployer.credentials).toEqual([
      expect.objectContaining({
        name: 'aws-access-key-1',
        kind: 'API_KEY',
        issuance: 'STATIC',
        lastRotatedAt: new Date('2025-06-01T12:00:00Z'),
      }),
    ]);
    const key = deployer.credentials[0]!;
    expect(
      (await eventsOn(deployer.id)).map((e) => [
        e.action,
        e.occurredAt.toISOString(),
        (e.details as { context?: string }).context,
      ]),
    ).toEqual([
      ['agent.created', expect.any(String), undefined],
      ['agent.discovered', expect.any(String), undefined],
      ['credential.issued', '2025-06-01T12:00:00.000Z', undefined],
      ['credential.used', '2026-11-29T17:42:00.000Z', 's3 in us-east-1'],
    ]);
    // The key past its rotation policy is a finding now (the import syncs findings).
    const finding = await getDb().findingState.findFirst({
      where: { ruleId: 'rotation-overdue', credentialId: key.id },
    });
    expect(finding?.detail).toBe('aws-access-key-1 last rotated 2025-06-01');
    // …and on the key's timeline, as the findings' history.
    const opened = await getDb().auditEvent.findFirst({
      where: {
        action: 'finding.opened',
        credentialId: key.id,
        details: { path: ['ruleId'], equals: 'rotation-overdue' },
      },
    });
    expect(opened?.details).toMatchObject({ detail: 'aws-access-key-1 last rotated 2025-06-01' });

    // Next week's report: key 1 rotated and used again. Only that is recorded; the rest was recorded already.
    const later = report.text.replace(
      ',2025-06-01T12:00:00+00:00,2026-11-29T17:42:00+00:00,us-east-1,s3,',
      ',2026-11-30T12:00:00+00:00,2026-11-30T13:00:00+00:00,us-east-1,sqs,',
    );
    const next = await planDiscovery(admin, { source: 'aws-credential-report', file: later });
    expect(next.summary).toEqual({ propose: 0, record: 1, unchanged: 1, person: 2, refused: 0 });
    await applyDiscovery(admin, { source: 'aws-credential-report', file: later });
    expect(
      (await eventsOn(deployer.id)).slice(-2).map((e) => [e.action, (e.details as { context?: string }).context]),
    ).toEqual([
      ['credential.rotated', undefined],
      ['credential.used', 'sqs in us-east-1'],
    ]);
    expect((await getDb().credential.findUniqueOrThrow({ where: { id: key.id } })).lastRotatedAt).toEqual(
      new Date('2026-11-30T12:00:00Z'),
    );
    // An older report after the newer one moves nothing back and records nothing.
    const quiet = await fingerprint();
    await applyDiscovery(admin, { source: 'aws-credential-report', file: report.text });
    expect(await fingerprint()).toEqual(quiet);
  });

  it('an identity left out, a stale dry run, a known agent outside the environment: skipped or refused', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const log = vaultLog();
    await makeActiveAgent(admin, { ownerId: owner.id, workloadIdentity: log.entity, environments: ['STAGING'] });
    const plan = await planDiscovery(admin, { source: 'vault-audit', file: log.text });
    const entityRow = plan.rows.find((r) => r.identity === log.entity)!;
    expect(entityRow).toMatchObject({
      action: 'refused',
      reasons: [expect.stringMatching(/does not run in production/)],
    });
    const before = await fingerprint();
    await expect(applyDiscovery(admin, { source: 'vault-audit', file: log.text })).rejects.toThrow(
      /One identity is refused \(line 5: .*\): leave it out\. Nothing was imported\./,
    );
    const stale = Object.fromEntries(plan.rows.filter((r) => r.digest).map((r) => [r.identity, r.digest]));
    stale[log.etl] = '0'.repeat(32);
    await expect(
      applyDiscovery(admin, { source: 'vault-audit', file: log.text, exclude: [log.entity], expect: stale }),
    ).rejects.toBeInstanceOf(Conflict);
    expect(await fingerprint()).toEqual(before);

    const summary = await applyDiscovery(admin, {
      source: 'vault-audit',
      file: log.text,
      exclude: [log.entity, log.etl],
      environment: 'STAGING',
    });
    expect(summary.proposed.map((p) => p.slug)).toEqual([`ci-deploy-runner-${log.tag}`]);
    expect(await getDb().agent.count({ where: { workloadIdentity: log.etl } })).toBe(0);
    const runner = await getDb().agent.findUniqueOrThrow({
      where: { workloadIdentity: log.runner },
      include: { credentials: true },
    });
    expect(runner.environments).toEqual(['STAGING']);
    expect(runner.credentials.map((c) => c.environment)).toEqual(['STAGING', 'STAGING']);
  });

  it('only a security lead imports; over the API a token needs discovery:import and every agent', async () => {
    const log = vaultLog();
    const body = { source: 'vault-audit', file: log.text };
    const people = await Promise.all((['OWNER', 'AUDITOR', 'PAM_APPROVER'] as const).map((r) => createPerson([r])));
    const before = await fingerprint();
    for (const person of people) {
      await expect(planDiscovery(person, body)).rejects.toBeInstanceOf(Forbidden);
      await expect(applyDiscovery(person, body)).rejects.toBeInstanceOf(Forbidden);
    }
    await expect(planDiscovery(null, body)).rejects.toThrow(/Sign in/);
    expect(await fingerprint()).toEqual(before);

    const admin = await createPerson(['ADMIN']);
    const make = async (scopes: string[], extra: Record<string, unknown> = {}) =>
      (await createToken(admin, { name: `discover-${unique()}`, scopes, expiresInDays: 30, ...extra })).token;
    const call = (route: (r: Request) => Promise<Response>, token: string, payload: unknown) =>
      route(
        new Request('http://localhost/api/v1/discovery/plan', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        }),
      );
    const wrongScope = await make(['registry:write']);
    expect((await call(planRoute, wrongScope, body)).status).toBe(403);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: owner.id });
    const narrow = await make(['discovery:import'], { agentScope: 'LIST', agents: agent.slug });
    const beforeApi = await fingerprint();
    const refused = await call(applyRoute, narrow, body);
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toMatch(/reaches every agent/);
    expect(await fingerprint()).toEqual(beforeApi);

    const token = await make(['discovery:import']);
    const planned = await call(planRoute, token, body);
    expect(planned.status).toBe(200);
    const plan = await planned.json();
    expect(plan.summary).toMatchObject({ propose: 3, person: 1 });
    const bad = await call(planRoute, token, { ...body, environment: 'MOON' });
    expect(bad.status).toBe(422);
    const applied = await call(applyRoute, token, {
      ...body,
      expect: Object.fromEntries(
        plan.rows
          .filter((r: { digest: string }) => r.digest)
          .map((r: { identity: string; digest: string }) => [r.identity, r.digest]),
      ),
    });
    expect(applied.status).toBe(200);
    expect((await applied.json()).proposed).toHaveLength(3);
    const runner = await getDb().agent.findUniqueOrThrow({ where: { workloadIdentity: log.runner } });
    const created = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'agent.discovered', agentId: runner.id },
    });
    // The token acts as its creator: the security lead who made it is who proposed the agent.
    expect(created.actorId).toBe(admin.id);
    const doc = await (await openapi(new Request('http://localhost/api/v1/openapi.json'))).json();
    expect(doc.paths['/api/v1/discovery/apply'].post.security).toEqual([{ bearer: ['discovery:import'] }]);
    expect(doc.components.schemas.DiscoveryRequest.properties.source.enum).toEqual([
      'vault-audit',
      'aws-credential-report',
    ]);
  });

  it('two imports of one log at once record each event once', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const log = vaultLog();
    const known = await makeActiveAgent(admin, { ownerId: owner.id, workloadIdentity: log.entity });
    const body = { source: 'vault-audit', file: log.text };
    const results = await Promise.allSettled([applyDiscovery(admin, body), applyDiscovery(admin, body)]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(Conflict);
    await applyDiscovery(admin, body); // whatever the loser left undone
    const agents = await getDb().agent.findMany({
      where: { workloadIdentity: { in: [log.runner, log.etl, log.entity] } },
      select: { id: true },
    });
    const recorded = await getDb().auditEvent.count({
      where: {
        action: { in: ['credential.issued', 'credential.used'] },
        details: { path: ['discovered'], equals: 'vault-audit' },
        agentId: { in: agents.map((a) => a.id) },
      },
    });
    expect(recorded).toBe(9); // six sightings, three records of keys seen only in use
    expect(await getDb().agent.count({ where: { workloadIdentity: { in: [log.runner, log.etl] } } })).toBe(2);
    expect((await eventsOn(known.id)).filter((e) => e.action === 'credential.issued')).toHaveLength(1);
  });

  it('alike paths stay apart, left-out identities keep their slugs, a file naming another caller is told', async () => {
    const admin = await createPerson(['ADMIN']);
    const tag = unique();
    const entry = (id: string, role: string, path: string) =>
      JSON.stringify({
        time: '2026-11-30T11:00:00Z',
        type: 'response',
        auth: { metadata: { role_name: role }, entity_id: `${tag}-e` },
        request: { id: `${tag}-${id}`, operation: 'read', path, mount_type: 'kv', mount_point: 'secret/' },
        response: { mount_type: 'kv' },
      });
    const file = [
      entry('1', `deploy.bot.${tag}`, 'secret/data/a-b'),
      entry('2', `deploy.bot.${tag}`, 'secret/data/a/b'),
      entry('3', `deploy_bot_${tag}`, 'secret/data/x'),
    ].join('\n');
    const plan = await planDiscovery(admin, { source: 'vault-audit', file });
    const [first, second] = plan.rows;
    // Two secrets whose names would read alike are two records; the second carries a digest of its path.
    expect(first!.credentials.map((c) => c.name)).toEqual([
      'vault-secret-a-b',
      expect.stringMatching(/^vault-secret-a-b-[0-9a-f]{8}$/),
    ]);
    // Two identities whose slugs read alike each get a digest; leaving the first out keeps the second's as shown.
    expect(first!.agent!.slug).not.toBe(second!.agent!.slug);
    expect(second!.agent!.slug).toMatch(new RegExp(`^deploy-bot-${tag}-[0-9a-f]{8}$`));
    const expect_ = Object.fromEntries(plan.rows.map((r) => [r.identity, r.digest]));
    const done = await applyDiscovery(admin, {
      source: 'vault-audit',
      file,
      exclude: [first!.identity],
      expect: expect_,
    });
    expect(done.proposed.map((p) => p.slug)).toEqual([second!.agent!.slug]);

    // The same request ids, now said to be someone else's: nothing is recorded, and the dry run says why.
    const doctored = file.replaceAll(`deploy_bot_${tag}`, `intruder-${tag}`);
    const before = await fingerprint();
    const again = await planDiscovery(admin, { source: 'vault-audit', file: doctored });
    const intruder = again.rows.find((r) => r.identity === `vault-approle://intruder-${tag}`)!;
    expect(intruder.events).toEqual({ new: 0, recorded: 0 });
    expect(intruder.notes).toContain(
      '1 of its events was recorded before for another identity: this file and an earlier import disagree about who ' +
        'made the call',
    );
    expect(await fingerprint()).toEqual(before);
  });

  it('a revoked key is not rotated by a later report, and its use after revocation is evidence', async () => {
    const admin = await createPerson(['ADMIN']);
    const report = awsReport();
    await applyDiscovery(admin, { source: 'aws-credential-report', file: report.text });
    const agent = await getDb().agent.findUniqueOrThrow({
      where: { workloadIdentity: report.arn('ci-deployer') },
      include: { credentials: true },
    });
    const key = agent.credentials[0]!;
    await revokeCredential(admin, { credentialId: key.id, reason: 'Left in a public repository' });
    const revokedAt = (await getDb().credential.findUniqueOrThrow({ where: { id: key.id } })).revokedAt!;
    const later = report.text.replace(
      ',2025-06-01T12:00:00+00:00,2026-11-29T17:42:00+00:00,us-east-1,s3,',
      `,2026-11-30T12:00:00+00:00,${new Date(revokedAt.getTime() + 1000).toISOString()},us-east-1,s3,`,
    );
    await applyDiscovery(admin, { source: 'aws-credential-report', file: later });
    const after = await getDb().credential.findUniqueOrThrow({ where: { id: key.id } });
    expect(after.lastRotatedAt).toEqual(new Date('2025-06-01T12:00:00Z'));
    expect(after.usedAfterRevocationAt).toEqual(new Date(revokedAt.getTime() + 1000));
    const last = (await eventsOn(agent.id)).at(-1)!;
    expect([last.action, (last.details as { afterRevocation?: boolean }).afterRevocation]).toEqual([
      'credential.used',
      true,
    ]);
  });

  it('a lead who loses the role cannot import with the token they made before', async () => {
    // The rule: only a security lead imports. Its input, the token creator's role, is read at each request.
    const lead = await createPerson(['ADMIN']);
    const other = await createPerson(['ADMIN']);
    const { token } = await createToken(lead, {
      name: `lead-${unique()}`,
      scopes: ['discovery:import'],
      expiresInDays: 30,
    });
    const body = JSON.stringify({ source: 'vault-audit', file: vaultLog().text });
    const call = () =>
      applyRoute(
        new Request('http://localhost/api/v1/discovery/apply', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        }),
      );
    const version = (await getDb().user.findUniqueOrThrow({ where: { id: lead.id } })).version;
    await removeRole(other, { userId: lead.id, role: 'ADMIN', version });
    const before = await fingerprint();
    expect((await call()).status).toBe(403);
    expect(await fingerprint()).toEqual(before);
  });
});
