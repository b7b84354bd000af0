import Link from 'next/link';
import { RiskTierBadge } from '@/components/vocabulary';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { Finding } from '@/lib/policy/findings';
import { SeverityBadge } from '@/components/vocabulary';

/** Findings with what is wrong, where, and a link to where it is fixed. */
export function FindingsTable({ findings, caption, showAgent = true }: { findings: Finding[]; caption: string; showAgent?: boolean }) {
  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <THead>
        <tr>
          <TH>Severity</TH>
          <TH>Finding</TH>
          {showAgent ? <TH>Agent</TH> : null}
          <TH>Detail</TH>
          <TH>Fix</TH>
        </tr>
      </THead>
      <TBody>
        {findings.map((f, i) => (
          <TR key={`${f.rule.id}-${f.agent.id}-${f.credential?.id ?? i}`} data-rule={f.rule.id}>
            <TD>
              <SeverityBadge severity={f.rule.severity} />
            </TD>
            <TD>
              <span className="font-medium" title={f.rule.explanation}>
                {f.rule.title}
              </span>
            </TD>
            {showAgent ? (
              <TD>
                <Link href={`/agents/${f.agent.slug}`} className="mr-2 underline decoration-muted-foreground/40 underline-offset-2">
                  {f.agent.name}
                </Link>
                <RiskTierBadge tier={f.agent.riskTier} />
                <span className="block text-xs text-muted-foreground">owner {f.agent.owner ?? 'none'}</span>
              </TD>
            ) : null}
            <TD className="text-muted-foreground">{f.detail}</TD>
            <TD>
              <Link href={`/agents/${f.agent.slug}#${f.rule.fixAnchor}`} className="text-primary underline underline-offset-2">
                {f.rule.fix}
              </Link>
            </TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}
