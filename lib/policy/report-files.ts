import 'server-only';
import { loadSigningKey } from '@/lib/audit/signing';
import { getEnv } from '@/lib/env';
import { oscalAssessmentResults } from './oscal';
import type { FrameworkReport } from './reports';
import { sha256Hex, signSummary, SUMMARY_FORMAT, type SignedSummary } from './summary-format';

// The files an auditor takes away: the OSCAL document and the signed summary naming its digest. Both are built from
// one report, and the OSCAL bytes are a function of it, so the two agree however often they are downloaded.

/** The OSCAL assessment-results document, as the bytes served (links absolute, to this deployment). */
export function oscalFile(report: FrameworkReport): string {
  const origin = new URL(getEnv().NEXTAUTH_URL ?? 'http://localhost:3000').origin;
  return `${JSON.stringify(oscalAssessmentResults(report, origin), null, 2)}\n`;
}

/** The summary of the report, signed with the audit key (unsigned when none is configured). */
export function signedSummaryFile(report: FrameworkReport): string {
  const head = report.asOf?.head;
  const signed: SignedSummary = signSummary(
    {
      format: SUMMARY_FORMAT,
      framework: { id: report.framework.id, name: report.framework.name, source: report.framework.source },
      at: report.at.toISOString(),
      chainHead: head ? { seq: head.seq.toString(), hash: head.hash } : null,
      findingsHistoryFrom: report.asOf ? (report.asOf.historyFrom?.toISOString() ?? null) : null,
      agentsInScope: report.agentsInScope,
      evidenceWindow: {
        from: report.evidenceWindow.from.toISOString(),
        to: report.evidenceWindow.to.toISOString(),
      },
      controls: report.controls.map((c) => ({
        id: c.item.id,
        state: c.state,
        rules: c.rules.map((r) => r.id),
        failingAgents: c.failingAgents,
        passingAgents: c.passingAgents,
        evidence: c.evidence.map((e) => ({
          id: e.id,
          count: e.count,
          capped: e.capped,
          qualified: e.qualified?.count ?? null,
        })),
      })),
      oscal: { sha256: sha256Hex(oscalFile(report)) },
    },
    loadSigningKey(),
  );
  return `${JSON.stringify(signed, null, 2)}\n`;
}

/** A download's file name: the framework, and the day described. */
export function reportFileName(report: FrameworkReport, kind: string, extension: string): string {
  return `${report.framework.id}-${kind}-as-of-${report.at.toISOString().slice(0, 10)}.${extension}`;
}
