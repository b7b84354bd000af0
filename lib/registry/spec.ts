import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { readCsvRecords } from '@/lib/csv/read';
import { Invalid } from '@/lib/errors';
import { AGENT_KIND, ENVIRONMENT, RISK_TIER, type Vocabulary } from '@/lib/vocabulary';

// What a registry file or an import says about one agent: its desired state. Only the shape is checked here; the
// values are the domain's (RegisterAgentSchema and the commands' own schemas), checked when the entry is planned.

const value = z.unknown().optional();
const person = value; // a person, by e-mail

export const ControlsSpec = z.object({ iam: person, pam: person, platform: person }).strict();

export const EscalationSpec = z
  .object({ name: value, person, email: value, phone: value, pagerUrl: value, coverage: value })
  .strict();

export const PurposeSpec = z.object({ task: value, scope: value, environments: value }).strict();

export const AgentSpec = z
  .object({
    slug: z.string('Give the agent a slug.'),
    name: value,
    description: value,
    kind: value,
    workloadIdentity: value,
    environments: value,
    riskTier: value,
    reviewCadenceDays: value,
    owner: person,
    controls: ControlsSpec.optional(),
    escalation: EscalationSpec.optional(),
    purposes: z.array(PurposeSpec).max(50, 'At most 50 purposes per agent.').optional(),
  })
  .strict();
export type AgentSpec = z.infer<typeof AgentSpec>;

/** One agent of a file, with the line it starts on (for the dry-run table and error messages). */
export type Entry = { line: number; spec: unknown };

export const MAX_ENTRIES = 10_000;
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export const RegistryFile = z
  .object({
    version: z.literal(1, 'Start the file with version: 1.'),
    agents: z.array(z.unknown(), 'List the agents under agents:.').max(MAX_ENTRIES, 'At most 10,000 agents a file.'),
  })
  .strict();

const email = z.string().describe('A person in Custodian, by e-mail.');
const words = (values: string[]) => z.string().describe(`One of ${values.join(', ')} (or the console's word for it).`);

/** The file as OpenAPI documents it: the values each agent may carry (checked by the commands' own schemas). */
export const RegistryFileDoc = z.object({
  version: z.literal(1),
  agents: z.array(
    z.object({
      slug: z.string().describe('Unique: lower-case letters, digits and hyphens. An existing slug updates it.'),
      name: z.string().optional(),
      description: z.string().optional(),
      kind: words(Object.keys(AGENT_KIND)).optional(),
      environments: z.array(words(Object.keys(ENVIRONMENT))).optional(),
      riskTier: words(Object.keys(RISK_TIER)).optional(),
      workloadIdentity: z.string().nullable().optional().describe('null removes it.'),
      reviewCadenceDays: z.number().int().nullable().optional().describe('null: the tier’s cadence.'),
      owner: email.optional(),
      controls: z.object({ iam: email, pam: email, platform: email }).partial().optional(),
      escalation: z
        .object({
          name: z.string(),
          coverage: z.string(),
          person: email.optional(),
          email: z.string().optional(),
          phone: z.string().optional(),
          pagerUrl: z.string().optional(),
        })
        .optional(),
      purposes: z
        .array(z.object({ task: z.string(), scope: z.array(z.string()), environments: z.array(z.string()) }))
        .optional()
        .describe('Matched by task; a new or changed purpose waits for a security lead’s approval.'),
    }),
  ),
});

/** A registry request as JSON: the file's text, and for apply the digests of the plan the caller reviewed. */
export const RegistryRequestBody = z
  .object({
    file: z.string('Send the registry file as text in file.').max(MAX_FILE_BYTES).describe('custodian.yaml, as text.'),
    expect: z
      .record(z.string().max(64), z.string().max(64))
      .optional()
      .describe('slug → digest from the plan: an agent whose plan moved since is refused.'),
  })
  .strict();

/** A vocabulary's value from its code or label, in any case (`prod`, `Production`, `coding agent`). */
export function codeOf<V extends string>(vocabulary: Vocabulary<V>, input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const wanted = input
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const found = (Object.entries(vocabulary) as [V, { label: string }][]).find(
    ([code, term]) => code.toLowerCase() === wanted || term.label.toLowerCase().replace(/[\s-]+/g, '_') === wanted,
  );
  return found ? found[0] : input;
}

export const VOCABULARIES = { kind: AGENT_KIND, riskTier: RISK_TIER, environment: ENVIRONMENT };

/** custodian.yaml: `version: 1` and a list of agents, each with the line it starts on. */
export function readRegistryYaml(text: string): Entry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const lineOf = (offset: number) => lines.linePos(offset).line;
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new Invalid(`The file is not valid YAML (line ${lineOf(error.pos[0])}): ${firstLine(error.message)}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // An alias to no anchor, or aliases past the limit (a "billion laughs"): said without echoing the file.
    throw new Invalid('The file is not valid YAML: an alias (*name) names no anchor, or aliases expand too far.');
  }
  const file = RegistryFile.safeParse(value);
  if (!file.success) throw new Invalid(`The file is not a registry file: ${file.error.issues[0]!.message}`);
  const items = (doc.get('agents', true) as { items?: { range?: [number, number, number] }[] } | undefined)?.items;
  return file.data.agents.map((spec, i) => ({ line: lineOf(items?.[i]?.range?.[0] ?? 0), spec }));
}

const firstLine = (message: string) => message.split('\n')[0]!.slice(0, 200);

/** The import's CSV columns, in the template's order; `environments` is a `;`-separated list. */
export const CSV_COLUMNS = [
  'slug',
  'name',
  'description',
  'kind',
  'environments',
  'risk_tier',
  'workload_identity',
  'review_cadence_days',
  'owner',
  'iam_owner',
  'pam_owner',
  'platform_owner',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

export const CSV_TEMPLATE =
  CSV_COLUMNS.join(',') +
  '\r\n' +
  'invoice-reconciler,Invoice reconciler,Matches supplier invoices to payments,Data pipeline,Staging;Production,High,' +
  'spiffe://example.com/agents/invoice-reconciler,90,priya@example.com,iam-team@example.com,pam-team@example.com,' +
  'platform@example.com\r\n';

/** An import's CSV: the header names its columns (any order, the required ones present), one agent a row. */
export function readAgentsCsv(text: string): Entry[] {
  const { records, lines } = readCsvRecords(text);
  const [header, ...rows] = records;
  if (!header) throw new Invalid('The file is empty: start with the header row of the template.');
  const columns = header.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) {
    throw new Invalid(`Unknown column ${unknown[0]}: the columns are ${CSV_COLUMNS.join(', ')}.`);
  }
  const missing = (['slug', 'name', 'kind', 'environments', 'risk_tier'] as const).filter((c) => !columns.includes(c));
  if (missing.length > 0) throw new Invalid(`The header lacks ${missing.join(', ')}: start from the template.`);
  if (rows.length > MAX_ENTRIES) throw new Invalid(`At most ${MAX_ENTRIES.toLocaleString('en')} agents a file.`);
  return rows.map((cells, i) => {
    const cell = (c: Column) => {
      const v = cells[columns.indexOf(c)]?.trim();
      return v === undefined || v === '' ? undefined : v;
    };
    const controls = { iam: cell('iam_owner'), pam: cell('pam_owner'), platform: cell('platform_owner') };
    const spec = {
      slug: cell('slug') ?? '',
      name: cell('name'),
      description: cell('description'),
      kind: cell('kind'),
      environments: cell('environments')
        ?.split(/[;|]/)
        .map((e) => e.trim())
        .filter(Boolean),
      riskTier: cell('risk_tier'),
      workloadIdentity: cell('workload_identity'),
      reviewCadenceDays: cell('review_cadence_days'),
      owner: cell('owner'),
      ...(Object.values(controls).some(Boolean) ? { controls } : {}),
    };
    return { line: lines[i + 1]!, spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) };
  });
}
