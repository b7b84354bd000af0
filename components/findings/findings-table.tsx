import type { Finding } from '@/lib/policy/findings';
import { FindingsDataTable, type FindingRowView } from './findings-data-table';

/** Findings with what is wrong, where, and a link to where it is fixed. */
export function FindingsTable({
  findings,
  caption,
  showAgent = true,
}: {
  findings: Finding[];
  caption: string;
  showAgent?: boolean;
}) {
  const rows: FindingRowView[] = findings.map((f, i) => ({
    id: `${f.rule.id}-${f.agent.id}-${f.credential?.id ?? i}`,
    severity: f.rule.severity,
    title: f.rule.title,
    explanation: f.rule.explanation,
    fix: f.rule.fix,
    fixHref: `/agents/${f.agent.slug}#${f.rule.fixAnchor}`,
    agent: { slug: f.agent.slug, name: f.agent.name, riskTier: f.agent.riskTier, owner: f.agent.owner },
    detail: f.detail,
  }));
  return <FindingsDataTable rows={rows} caption={caption} showAgent={showAgent} />;
}
