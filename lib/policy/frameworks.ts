// The frameworks findings are reported against, with their official item ids
// and names. Items listed are the ones Custodian's rules evidence (the OWASP
// lists are complete; the NIST ones list the items in scope).

export type FrameworkItem = { id: string; name: string };
export type Framework = { id: FrameworkId; name: string; short: string; source: string; items: FrameworkItem[] };
export type FrameworkId = 'owasp-nhi-2025' | 'owasp-agentic-2026' | 'nist-ai-rmf-govern' | 'nist-csf-2';

export const FRAMEWORKS: Framework[] = [
  {
    id: 'owasp-nhi-2025',
    name: 'OWASP Top 10 Non-Human Identities Risks – 2025',
    short: 'OWASP NHI Top 10',
    source: 'https://owasp.org/www-project-non-human-identities-top-10/2025/',
    items: [
      { id: 'NHI1:2025', name: 'Improper Offboarding' },
      { id: 'NHI2:2025', name: 'Secret Leakage' },
      { id: 'NHI3:2025', name: 'Vulnerable Third-Party NHI' },
      { id: 'NHI4:2025', name: 'Insecure Authentication' },
      { id: 'NHI5:2025', name: 'Overprivileged NHI' },
      { id: 'NHI6:2025', name: 'Insecure Cloud Deployment Configurations' },
      { id: 'NHI7:2025', name: 'Long-Lived Secrets' },
      { id: 'NHI8:2025', name: 'Environment Isolation' },
      { id: 'NHI9:2025', name: 'NHI Reuse' },
      { id: 'NHI10:2025', name: 'Human Use of NHI' },
    ],
  },
  {
    id: 'owasp-agentic-2026',
    name: 'OWASP Top 10 for Agentic Applications 2026',
    short: 'OWASP Agentic Top 10',
    source: 'https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/',
    items: [
      { id: 'ASI01', name: 'Agent Goal Hijack' },
      { id: 'ASI02', name: 'Tool Misuse and Exploitation' },
      { id: 'ASI03', name: 'Identity and Privilege Abuse' },
      { id: 'ASI04', name: 'Agentic Supply Chain Vulnerabilities' },
      { id: 'ASI05', name: 'Unexpected Code Execution (RCE)' },
      { id: 'ASI06', name: 'Memory & Context Poisoning' },
      { id: 'ASI07', name: 'Insecure Inter-Agent Communication' },
      { id: 'ASI08', name: 'Cascading Failures' },
      { id: 'ASI09', name: 'Human-Agent Trust Exploitation' },
      { id: 'ASI10', name: 'Rogue Agents' },
    ],
  },
  {
    id: 'nist-ai-rmf-govern',
    name: 'NIST AI Risk Management Framework 1.0 — GOVERN',
    short: 'NIST AI RMF (GOVERN)',
    source: 'https://doi.org/10.6028/NIST.AI.100-1',
    items: [
      {
        id: 'GOVERN 1.5',
        name:
          'Ongoing monitoring and periodic review of the risk management process and its outcomes are planned ' +
          'and organizational roles and responsibilities clearly defined, including determining the frequency ' +
          'of periodic review.',
      },
      {
        id: 'GOVERN 1.6',
        name:
          'Mechanisms are in place to inventory AI systems and are resourced according to organizational risk ' +
          'priorities.',
      },
      {
        id: 'GOVERN 1.7',
        name:
          'Processes and procedures are in place for decommissioning and phasing out AI systems safely and in a ' +
          'manner that does not increase risks or decrease the organization’s trustworthiness.',
      },
      {
        id: 'GOVERN 2.1',
        name:
          'Roles and responsibilities and lines of communication related to mapping, measuring, and managing AI ' +
          'risks are documented and are clear to individuals and teams throughout the organization.',
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
      },
      {
        id: 'ID.AM-02',
        name: 'Inventories of software, services, and systems managed by the organization are maintained',
      },
      {
        id: 'PR.AA-01',
        name: 'Identities and credentials for authorized users, services, and hardware are managed by the organization',
      },
      {
        id: 'PR.AA-05',
        name:
          'Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and ' +
          'reviewed, and incorporate the principles of least privilege and separation of duties',
      },
      { id: 'PR.AA-03', name: 'Users, services, and hardware are authenticated' },
      { id: 'PR.DS-01', name: 'The confidentiality, integrity, and availability of data-at-rest are protected' },
      {
        id: 'DE.CM-03',
        name: 'Personnel activity and technology usage are monitored to find potentially adverse events',
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
