import type { AgentKind, AgentStatus, RiskTier } from '@/lib/generated/prisma/enums';

type Planes = { IAM?: string; PAM?: string; PLATFORM?: string };

export type SeedAgent = {
  slug: string;
  name: string;
  kind: AgentKind;
  riskTier: RiskTier;
  status: AgentStatus;
  owner?: string;
  planes: Planes;
  description: string;
};

const full = (IAM: string, PAM: string, PLATFORM: string): Planes => ({ IAM, PAM, PLATFORM });

// Forty agents covering every state the registry pages can show: orphans
// (no owner, an inactive owner or control owner), unassigned planes, one
// person holding all three planes, every kind, tier and status.
export const AGENTS: SeedAgent[] = [
  { slug: 'deploy-bot', name: 'Deploy bot', kind: 'CI_AGENT', riskTier: 'CRITICAL', status: 'ACTIVE', owner: 'olivia', planes: full('ivan', 'tom', 'grace'), description: 'Ships approved releases to production clusters.' },
  { slug: 'pr-reviewer', name: 'PR reviewer', kind: 'CODING_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Reviews pull requests and suggests changes.' },
  { slug: 'release-notes-writer', name: 'Release notes writer', kind: 'CODING_AGENT', riskTier: 'LOW', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'omar', 'grace'), description: 'Drafts release notes from merged pull requests.' },
  { slug: 'support-triage', name: 'Support triage', kind: 'SUPPORT_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'olivia', planes: full('ivan', 'tom', 'grace'), description: 'Labels and routes incoming support tickets.' },
  { slug: 'refund-assistant', name: 'Refund assistant', kind: 'SUPPORT_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'olivia', planes: full('ivan', 'omar', 'grace'), description: 'Proposes refunds within policy for human approval.' },
  { slug: 'invoice-reconciler', name: 'Invoice reconciler', kind: 'DATA_PIPELINE', riskTier: 'HIGH', status: 'ACTIVE', owner: 'priya', planes: full('ivan', 'tom', 'grace'), description: 'Matches invoices to payments nightly.' },
  { slug: 'etl-orders', name: 'Orders ETL', kind: 'DATA_PIPELINE', riskTier: 'HIGH', status: 'ACTIVE', owner: 'lena', planes: full('ivan', 'tom', 'grace'), description: 'Loads orders into the warehouse. Its owner has left.' },
  { slug: 'etl-customers', name: 'Customers ETL', kind: 'DATA_PIPELINE', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'lena', planes: full('ivan', 'tom', 'grace'), description: 'Loads customer records into the warehouse.' },
  { slug: 'feature-store-sync', name: 'Feature store sync', kind: 'DATA_PIPELINE', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Syncs features to the online store.' },
  { slug: 'incident-summarizer', name: 'Incident summarizer', kind: 'OPS_AGENT', riskTier: 'LOW', status: 'ACTIVE', owner: 'jordan', planes: full('ivan', 'tom', 'grace'), description: 'Writes incident timelines from chat and alerts.' },
  { slug: 'oncall-pager', name: 'On-call pager', kind: 'OPS_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'jordan', planes: full('ivan', 'omar', 'grace'), description: 'Pages the on-call engineer and opens incidents.' },
  { slug: 'log-anomaly-detector', name: 'Log anomaly detector', kind: 'OPS_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'jordan', planes: { IAM: 'ivan', PLATFORM: 'grace' }, description: 'Flags unusual log patterns. Legacy: no PAM owner yet.' },
  { slug: 'dependency-updater', name: 'Dependency updater', kind: 'CODING_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Opens pull requests that update dependencies.' },
  { slug: 'terraform-planner', name: 'Terraform planner', kind: 'CI_AGENT', riskTier: 'CRITICAL', status: 'ACTIVE', owner: 'priya', planes: full('ivan', 'omar', 'grace'), description: 'Plans and applies infrastructure changes.' },
  { slug: 'k8s-rightsizer', name: 'Kubernetes rightsizer', kind: 'OPS_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'jordan', planes: full('ivan', 'tom', 'grace'), description: 'Recommends and applies resource limits.' },
  { slug: 'code-migration-agent', name: 'Code migration agent', kind: 'CODING_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Migrates services to the new framework.' },
  { slug: 'test-generator', name: 'Test generator', kind: 'CODING_AGENT', riskTier: 'LOW', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Writes unit tests for uncovered code.' },
  { slug: 'docs-writer', name: 'Docs writer', kind: 'CODING_AGENT', riskTier: 'LOW', status: 'ACTIVE', owner: 'olivia', planes: full('ivan', 'tom', 'grace'), description: 'Keeps API documentation current.' },
  { slug: 'sales-email-drafter', name: 'Sales email drafter', kind: 'SUPPORT_AGENT', riskTier: 'LOW', status: 'ACTIVE', owner: 'omar', planes: full('ivan', 'tom', 'grace'), description: 'Drafts outreach from CRM notes.' },
  { slug: 'crm-enricher', name: 'CRM enricher', kind: 'DATA_PIPELINE', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'omar', planes: full('ivan', 'tom', 'grace'), description: 'Enriches CRM accounts with public data.' },
  { slug: 'kb-answerer', name: 'Knowledge-base answerer', kind: 'SUPPORT_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'olivia', planes: full('ivan', 'tom', 'grace'), description: 'Answers customer questions from the help centre.' },
  { slug: 'fraud-screening', name: 'Fraud screening', kind: 'DATA_PIPELINE', riskTier: 'CRITICAL', status: 'ACTIVE', owner: 'priya', planes: full('ivan', 'omar', 'grace'), description: 'Scores payments for fraud in real time.' },
  { slug: 'kyc-document-checker', name: 'KYC document checker', kind: 'RESEARCH_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'priya', planes: full('ivan', 'tom', 'grace'), description: 'Checks identity documents against sanctions lists.' },
  { slug: 'pricing-optimizer', name: 'Pricing optimizer', kind: 'RESEARCH_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Suggests price changes from demand signals.' },
  { slug: 'data-quality-monitor', name: 'Data quality monitor', kind: 'DATA_PIPELINE', riskTier: 'LOW', status: 'ACTIVE', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Checks freshness and nulls across tables.' },
  { slug: 'backup-verifier', name: 'Backup verifier', kind: 'OPS_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'jordan', planes: full('ivan', 'tom', 'grace'), description: 'Restores backups to a sandbox and verifies them.' },
  { slug: 'secrets-scanner', name: 'Secrets scanner', kind: 'CI_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'grace', planes: full('ivan', 'tom', 'grace'), description: 'Scans repositories for committed secrets.' },
  { slug: 'vuln-triage', name: 'Vulnerability triage', kind: 'CI_AGENT', riskTier: 'MEDIUM', status: 'ACTIVE', owner: 'grace', planes: full('ivan', 'omar', 'grace'), description: 'Triages scanner findings into tickets.' },
  { slug: 'warehouse-loader', name: 'Warehouse loader', kind: 'DATA_PIPELINE', riskTier: 'HIGH', status: 'ACTIVE', owner: 'priya', planes: full('ivan', 'tom', 'lena'), description: 'Bulk loads partner files. Its platform owner has left.' },
  { slug: 'gpu-scheduler', name: 'GPU scheduler', kind: 'OPS_AGENT', riskTier: 'HIGH', status: 'ACTIVE', owner: 'jordan', planes: full('jordan', 'jordan', 'jordan'), description: 'Schedules training jobs. One person holds every plane.' },
  { slug: 'model-eval-runner', name: 'Model eval runner', kind: 'RESEARCH_AGENT', riskTier: 'MEDIUM', status: 'SUSPENDED', owner: 'marcus', planes: full('ivan', 'tom', 'grace'), description: 'Runs evaluation suites on new models. Suspended after an incident.' },
  { slug: 'ci-flake-hunter', name: 'CI flake hunter', kind: 'CI_AGENT', riskTier: 'LOW', status: 'SUSPENDED', owner: 'jordan', planes: full('ivan', 'tom', 'grace'), description: 'Retries and quarantines flaky tests.' },
  { slug: 'contract-summarizer', name: 'Contract summarizer', kind: 'RESEARCH_AGENT', riskTier: 'HIGH', status: 'SUSPENDED', owner: 'omar', planes: full('ivan', 'omar', 'grace'), description: 'Summarises supplier contracts for legal.' },
  { slug: 'chat-concierge', name: 'Chat concierge', kind: 'SUPPORT_AGENT', riskTier: 'MEDIUM', status: 'SUSPENDED', owner: 'olivia', planes: full('ivan', 'tom', 'grace'), description: 'Greets website visitors.' },
  { slug: 'hr-onboarding-helper', name: 'HR onboarding helper', kind: 'SUPPORT_AGENT', riskTier: 'MEDIUM', status: 'RETIRED', owner: 'omar', planes: full('ivan', 'tom', 'grace'), description: 'Answered onboarding questions. Replaced by the KB answerer.' },
  { slug: 'legacy-report-mailer', name: 'Legacy report mailer', kind: 'DATA_PIPELINE', riskTier: 'LOW', status: 'RETIRED', owner: 'lena', planes: full('ivan', 'tom', 'grace'), description: 'Mailed weekly reports. Retired.' },
  { slug: 'sbom-builder', name: 'SBOM builder', kind: 'CI_AGENT', riskTier: 'LOW', status: 'PROPOSED', owner: 'grace', planes: { IAM: 'ivan' }, description: 'Will build software bills of materials per release.' },
  { slug: 'access-review-assistant', name: 'Access review assistant', kind: 'OPS_AGENT', riskTier: 'HIGH', status: 'PROPOSED', owner: 'priya', planes: { IAM: 'ivan', PAM: 'omar' }, description: 'Will prepare access review evidence.' },
  { slug: 'research-assistant', name: 'Research assistant', kind: 'RESEARCH_AGENT', riskTier: 'MEDIUM', status: 'PROPOSED', planes: {}, description: 'Literature search for the ML team. No owner yet.' },
  { slug: 'cost-reporter', name: 'Cost reporter', kind: 'OTHER', riskTier: 'LOW', status: 'PROPOSED', owner: 'jordan', planes: {}, description: 'Will post weekly cloud cost summaries.' },
];
