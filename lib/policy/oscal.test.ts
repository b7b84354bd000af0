import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as csvGET } from '@/app/(console)/findings/frameworks/[id]/export/route';
import { GET as oscalGET } from '@/app/(console)/findings/frameworks/[id]/oscal/route';
import { GET as summaryGET } from '@/app/(console)/findings/frameworks/[id]/summary/route';
import { loadSigningKey } from '@/lib/audit/signing';
import { getDb } from '@/lib/db';
import { issueEnvVarKey, makeAgent } from '@/lib/testing/agents';
import { runOfflineVerifier } from '@/lib/testing/pack-verifier';
import { createPerson } from '@/lib/testing/people';
import { removeRole } from '@/lib/users/commands';
import { FRAMEWORKS } from './frameworks';
import { controlToken, oscalAssessmentResults } from './oscal';
import { oscalFile, signedSummaryFile } from './report-files';
import { frameworkReport } from './reports';
import { sha256Hex, verifySummary, type SignedSummary } from './summary-format';
import { syncFindings } from './trend';

// NIST's published schema, unmodified (see fixtures/README.md for its source and version).
const SCHEMA_FILE = path.join(__dirname, 'fixtures', 'oscal_assessment-results_schema.json');
const SCHEMA_SHA256 = '725318f0e766e05d289da04d73911ce9b450f47d61d4c92c88ad37d393f69600';

type Doc = {
  'assessment-results': {
    metadata: { props: { name: string; value: string }[] };
    results: {
      observations: { props: { name: string; value: string }[] }[];
      findings?: { target: { 'target-id': string; status: { state: string } } }[];
      'reviewed-controls': {
        'control-selections': { 'include-controls'?: { 'control-id': string }[]; 'exclude-controls'?: unknown[] }[];
      };
    }[];
  };
};

const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('@/lib/auth/session-id', () => ({ getSessionUserId: async () => session.userId }));

let validate: ValidateFunction;
type OscalDoc = {
  'assessment-results': {
    results: { findings: { title: string; target: { status: { state: string; reason?: string } } }[] }[];
  };
};
let admin: Awaited<ReturnType<typeof createPerson>>;
let failingSlug: string;

beforeAll(async () => {
  const text = readFileSync(SCHEMA_FILE, 'utf8');
  expect(sha256Hex(text)).toBe(SCHEMA_SHA256);
  // OSCAL's token patterns use Unicode property classes (\p{L}): ajv compiles them with the `u` flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: true });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(text) as object);
  // A registry with a finding on the chain: an agent keeping a key in an environment variable.
  admin = await createPerson(['ADMIN']);
  const agent = await makeAgent(admin, { ownerId: admin.id, name: 'OSCAL agent', environments: ['DEV'] });
  await issueEnvVarKey(admin, agent.id, 'oscal-env-key');
  await syncFindings();
  failingSlug = agent.slug;
});

describe('OSCAL assessment results', () => {
  for (const framework of FRAMEWORKS) {
    it(`${framework.id}: validates against NIST's schema and carries every control with its state`, async () => {
      const report = (await frameworkReport(admin, framework.id, { asOf: new Date() }))!;
      const doc = JSON.parse(oscalFile(report)) as Doc;
      const valid = validate(doc);
      expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
      expect(valid).toBe(true);
      const result = doc['assessment-results'].results[0]!;
      const states = result.observations.map((o) => o.props.find((p) => p.name === 'coverage')?.value);
      expect(states).toEqual(report.controls.map((c) => c.state));
      const included = result['reviewed-controls']['control-selections'][0]!['include-controls'] ?? [];
      expect(included.map((c) => c['control-id'])).toEqual(
        report.controls.filter((c) => c.state !== 'outside').map((c) => controlToken(c.item.id)),
      );
      const head = doc['assessment-results'].metadata.props.find((p) => p.name === 'chain-head-seq')?.value;
      expect(head).toBe(report.asOf!.head!.seq.toString());
    });
  }

  it('says not-satisfied for a control an agent fails, and the schema catches a broken document', async () => {
    const report = (await frameworkReport(admin, 'owasp-nhi-2025', { asOf: new Date() }))!;
    const leakage = report.controls.find((c) => c.item.id === 'NHI2:2025')!;
    expect(leakage.failing.map((a) => a.slug)).toContain(failingSlug);
    const doc = JSON.parse(oscalFile(report)) as Doc;
    const finding = doc['assessment-results'].results[0]!.findings!.find((f) => f.target['target-id'] === 'nhi2-2025');
    expect(finding?.target.status.state).toBe('not-satisfied');
    // The validator is not vacuous: an unknown field, a missing plan import and a bad state are each refused.
    for (const broken of [
      { ...doc, extra: true },
      { 'assessment-results': { ...doc['assessment-results'], 'import-ap': undefined } },
    ]) {
      expect(validate(JSON.parse(JSON.stringify(broken))), JSON.stringify(Object.keys(broken))).toBe(false);
    }
    finding!.target.status.state = 'mostly-fine';
    expect(validate(doc)).toBe(false);
  });

  it('the same dated report gives the same bytes: the signed summary names an OSCAL file got apart', async () => {
    const asOf = new Date();
    const [first, second] = [
      (await frameworkReport(admin, 'csa-maestro', { asOf }))!,
      (await frameworkReport(admin, 'csa-maestro', { asOf }))!,
    ];
    expect(oscalFile(first)).toBe(oscalFile(second));
    const summary = signedSummaryFile(first);
    const key = loadSigningKey()!;
    const keys = [{ keyId: key.keyId, key: key.publicKey }];
    const oscal = new TextEncoder().encode(oscalFile(second));
    const checked = verifySummary(summary, keys, oscal);
    expect(checked).toMatchObject({ ok: true, signed: true, oscalMatches: true });
    const parsed = JSON.parse(summary) as SignedSummary;
    expect(parsed.summary.controls.map((c) => c.id)).toEqual(first.controls.map((c) => c.item.id));
    expect(parsed.summary.chainHead?.seq).toBe(first.asOf!.head!.seq.toString());

    // Changed after signing: a control's failing count lowered.
    const assessed = parsed.summary.controls.find((c) => c.state === 'assessed')!;
    assessed.failingAgents = (assessed.failingAgents ?? 0) + 1;
    expect(verifySummary(JSON.stringify(parsed), keys)).toMatchObject({ ok: false, reason: /signature/ });
    // Another OSCAL file (another date) is not the one it names.
    const other = oscalFile((await frameworkReport(admin, 'csa-maestro', { asOf: new Date(asOf.getTime() - 1) }))!);
    expect(verifySummary(summary, keys, new TextEncoder().encode(other))).toMatchObject({ ok: false });
    // Signed by another key: refused, naming it; not a summary at all: refused.
    const { publicKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ed25519'));
    expect(verifySummary(summary, [{ keyId: 'other', key: publicKey }])).toMatchObject({ ok: false });
    expect(verifySummary('{"summary":{}}', keys)).toMatchObject({ ok: false, reason: /not a/ });
  });

  it('audit:verify checks a downloaded summary and its OSCAL file offline, and refuses an altered one', async () => {
    const report = (await frameworkReport(admin, 'owasp-agentic-2026', { asOf: new Date() }))!;
    const dir = mkdtempSync(path.join(tmpdir(), 'report-'));
    const [summary, oscal, pem] = ['summary.json', 'oscal.json', 'audit.pub.pem'].map((f) => path.join(dir, f));
    writeFileSync(summary!, signedSummaryFile(report));
    writeFileSync(oscal!, oscalFile(report));
    writeFileSync(pem!, loadSigningKey()!.publicKey.export({ type: 'spki', format: 'pem' }));
    const good = runOfflineVerifier(['--report', summary!, '--oscal', oscal!, '--public-key', pem!]);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain('Signature: holds');
    expect(good.stdout).toContain('SHA-256 matches');
    expect(good.stdout).toMatch(/10 controls \(\d+ assessed, \d+ evidenced, \d+ outside Custodian\)/);
    writeFileSync(oscal!, `${oscalFile(report)} `);
    const altered = runOfflineVerifier(['--report', summary!, '--oscal', oscal!, '--public-key', pem!]);
    expect(altered.status).toBe(1);
    expect(altered.stderr).toContain('not the one the summary names');
    // Without a key nothing is vouched for: refused unless only the form is asked for.
    writeFileSync(oscal!, oscalFile(report));
    const keyless = runOfflineVerifier(['--report', summary!, '--oscal', oscal!]);
    expect(keyless.status).toBe(2);
    expect(keyless.stderr).toContain('--public-key');
    const formOnly = runOfflineVerifier(['--report', summary!, '--oscal', oscal!, '--unsigned-ok']);
    expect(formOnly.status, formOnly.stderr).toBe(0);
    expect(formOnly.stdout).toContain('the signature was not checked');
  });

  it('statuses: unknown rules are not satisfied; a process is satisfied only when every record is', async () => {
    const today = (await frameworkReport(admin, 'nist-ai-rmf', { asOf: new Date() }))!;
    const status = (doc: Record<string, unknown>, id: string) =>
      (doc as OscalDoc)['assessment-results'].results[0]!.findings.find((f) => f.title.startsWith(`${id} `))!.target
        .status;
    const doc = oscalAssessmentResults(today, 'https://custodian.example');
    const assessed = today.controls.find((c) => c.state === 'assessed')!;
    expect(status(doc, assessed.item.id)).toMatchObject({
      state: assessed.failingAgents === 0 ? 'satisfied' : 'not-satisfied',
      reason: assessed.failingAgents === 0 ? 'pass' : 'fail',
    });
    // An evidenced control: a record that does not show the control working (a review done late) spoils it.
    const evidenced = today.controls.find((c) => c.state === 'evidenced')!;
    const withRecords = { ...evidenced, evidence: [{ ...evidenced.evidence[0]!, count: 3, qualified: null }] };
    const spoilt = {
      ...evidenced,
      evidence: [{ ...evidenced.evidence[0]!, count: 3, qualified: { label: 'on time', count: 2 } }],
    };
    const none = { ...evidenced, evidence: [{ ...evidenced.evidence[0]!, count: 0, qualified: null }] };
    const docOf = (c: typeof evidenced) =>
      oscalAssessmentResults({ ...today, controls: [c] }, 'https://custodian.example');
    expect(status(docOf(withRecords), evidenced.item.id)).toMatchObject({ state: 'satisfied', reason: 'other' });
    expect(status(docOf(spoilt), evidenced.item.id)).toMatchObject({ state: 'not-satisfied', reason: 'other' });
    expect(status(docOf(none), evidenced.item.id)).toMatchObject({
      state: 'not-satisfied',
      remarks: /No record/,
    });
    // Before the timeline kept findings: every assessed control unknown, in the report, the OSCAL file and the summary.
    const before = (await frameworkReport(admin, 'nist-ai-rmf', { asOf: new Date('2001-01-01T00:00:00Z') }))!;
    const unknown = before.controls.filter((c) => c.state === 'assessed');
    expect(unknown.length).toBeGreaterThan(0);
    for (const c of unknown) expect([c.failingAgents, c.passingAgents]).toEqual([null, null]);
    const beforeDoc = oscalAssessmentResults(before, 'https://custodian.example');
    expect(validate(beforeDoc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(status(beforeDoc, unknown[0]!.item.id)).toMatchObject({ state: 'not-satisfied', reason: 'other' });
    const signed = JSON.parse(signedSummaryFile(before)) as SignedSummary;
    expect(signed.summary.findingsHistoryFrom).toBe(before.asOf!.historyFrom?.toISOString() ?? null);
  });

  it('an auditor who loses the role is refused the signed files at the next request; the CSV stays', async () => {
    // The rule governs who takes away what the audit key signs: read from the person's roles at each request.
    const auditor = await createPerson(['AUDITOR', 'OWNER']);
    session.userId = auditor.id;
    const get = (route: typeof csvGET, file: string) =>
      route(new Request(`http://localhost/findings/frameworks/csa-maestro/${file}`), {
        params: Promise.resolve({ id: 'csa-maestro' }),
      });
    expect((await get(summaryGET, 'summary')).status).toBe(200);
    expect((await get(oscalGET, 'oscal')).status).toBe(200);
    const { version } = await getDb().user.findUniqueOrThrow({ where: { id: auditor.id }, select: { version: true } });
    await removeRole(admin, { userId: auditor.id, role: 'AUDITOR', version });
    expect((await get(summaryGET, 'summary')).status).toBe(403);
    expect((await get(oscalGET, 'oscal')).status).toBe(403);
    // As an owner they still read the report and its CSV, which carries no signature and no head hash.
    const csv = await get(csvGET, 'export');
    expect(csv.status).toBe(200);
    expect(await csv.text()).not.toMatch(/[0-9a-f]{64}/);
    session.userId = null;
  });
});
