import { createHash } from 'node:crypto';
import { evidenceText } from './evidence-text';
import type { ControlResult, FrameworkReport } from './reports';

// A framework report as an OSCAL 1.0.4 assessment-results document (NIST's model for what an assessment found), the
// format GRC and FedRAMP tooling reads. Every control is an observation carrying its state; controls Custodian
// assesses or evidences are reviewed controls with a finding each, those outside it are excluded with the reason.
// Everything is a function of the report: the same report (same moment, same chain head) gives the same bytes, so
// the signed summary's digest of it holds for a file downloaded separately.

export const OSCAL_VERSION = '1.0.4';
/** Custodian's own OSCAL property namespace (OSCAL requires one for names outside its own). */
export const OSCAL_NS = 'https://github.com/custodian-registry/custodian/ns/oscal';

/** A name-based (version 5) UUID in Custodian's namespace: stable for the same report. */
export function uuidFor(name: string): string {
  const namespace = Buffer.from('5d0b3c3e8f6a4b0e9c1f2a7d4e6b8c90', 'hex');
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An OSCAL token for a control id ("NHI1:2025" → "nhi1-2025", "GOVERN 1.6" → "govern-1.6"). */
export function controlToken(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const prop = (name: string, value: string) => ({ name, ns: OSCAL_NS, value });

/** What a control's observation says: its rules' pass/fail, its processes' counts, or why it is outside. */
function observed(c: ControlResult, agentsInScope: number): string {
  if (c.state === 'outside') {
    const o = c.item.outside;
    return `Outside Custodian. ${o?.reason ?? ''}${o?.helps ? ` What helps: ${o.helps}` : ''}`.trim();
  }
  const evidence = c.evidence.map(evidenceText);
  const assessed =
    c.state !== 'assessed'
      ? []
      : [
          `Assessed by ${c.rules.map((r) => r.id).join(', ')}: ` +
            (c.failingAgents === null
              ? `not known at this moment (${UNKNOWN}).`
              : `${c.failingAgents} of ${agentsInScope} agents fail, ${c.passingAgents} pass.`),
        ];
  return [...assessed, ...(evidence.length ? [`Evidenced by ${evidence.join('; ')}.`] : [])].join(' ');
}

const UNKNOWN = 'the custody timeline kept no finding history yet';

/**
 * A finding's objective status. Rules: satisfied when no agent in scope fails; unknown results are not satisfied,
 * reason "other". Processes: satisfied when they left a record in the window and every record shows the control
 * working (a failed verification, a review done late, spoil it); reason "other", as no rule tested it.
 */
function statusOf(c: ControlResult): { state: string; reason: string; remarks?: string } {
  if (c.state === 'assessed') {
    if (c.failingAgents === null) return { state: 'not-satisfied', reason: 'other', remarks: `Not known: ${UNKNOWN}.` };
    return c.failingAgents === 0 ? { state: 'satisfied', reason: 'pass' } : { state: 'not-satisfied', reason: 'fail' };
  }
  const recorded = c.evidence.filter((e) => e.count > 0);
  if (recorded.length === 0) {
    return { state: 'not-satisfied', reason: 'other', remarks: 'No record of the process in the window.' };
  }
  const spoilt = recorded.filter((e) => e.qualified && e.qualified.count < e.count);
  if (spoilt.length > 0) {
    return {
      state: 'not-satisfied',
      reason: 'other',
      remarks: `Not every record shows the control working: ${spoilt.map(evidenceText).join('; ')}.`,
    };
  }
  return { state: 'satisfied', reason: 'other', remarks: 'Every record in the window shows the control working.' };
}

export function oscalAssessmentResults(report: FrameworkReport, origin: string): Record<string, unknown> {
  const { framework, at, evidenceWindow } = report;
  const head = report.asOf?.head ?? null;
  // A dated report names the chain head it was computed from (0: the chain was empty then); today's live one none.
  const version = report.asOf ? `chain-${head?.seq ?? 0n}` : 'live';
  const key = `${framework.id}|${at.toISOString()}|${version}`;
  const uuid = (part: string) => uuidFor(`${key}|${part}`);
  const resource = uuid('framework');
  const inScope = report.controls.filter((c) => c.state !== 'outside');
  const outside = report.controls.filter((c) => c.state === 'outside');
  const selectionOf = (controls: ControlResult[]) => controls.map((c) => ({ 'control-id': controlToken(c.item.id) }));
  const observations = report.controls.map((c) => ({
    uuid: uuid(`observation|${c.item.id}`),
    title: `${c.item.id} ${c.item.name}`.slice(0, 400),
    description: observed(c, report.agentsInScope) || 'No record.',
    props: [
      prop('control-id', c.item.id),
      prop('coverage', c.state),
      ...(c.failingAgents !== null ? [prop('failing-agents', String(c.failingAgents))] : []),
    ],
    methods: [c.state === 'assessed' ? 'TEST' : 'EXAMINE'],
    types: [c.state === 'assessed' ? 'finding' : 'control-objective'],
    ...(c.failing.length || c.evidence.length
      ? {
          'relevant-evidence': [
            ...c.failing.map((a) => ({ href: `${origin}/agents/${a.slug}`, description: `Failing agent ${a.name}` })),
            ...c.evidence.map((e) => ({ href: `${origin}${e.href}`, description: `${e.title}: ${e.what}` })),
          ],
        }
      : {}),
    collected: at.toISOString(),
  }));
  const findings = inScope.map((c) => {
    return {
      uuid: uuid(`finding|${c.item.id}`),
      title: `${c.item.id} ${c.item.name}`.slice(0, 400),
      description: observed(c, report.agentsInScope) || 'No record.',
      props: [prop('coverage', c.state)],
      target: {
        type: 'objective-id',
        'target-id': controlToken(c.item.id),
        status: statusOf(c),
      },
      'related-observations': [{ 'observation-uuid': uuid(`observation|${c.item.id}`) }],
    };
  });
  return {
    'assessment-results': {
      uuid: uuid('document'),
      metadata: {
        title: `${framework.name}: Custodian assessment as of ${at.toISOString()}`,
        'last-modified': at.toISOString(),
        version,
        'oscal-version': OSCAL_VERSION,
        props: [
          prop('framework', framework.id),
          ...(head ? [prop('chain-head-seq', head.seq.toString()), prop('chain-head-hash', head.hash)] : []),
        ],
      },
      'import-ap': {
        href: `#${resource}`,
        remarks:
          'Custodian assesses continuously from its registry and custody timeline; there is no separate assessment ' +
          'plan. The back-matter names the framework assessed.',
      },
      results: [
        {
          uuid: uuid('result'),
          title: `${framework.short} as of ${at.toISOString().slice(0, 10)}`,
          description:
            `${report.agentsInScope} agents in scope. Rules are evaluated ${
              report.asOf ? 'from the findings the timeline records' : 'live'
            } at ${at.toISOString()}; process records are counted from ` +
            `${evidenceWindow.from.toISOString()} to ${evidenceWindow.to.toISOString()}.`,
          start: evidenceWindow.from.toISOString(),
          end: at.toISOString(),
          props: [prop('agents-in-scope', String(report.agentsInScope))],
          'reviewed-controls': {
            'control-selections': [
              {
                description: 'Controls Custodian assesses with its policy rules or evidences with its processes.',
                ...(inScope.length ? { 'include-controls': selectionOf(inScope) } : {}),
                ...(outside.length
                  ? {
                      'exclude-controls': selectionOf(outside),
                      remarks: 'Excluded: outside Custodian (each observation says why, and what of its data helps).',
                    }
                  : {}),
              },
            ],
          },
          observations,
          ...(findings.length ? { findings } : {}),
        },
      ],
      'back-matter': {
        resources: [{ uuid: resource, title: framework.name, rlinks: [{ href: framework.source }] }],
      },
    },
  };
}
