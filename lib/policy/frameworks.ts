// The frameworks findings are reported against, with their official item ids and names. Every item is accounted
// for in one of three states (see `coverageOf` in reports.ts): *assessed* by the policy rules that name it,
// *evidenced* by a process Custodian runs (`evidence`), or *outside* Custodian (`outside`, with the reason).

export type FrameworkId = 'owasp-nhi-2025' | 'owasp-agentic-2026' | 'nist-ai-rmf' | 'nist-csf-2' | 'csa-maestro';

/** A process Custodian runs whose record evidences a control (counted from the timeline: see evidence.ts). */
export type EvidenceId =
  | 'inventory'
  | 'ownership'
  | 'reviews'
  | 'exceptions'
  | 'break-glass'
  | 'changes'
  | 'delegations'
  | 'decisions'
  | 'uses'
  | 'rotations'
  | 'revocations'
  | 'decommissioning'
  | 'deprovisioning'
  | 'findings'
  | 'verifications';

export type FrameworkItem = {
  id: string;
  name: string;
  /** The processes whose record evidences it, shown with their counts whatever its state. */
  evidence?: EvidenceId[];
  /** Why Custodian cannot assess it, and which of its data helps the team that owns it. */
  outside?: { reason: string; helps?: string };
  /** What a custody registry observes of it (MAESTRO's layers: the threats it can see there). */
  observes?: string;
};
export type Framework = { id: FrameworkId; name: string; short: string; source: string; items: FrameworkItem[] };

const MODEL_LEVEL = 'Custodian sees who holds which credential, not what the model is told or does with it.';

export const FRAMEWORKS: Framework[] = [
  {
    id: 'owasp-nhi-2025',
    name: 'OWASP Top 10 Non-Human Identities Risks – 2025',
    short: 'OWASP NHI Top 10',
    source: 'https://owasp.org/www-project-non-human-identities-top-10/2025/',
    items: [
      { id: 'NHI1:2025', name: 'Improper Offboarding', evidence: ['decommissioning', 'revocations', 'deprovisioning'] },
      { id: 'NHI2:2025', name: 'Secret Leakage', evidence: ['rotations'] },
      {
        id: 'NHI3:2025',
        name: 'Vulnerable Third-Party NHI',
        outside: {
          reason:
            'The security of a vendor’s integration (its code, its storage of the tokens it is given) is assessed ' +
            'by the vendor-risk process, not from a custody registry.',
          helps:
            'The registry lists every credential a third-party agent holds, its scope and where it lives, so a ' +
            'vendor breach becomes a list of credentials to revoke and owners to call.',
        },
      },
      { id: 'NHI4:2025', name: 'Insecure Authentication', evidence: ['decisions'] },
      { id: 'NHI5:2025', name: 'Overprivileged NHI', evidence: ['reviews', 'exceptions'] },
      { id: 'NHI6:2025', name: 'Insecure Cloud Deployment Configurations' },
      { id: 'NHI7:2025', name: 'Long-Lived Secrets', evidence: ['rotations', 'decisions'] },
      { id: 'NHI8:2025', name: 'Environment Isolation' },
      { id: 'NHI9:2025', name: 'NHI Reuse' },
      { id: 'NHI10:2025', name: 'Human Use of NHI', evidence: ['break-glass'] },
    ],
  },
  {
    id: 'owasp-agentic-2026',
    name: 'OWASP Top 10 for Agentic Applications 2026',
    short: 'OWASP Agentic Top 10',
    source: 'https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/',
    items: [
      {
        id: 'ASI01',
        name: 'Agent Goal Hijack',
        outside: {
          reason: `Goal hijack happens in the prompts and content an agent reads. ${MODEL_LEVEL}`,
          helps:
            'Approved purposes and the issuance gate bound what a hijacked agent can obtain; scope-drift findings ' +
            'show access past what was approved.',
        },
      },
      { id: 'ASI02', name: 'Tool Misuse and Exploitation', evidence: ['decisions'] },
      { id: 'ASI03', name: 'Identity and Privilege Abuse', evidence: ['decisions', 'exceptions'] },
      {
        id: 'ASI04',
        name: 'Agentic Supply Chain Vulnerabilities',
        outside: {
          reason:
            'The tools, models, prompts and packages an agent loads are vetted by the software supply-chain ' +
            'process; Custodian does not inspect them.',
          helps:
            'When a dependency is compromised, the registry names every agent’s owner and the credentials to ' +
            'rotate, and discovery imports find agents nobody registered.',
        },
      },
      {
        id: 'ASI05',
        name: 'Unexpected Code Execution (RCE)',
        outside: {
          reason: `Code execution is contained by the runtime’s sandbox. ${MODEL_LEVEL}`,
          helps:
            'The credential inventory shows what code running as the agent can reach, and the revocation ' +
            'record shows when that reach was cut.',
        },
      },
      { id: 'ASI06', name: 'Memory & Context Poisoning' },
      { id: 'ASI07', name: 'Insecure Inter-Agent Communication', evidence: ['delegations'] },
      {
        id: 'ASI08',
        name: 'Cascading Failures',
        evidence: ['delegations', 'decisions'],
      },
      {
        id: 'ASI09',
        name: 'Human-Agent Trust Exploitation',
        outside: {
          reason:
            'Whether a person is misled by what an agent tells them happens in the conversation, which Custodian ' +
            'does not see.',
          helps:
            'Exceptions and change requests are decided by a second person, so one persuaded person cannot grant ' +
            'an agent access alone.',
        },
      },
      { id: 'ASI10', name: 'Rogue Agents', evidence: ['inventory', 'uses'] },
    ],
  },
  {
    id: 'nist-ai-rmf',
    name: 'NIST AI Risk Management Framework 1.0 — GOVERN and MANAGE',
    short: 'NIST AI RMF',
    source: 'https://doi.org/10.6028/NIST.AI.100-1',
    items: [
      {
        id: 'GOVERN 1.5',
        name:
          'Ongoing monitoring and periodic review of the risk management process and its outcomes are planned ' +
          'and organizational roles and responsibilities clearly defined, including determining the frequency ' +
          'of periodic review.',
        evidence: ['reviews'],
      },
      {
        id: 'GOVERN 1.6',
        name:
          'Mechanisms are in place to inventory AI systems and are resourced according to organizational risk ' +
          'priorities.',
        evidence: ['inventory'],
      },
      {
        id: 'GOVERN 1.7',
        name:
          'Processes and procedures are in place for decommissioning and phasing out AI systems safely and in a ' +
          'manner that does not increase risks or decrease the organization’s trustworthiness.',
        evidence: ['decommissioning', 'revocations'],
      },
      {
        id: 'GOVERN 2.1',
        name:
          'Roles and responsibilities and lines of communication related to mapping, measuring, and managing AI ' +
          'risks are documented and are clear to individuals and teams throughout the organization.',
        evidence: ['ownership'],
      },
      {
        id: 'GOVERN 2.3',
        name:
          'Executive leadership of the organization takes responsibility for decisions about risks associated ' +
          'with AI system development and deployment.',
        outside: {
          reason: 'Whether executives own AI risk decisions is a matter of the organisation’s governance charter.',
          helps: 'The dashboard and these reports give leadership the figures to decide on, as of any date.',
        },
      },
      {
        id: 'GOVERN 3.2',
        name:
          'Policies and procedures are in place to define and differentiate roles and responsibilities for ' +
          'human-AI configurations and oversight of AI systems.',
        evidence: ['ownership', 'reviews'],
      },
      {
        id: 'GOVERN 4.3',
        name:
          'Organizational practices are in place to enable AI testing, identification of incidents, and ' +
          'information sharing.',
        evidence: ['findings', 'uses'],
      },
      {
        id: 'GOVERN 6.1',
        name:
          'Policies and procedures are in place that address AI risks associated with third-party entities, ' +
          'including risks of infringement of a third-party’s intellectual property or other rights.',
        outside: {
          reason: 'Third-party and intellectual-property risk is assessed by procurement and legal review.',
          helps: 'The registry shows which agents hold credentials to third-party systems, and who owns each.',
        },
      },
      {
        id: 'GOVERN 6.2',
        name:
          'Contingency processes are in place to handle failures or incidents in third-party data or AI systems ' +
          'deemed to be high-risk.',
        evidence: ['break-glass'],
      },
      {
        id: 'MANAGE 2.3',
        name: 'Procedures are followed to respond to and recover from a previously unknown risk when it is identified.',
        evidence: ['findings', 'break-glass', 'revocations'],
      },
      {
        id: 'MANAGE 2.4',
        name:
          'Mechanisms are in place and applied, and responsibilities are assigned and understood, to supersede, ' +
          'disengage, or deactivate AI systems that demonstrate performance or outcomes inconsistent with ' +
          'intended use.',
        evidence: ['decommissioning', 'revocations'],
      },
      {
        id: 'MANAGE 4.1',
        name:
          'Post-deployment AI system monitoring plans are implemented, including mechanisms for capturing and ' +
          'evaluating input from users and other relevant AI actors, appeal and override, decommissioning, ' +
          'incident response, recovery, and change management.',
        evidence: ['uses', 'changes', 'decommissioning', 'verifications'],
      },
      {
        id: 'MANAGE 4.3',
        name:
          'Incidents and errors are communicated to relevant AI actors, including affected communities. ' +
          'Processes for tracking, responding to, and recovering from incidents and errors are followed and ' +
          'documented.',
        evidence: ['findings', 'break-glass', 'verifications'],
      },
    ],
  },
  {
    id: 'nist-csf-2',
    name: 'NIST Cybersecurity Framework (CSF) 2.0',
    short: 'NIST CSF 2.0',
    source: 'https://doi.org/10.6028/NIST.CSWP.29',
    items: [
      {
        id: 'GV.RR-02',
        name:
          'Roles, responsibilities, and authorities related to cybersecurity risk management are established, ' +
          'communicated, understood, and enforced',
        evidence: ['ownership'],
      },
      {
        id: 'ID.AM-02',
        name: 'Inventories of software, services, and systems managed by the organization are maintained',
        evidence: ['inventory'],
      },
      {
        id: 'PR.AA-01',
        name: 'Identities and credentials for authorized users, services, and hardware are managed by the organization',
        evidence: ['rotations', 'revocations', 'deprovisioning'],
      },
      {
        id: 'PR.AA-02',
        name: 'Identities are proofed and bound to credentials based on the context of interactions',
        evidence: ['decisions'],
      },
      { id: 'PR.AA-03', name: 'Users, services, and hardware are authenticated' },
      { id: 'PR.AA-04', name: 'Identity assertions are protected, conveyed, and verified', evidence: ['decisions'] },
      {
        id: 'PR.AA-05',
        name:
          'Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and ' +
          'reviewed, and incorporate the principles of least privilege and separation of duties',
        evidence: ['reviews', 'exceptions', 'changes', 'delegations'],
      },
      { id: 'PR.DS-01', name: 'The confidentiality, integrity, and availability of data-at-rest are protected' },
      {
        id: 'DE.CM-03',
        name: 'Personnel activity and technology usage are monitored to find potentially adverse events',
        evidence: ['uses', 'verifications'],
      },
    ],
  },
  {
    id: 'csa-maestro',
    name: 'CSA MAESTRO agentic AI threat model (v1): layers and cross-layer threats',
    short: 'CSA MAESTRO',
    source: 'https://cloudsecurityalliance.org/blog/2025/02/06/agentic-ai-threat-modeling-framework-maestro',
    items: [
      {
        id: 'L1',
        name: 'Foundation Models',
        outside: {
          reason: `Model threats (poisoning, extraction, adversarial inputs) are the model provider’s. ${MODEL_LEVEL}`,
          helps: 'The registry lists which agents run on which model provider’s credentials.',
        },
      },
      {
        id: 'L2',
        name: 'Data Operations',
        observes: 'Credentials leaking into prompts, context windows, configuration and pipelines’ data.',
      },
      {
        id: 'L3',
        name: 'Agent Frameworks',
        observes: 'Agents reaching tools and systems no approved purpose covers.',
        evidence: ['decisions'],
      },
      {
        id: 'L4',
        name: 'Deployment and Infrastructure',
        observes:
          'Static and unbound credentials in deployments, CI pipelines holding long-lived keys, and credentials ' +
          'crossing environment boundaries.',
      },
      {
        id: 'L5',
        name: 'Evaluation and Observability',
        observes:
          'Uses of credentials by the wrong workload, after their allowed TTL or around the gate, and the ' +
          'integrity of the record that shows them.',
        evidence: ['uses', 'verifications'],
      },
      {
        id: 'L6',
        name: 'Security and Compliance',
        observes:
          'Agents nobody answers for, control planes without owners, one person holding every plane, overdue ' +
          'reviews and exceptions beyond policy.',
        evidence: ['reviews', 'exceptions', 'changes'],
      },
      {
        id: 'L7',
        name: 'Agent Ecosystem',
        observes:
          'Agents acting for other agents without a grant in force, rogue or unapproved agents holding ' +
          'credentials, and agents found in logs that nobody registered.',
        evidence: ['delegations', 'inventory'],
      },
      {
        id: 'Cross-layer',
        name: 'Cross-layer threats',
        observes: 'One credential reused across agents and environments, so a compromise at one layer spreads.',
        evidence: ['revocations'],
      },
    ],
  },
];

/** A control reference: `<framework id>/<item id>`. */
export type ControlRef = `${FrameworkId}/${string}`;

export function findControl(ref: string): { framework: Framework; item: FrameworkItem } | null {
  const [frameworkId, itemId] = ref.split(/\/(.*)/s) as [string, string];
  const framework = FRAMEWORKS.find((f) => f.id === frameworkId);
  const item = framework?.items.find((i) => i.id === itemId);
  return framework && item ? { framework, item } : null;
}
