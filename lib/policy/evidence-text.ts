import type { EvidenceCount } from './evidence';

/** A process's record in a sentence, as the CSV and the OSCAL file give it: "Exceptions decided: 12 (12 by …)". */
export function evidenceText(e: EvidenceCount): string {
  const count = `${e.count.toLocaleString('en')}${e.capped ? '+' : ''}`;
  const qualified = e.qualified ? ` (${e.qualified.count.toLocaleString('en')} ${e.qualified.label})` : '';
  return `${e.title}: ${count}${qualified}`;
}
