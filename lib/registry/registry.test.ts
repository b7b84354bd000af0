import { expect, it } from 'vitest';
import { GET as openapi } from '@/app/api/v1/openapi.json/route';
import { POST as applyRoute } from '@/app/api/v1/registry/apply/route';
import { POST as planRoute } from '@/app/api/v1/registry/plan/route';
import { getDb } from '@/lib/db';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';
import { applyRegistry, importEntries, planRegistry } from './apply';
import { readAgentsCsv, readRegistryYaml } from './spec';

const unique = () => Math.random().toString(36).slice(2, 9);

async function adminToken() {
  const admin = await createPerson(['ADMIN']);
  const { token } = await createToken(admin, {
    name: `registry-${unique()}`,
    scopes: ['registry:write'],
    expiresInDays: 30,
  });
  return { admin, token };
}

function send(route: (r: Request) => Promise<Response>, token: string, yaml: string, expect?: Record<string, string>) {
  const json = expect !== undefined;
  return route(
    new Request('http://localhost/api/v1/registry/plan', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': json ? 'application/json' : 'application/yaml',
      },
      body: json ? JSON.stringify({ file: yaml, expect }) : yaml,
    }),
  );
}

// Only the token's "last used" and rate bucket may move on a request that changes nothing.
const moved = { ApiToken: undefined, ApiRateBucket: undefined };
const fingerprint = async () => ({ ...(await databaseFingerprint()), ...moved });

describeWithPostgresServer('the registry as code', () => {
  it('plans without writing, applies exactly the plan, and a second apply changes nothing', async () => {
    const { admin, token } = await adminToken();
    const [owner, iam, pam, platform] = await Promise.all([
      createPerson(['OWNER']),
      createPerson(['OWNER']),
      createPerson(['OWNER']),
      createPerson(['OWNER']),
    ]);
    const a = `yaml-${unique()}`;
    const b = `yaml-${unique()}`;
    const yaml = `version: 1
agents:
  - slug: ${a}
    name: Invoice reconciler
    kind: Data pipeline
    environments: [staging, production]
    riskTier: high
    workloadIdentity: spiffe://example.com/agents/${a}
    owner: ${owner.email!.toUpperCase()}
    controls: { iam: ${iam.email}, pam: ${pam.email}, platform: ${platform.email} }
    escalation: { name: Payments on-call, email: oncall@example.com, coverage: 24/7 }
    purposes:
      - task: Reconcile invoices
        scope: [erp, s3]
        environments: [PROD]
  - slug: ${b}
    name: Docs writer
    kind: RESEARCH_AGENT
    environments: [DEV]
    riskTier: LOW
`;
    const before = await fingerprint();
    const planned = await send(planRoute, token, yaml);
    expect(planned.status).toBe(200);
    const plan = await planned.json();
    expect(plan.summary).toMatchObject({ create: 2, refused: 0 });
    expect(plan.agents.map((p: { line: number }) => p.line)).toEqual([3, 16]);
    expect(await fingerprint()).toEqual(before);

    const applied = await (await send(applyRoute, token, yaml)).json();
    expect(applied.summary).toMatchObject({ create: 2 });
    const agent = await getDb().agent.findUniqueOrThrow({
      where: { slug: a },
      include: { controlAssignments: true, escalation: true, purposes: true },
    });
    expect(agent).toMatchObject({ ownerId: owner.id, riskTier: 'HIGH', kind: 'DATA_PIPELINE', status: 'PROPOSED' });
    expect(agent.environments.sort()).toEqual(['PROD', 'STAGING']);
    expect(Object.fromEntries(agent.controlAssignments.map((c) => [c.plane, c.userId]))).toEqual({
      IAM: iam.id,
      PAM: pam.id,
      PLATFORM: platform.id,
    });
    expect(agent.escalation).toMatchObject({ name: 'Payments on-call', email: 'oncall@example.com' });
    expect(agent.purposes).toEqual([expect.objectContaining({ task: 'Reconcile invoices', status: 'PENDING' })]);
    // One event per change, each acted by the token's creator.
    const events = await getDb().auditEvent.findMany({ where: { agentId: agent.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual([
      'agent.created',
      'owner.assigned',
      'control.assigned',
      'control.assigned',
      'control.assigned',
      'escalation.changed',
      'purpose.added',
    ]);
    expect(new Set(events.map((e) => e.actorId))).toEqual(new Set([admin.id]));

    const after = await fingerprint();
    const again = await (await send(applyRoute, token, yaml)).json();
    expect(again.summary).toMatchObject({ unchanged: 2, create: 0, update: 0 });
    expect(await fingerprint()).toEqual(after);
  });

  it('a refused agent is untouched and the others apply; a loosening opens one change request, once', async () => {
    const { admin, token } = await adminToken();
    const ok = await makeActiveAgent(admin, { ownerId: (await createPerson(['OWNER'])).id, riskTier: 'HIGH' });
    const bad = await makeAgent(admin, { ownerId: admin.id, name: 'Stays as it is' });
    const yaml = `version: 1
agents:
  - { slug: ${ok.slug}, riskTier: LOW, name: Renamed from the file }
  - { slug: ${bad.slug}, name: Should not change, owner: nobody-${unique()}@example.com }
`;
    const result = await (await send(applyRoute, token, yaml)).json();
    expect(result.agents.map((p: { action: string }) => p.action)).toEqual(['needs-approval', 'refused']);
    expect(result.agents[1].reasons[0]).toMatch(/^owner: no one active in Custodian is nobody-/);
    expect(await getDb().agent.findUniqueOrThrow({ where: { id: bad.id } })).toMatchObject({
      name: 'Stays as it is',
      version: bad.version,
    });
    // The rename applied; the lower tier waits for a security lead independent of the agent (a token is never one).
    expect(await getDb().agent.findUniqueOrThrow({ where: { id: ok.id } })).toMatchObject({
      name: 'Renamed from the file',
      riskTier: 'HIGH',
    });
    const requests = await getDb().changeRequest.findMany({ where: { agentId: ok.id, status: 'PENDING' } });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.to).toEqual({ riskTier: 'LOW' });
    expect(result.agents[0].changeRequestIds).toEqual([requests[0]!.id]);

    const fixed = yaml.replace(`name: Should not change, owner: nobody-`, 'name: Should not change, x: nobody-');
    const again = await (await send(planRoute, token, fixed)).json();
    expect(again.agents[0]).toMatchObject({ action: 'unchanged' });
    expect(again.agents[0].reasons[0]).toMatch(/already waits for a second person/);
    expect(again.agents[1].reasons).toEqual(['Unrecognized key: "x"']);
  });

  it('apply refuses an agent whose plan moved since the one reviewed', async () => {
    const { admin, token } = await adminToken();
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const yaml = `version: 1\nagents:\n  - { slug: ${agent.slug}, name: Planned name }\n`;
    const plan = await (await send(planRoute, token, yaml)).json();
    const digest = plan.agents[0].digest;
    await getDb().agent.update({ where: { id: agent.id }, data: { version: { increment: 1 } } });
    const result = await (await send(applyRoute, token, yaml, { [agent.slug]: digest })).json();
    expect(result.agents[0]).toMatchObject({ action: 'refused', applied: false });
    expect(result.agents[0].reasons[0]).toMatch(/changed since the plan/);
    expect((await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).name).not.toBe('Planned name');
  });

  it('is described in the OpenAPI document, the file and the JSON request alike', async () => {
    const doc = await (await openapi(new Request('http://localhost/api/v1/openapi.json'))).json();
    for (const step of ['plan', 'apply']) {
      const post = doc.paths[`/api/v1/registry/${step}`].post;
      expect(post.security).toEqual([{ bearer: ['registry:write'] }]);
      expect(Object.keys(post.requestBody.content)).toEqual(['application/yaml', 'application/json']);
    }
    const agent = doc.components.schemas.RegistryFile.properties.agents.items;
    expect(agent.required).toEqual(['slug']);
    expect(Object.keys(agent.properties)).toEqual(
      expect.arrayContaining(['owner', 'controls', 'purposes', 'escalation']),
    );
    expect(doc.components.schemas.RegistryRequest.required).toEqual(['file']);
  });

  it('bad files are refused whole, naming the line; a scoped token may not apply a file', async () => {
    const { token } = await adminToken();
    const bad = await send(planRoute, token, 'version: 1\nagents:\n  - slug: x\n  bad indent: [\n');
    expect(bad.status).toBe(422);
    expect((await bad.json()).detail).toMatch(/not valid YAML \(line \d+\)/);
    const wrong = await send(planRoute, token, 'version: 2\nagents: []\n');
    expect((await wrong.json()).detail).toMatch(/version: 1/);
    const admin = await createPerson(['ADMIN']);
    const scoped = await createToken(admin, {
      name: `scoped-${unique()}`,
      scopes: ['registry:write'],
      expiresInDays: 30,
      agentScope: 'WORKLOAD_PREFIX',
      workloadPrefix: 'spiffe://example.com/team-a/',
    });
    expect((await send(applyRoute, scoped.token, 'version: 1\nagents: []\n')).status).toBe(403);
  });

  it('a secret anywhere in the file refuses all of it, naming the line and field, never the value', async () => {
    const { admin } = await adminToken();
    const entries = readRegistryYaml(
      `version: 1\nagents:\n  - { slug: leaky-${unique()}, name: Leaky, kind: OTHER, environments: [DEV], ` +
        `riskTier: LOW, description: "key AKIAIOSFODNN7EXAMPLF" }\n`,
    );
    const before = await databaseFingerprint();
    const error = await planRegistry(admin, entries).catch((e: unknown) => e);
    expect(error).toMatchObject({ fieldErrors: { 'line 3.description': [expect.stringMatching(/secret/)] } });
    const after = await databaseFingerprint();
    // Only the alarm is written.
    const alarm = { AuditEvent: undefined, AuditChainHead: undefined, AuditSignature: undefined };
    expect({ ...after, ...alarm }).toEqual({ ...before, ...alarm });
  });
});

describeWithPostgresServer('the registry file against those it governs', () => {
  it('a secret is found in every entry, however the file numbers its lines', async () => {
    const { admin } = await adminToken();
    // A flow list on one line: every entry starts on line 2.
    const entries = readRegistryYaml(
      `version: 1\nagents: [{slug: leaky-${unique()}, description: "ghp_${'a1B2c3D4e5'.repeat(4)}"}, ` +
        `{slug: decoy-${unique()}}]\n`,
    );
    expect(entries.map((e) => e.line)).toEqual([2, 2]);
    await expect(planRegistry(admin, entries)).rejects.toMatchObject({
      fieldErrors: { 'line 2.description': [expect.stringMatching(/secret/)] },
    });
    // The console's rows form chooses its own line numbers: the same.
    await expect(
      importEntries(admin, [
        { line: 7, spec: { slug: `x-${unique()}`, description: `ghp_${'a1B2c3D4e5'.repeat(4)}` } },
        { line: 7, spec: { slug: `y-${unique()}` } },
      ]),
    ).rejects.toMatchObject({ fieldErrors: { 'line 7.description': [expect.stringMatching(/secret/)] } });
  });

  it('refuses what the file says twice, and YAML that cannot be read, without echoing it', async () => {
    const { admin } = await adminToken();
    const id = `spiffe://example.com/agents/twice-${unique()}`;
    const base = 'kind: OTHER, environments: [DEV], riskTier: LOW';
    const plan = await planRegistry(
      admin,
      readRegistryYaml(`version: 1
agents:
  - { slug: one-${unique()}, name: One, ${base}, workloadIdentity: "${id}" }
  - { slug: two-${unique()}, name: Two, ${base}, workloadIdentity: "${id}" }
  - slug: three-${unique()}
    name: Three
    ${base.replaceAll(', ', '\n    ')}
    purposes:
      - { task: Summarise tickets, scope: [zendesk], environments: [DEV] }
      - { task: Summarise tickets, scope: [jira], environments: [DEV] }
`),
    );
    expect(plan.map((p) => p.action)).toEqual(['create', 'refused', 'refused']);
    expect(plan[1]!.reasons).toEqual(['workloadIdentity: line 3 already gives this workload identity.']);
    expect(plan[2]!.reasons).toEqual(['purposes.1: purposes.0 has the same task: one purpose a task.']);
    expect(() => readRegistryYaml('version: 1\nagents:\n  - slug: x\n    name: *secretive\n')).toThrow(
      /^The file is not valid YAML: an alias \(\*name\) names no anchor/,
    );
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      laughs.push(`${'a'.repeat(i + 1)}: &${'a'.repeat(i + 1)} ${`[*${'a'.repeat(i)}]`.repeat(1)}`);
    expect(() => readRegistryYaml(`${laughs.join('\n')}\nversion: 1\nagents: []\n`)).toThrow(
      /not a registry file|alias/,
    );
  });

  it('a lead who makes themself an agent’s owner in the file does not also loosen it directly', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(await createPerson(['ADMIN']), {
      ownerId: (await createPerson(['OWNER'])).id,
      riskTier: 'HIGH',
    });
    const entries = readRegistryYaml(
      `version: 1\nagents:\n  - { slug: ${agent.slug}, owner: ${lead.email}, riskTier: LOW }\n`,
    );
    const [plan] = await planRegistry(lead, entries);
    expect(plan).toMatchObject({ action: 'needs-approval' });
    await applyRegistry(lead, entries);
    const after = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
    expect(after).toMatchObject({ ownerId: lead.id, riskTier: 'HIGH' });
    expect(await getDb().changeRequest.count({ where: { agentId: agent.id, status: 'PENDING' } })).toBe(1);
  });

  it('the import applies rows as checked: a row whose agent changed since stops it, applying nothing', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id, name: 'Before' });
    const fresh = `fresh-${unique()}`;
    const entries = readAgentsCsv(
      `slug,name,kind,environments,risk_tier\n${fresh},Fresh,OTHER,DEV,Low\n${agent.slug},After,OTHER,DEV,Low\n`,
    );
    const checked = await planRegistry(lead, entries);
    await getDb().agent.update({ where: { id: agent.id }, data: { riskTier: 'CRITICAL' } });
    const rows = entries.map((e, i) => ({ ...e, digest: checked[i]!.digest }));
    const before = await databaseFingerprint();
    await expect(importEntries(lead, rows)).rejects.toThrow(/Line 3 .* changed since you checked/);
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('reads CSV line numbers past quoted line breaks of any kind, and never quotes a cell in an error', () => {
    const rows = readAgentsCsv(
      'slug,name,kind,environments,risk_tier\r\na,"two\r\nlines",OTHER,DEV,Low\r\nb,B,OTHER,DEV,Low\r\n',
    );
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(() => readAgentsCsv('slug,name\nx,"ghp_token"tail\n')).toThrow(
      'The file is not valid CSV (line 2): a quote closes a cell in the middle of it.',
    );
  });
});

describeWithPostgresServer('the bulk import', () => {
  const header = 'slug,name,kind,environments,risk_tier,owner,iam_owner\n';

  it('one bad row applies nothing; without it every row applies, across batches, one event per change', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const prefix = `imp-${unique()}`;
    const rows = Array.from(
      { length: 520 },
      (_, i) => `${prefix}-${i},Imported ${i},CI agent,Development;Staging,Medium,${owner.email},${lead.email}`,
    );
    const bad = `${prefix}-bad,Bad row,Robot,DEV,Medium,${owner.email},`;
    const entries = readAgentsCsv(header + [...rows.slice(0, 10), bad, ...rows.slice(10)].join('\n'));
    const plan = await planRegistry(lead, entries);
    expect(plan.filter((p) => p.action === 'refused')).toEqual([
      expect.objectContaining({
        line: 12,
        slug: `${prefix}-bad`,
        reasons: ['kind: Choose what kind of agent this is.'],
      }),
    ]);
    const before = await databaseFingerprint();
    await expect(importEntries(lead, entries)).rejects.toThrow(/line 12.*Nothing was applied/);
    expect(await databaseFingerprint()).toEqual(before);

    const kept = entries.filter((e) => e.line !== 12);
    const progress: number[] = [];
    const summary = await importEntries(lead, kept, (p) => progress.push(p.done));
    expect(summary).toMatchObject({ created: 520, updated: 0, unchanged: 0 });
    expect(progress).toEqual([0, 500, 520]);
    const agents = await getDb().agent.findMany({
      where: { slug: { startsWith: `${prefix}-` } },
      select: { id: true },
    });
    expect(agents).toHaveLength(520);
    const changes = plan.filter((p) => p.action === 'create').reduce((n, p) => n + p.changes.length, 0);
    const events = await getDb().auditEvent.count({ where: { agentId: { in: agents.map((a) => a.id) } } });
    expect(changes).toBe(520 * 3);
    expect(events).toBe(changes);

    // The same file again: every row unchanged, nothing written.
    const unchanged = await databaseFingerprint();
    expect(await importEntries(lead, kept)).toMatchObject({ created: 0, unchanged: 520 });
    expect(await databaseFingerprint()).toEqual(unchanged);
  });

  it('an import writes as its importer is now: deactivated after it began, it writes nothing more', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const control = await createPerson(['OWNER']);
    const prefix = `gone-${unique()}`;
    const entries = readAgentsCsv(
      header + `${prefix}-1,Imported,CI agent,Development,Medium,${owner.email},${control.email}`,
    );
    // The import holds the actor it started with; the database now says otherwise.
    await getDb().user.update({ where: { id: lead.id }, data: { active: false } });
    await expect(importEntries(lead, entries)).rejects.toThrow(/sign in/i);
    expect(await getDb().agent.count({ where: { slug: { startsWith: prefix } } })).toBe(0);
  });

  it('two imports of the same new agent at once: one registers it, the other is refused in words', async () => {
    const lead = await createPerson(['ADMIN']);
    const slug = `race-${unique()}`;
    const entries = readAgentsCsv(`${header}${slug},Raced,OTHER,DEV,Low,,\n`);
    const results = await Promise.allSettled([importEntries(lead, entries), importEntries(lead, entries)]);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    // Both may pass (the second sees it registered and plans nothing) or one loses the race: never a raw error.
    for (const reason of refused) expect(String(reason)).toMatch(/registered by someone else meanwhile|changed/);
    expect(await getDb().agent.count({ where: { slug } })).toBe(1);
    expect(
      await getDb().auditEvent.count({ where: { action: 'agent.created', details: { path: ['slug'], equals: slug } } }),
    ).toBe(1);
  });

  it('an owner imports only agents they own, and never names someone else', async () => {
    const owner = await createPerson(['OWNER']);
    const other = await createPerson(['OWNER']);
    const theirs = await makeAgent(await createPerson(['ADMIN']), { ownerId: other.id });
    const mine = `mine-${unique()}`;
    const entries = readAgentsCsv(
      header +
        `${mine},Mine,OTHER,DEV,Low,,\n` +
        `other-${unique()},Named,OTHER,DEV,Low,${other.email},\n` +
        `${theirs.slug},Taken over,OTHER,DEV,Low,,\n`,
    );
    const plan = await planRegistry(owner, entries);
    expect(plan.map((p) => p.action)).toEqual(['create', 'refused', 'refused']);
    expect(plan[1]!.reasons).toEqual(['owner: you register agents you own; a security lead names someone else.']);
    expect(plan[2]!.reasons).toEqual(['You may change only the agents you own: this one is not yours.']);
    await importEntries(owner, [entries[0]!]);
    expect((await getDb().agent.findUniqueOrThrow({ where: { slug: mine } })).ownerId).toBe(owner.id);
  });

  it('an owner cannot hand their agent to someone, nor lower its tier, through an import row', async () => {
    const owner = await createPerson(['OWNER']);
    const other = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(await createPerson(['ADMIN']), { ownerId: owner.id, riskTier: 'HIGH' });
    const entries = readAgentsCsv(`${header}${agent.slug},${agent.name},CI agent,PROD,High,${other.email},\n`);
    const [plan] = await planRegistry(owner, entries);
    expect(plan).toMatchObject({
      action: 'refused',
      reasons: ['owner: a security lead assigns the accountable owner.'],
    });
    const lower = readAgentsCsv(`${header}${agent.slug},${agent.name},CI agent,PROD,Low,,\n`);
    const before = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
    await importEntries(owner, lower);
    // The lower tier waits for a security lead: the agent is as it was, one change request opened.
    expect(await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).toMatchObject({
      ownerId: owner.id,
      riskTier: before.riskTier,
    });
    expect(await getDb().changeRequest.count({ where: { agentId: agent.id, status: 'PENDING' } })).toBe(1);
  });

  it('a CSV that is not the format imports nothing, naming why', () => {
    expect(() => readAgentsCsv('')).toThrow(/empty/);
    expect(() => readAgentsCsv('slug,colour\nx,blue\n')).toThrow(/Unknown column colour/);
    expect(() => readAgentsCsv('slug,name\nx,y\n')).toThrow(/lacks kind, environments, risk_tier/);
    expect(() => readAgentsCsv(`${header}a,"unclosed\n`)).toThrow(/not valid CSV/);
  });
});
