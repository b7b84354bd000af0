// One scan for every free-text value a request carries: all of them in one
// secretlint call (the recommended preset plus Custodian's own rules), with
// resource references masked first so they never read as secrets.
import { createHash } from 'node:crypto';
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig, SecretLintRuleCreator } from '@secretlint/types';
import { GENERIC_RULES, PROVIDER_RULES } from './own-rules';
import { maskReferences } from './references';

// secretlint's profiler keeps every performance mark it records, forever: in a long-running server that is a leak
// that slows each scan. Custodian does not profile it, so the marks are not recorded.
secretLintProfiler.mark = () => {};

const config = (rules: SecretLintRuleCreator[]): SecretLintCoreConfig => ({
  rules: rules.map((rule) => ({ id: rule.meta.id, rule })),
});
// A "secretlint-disable" comment in a value must not switch the scan off: the preset's comment filter is left out.
const AS_SENT = config([
  ...recommended.filter((rule) => rule.meta.id !== '@secretlint/secretlint-rule-filter-comments'),
  ...PROVIDER_RULES,
]);
const REFERENCES_MASKED = config(GENERIC_RULES);

/** No field is longer than this; a longer value is refused by its schema anyway, so only its start is scanned. */
const MAX_SCANNED = 50_000;

/**
 * The text a secret would be read from: compatibility-normalised, with invisible format characters (soft hyphens,
 * zero-width and bidi marks) removed, so `AKIA\u00ad…` reads as `AKIA…`.
 */
function visible(value: string): string {
  return value
    .slice(0, MAX_SCANNED)
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '');
}

export type SecretFinding = { index: number; ruleId: string };

/**
 * Which of the values look like secrets: the index of each value with the
 * first rule that matched it. Values are joined into one source and linted
 * twice, as sent (every provider format) and with references masked (the
 * generic rules); a match is attributed to the value it starts in.
 */
export async function findSecrets(values: readonly string[]): Promise<SecretFinding[]> {
  if (values.length === 0) return [];
  const texts = values.map(visible);
  const text = JSON.stringify(texts);
  const key = text.length <= MAX_REMEMBERED_LENGTH ? createHash('sha256').update(text).digest('base64') : null;
  if (key && recent.has(key)) return [];
  const found = await scan(texts);
  if (key && found.length === 0) {
    if (recent.size >= MAX_REMEMBERED) recent.delete(recent.values().next().value!);
    recent.add(key);
  }
  return found;
}

// A broker asks about the same workload, credential and task again and again, and secretlint costs a few tenths of a
// millisecond a call: the last few hundred small requests found clean are remembered (a scan is a pure function of
// the text; only a hash of it is kept, and one that held a secret is not kept at all). The oldest is forgotten first.
const MAX_REMEMBERED = 500;
const MAX_REMEMBERED_LENGTH = 2_000;
const recent = new Set<string>();

async function scan(texts: string[]): Promise<SecretFinding[]> {
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += text.length + 1;
  }
  const content = texts.join('\n');
  const lint = (text: string, cfg: SecretLintCoreConfig) =>
    lintSource({
      source: { content: text, filePath: 'input.txt', ext: '.txt', contentType: 'text' },
      options: { config: cfg, noPhysicFilePath: true, maskSecrets: true },
    });
  const results = await Promise.all([lint(content, AS_SENT), lint(maskReferences(content), REFERENCES_MASKED)]);
  const found = new Map<number, string>();
  for (const message of results.flatMap((r) => r.messages)) {
    const at = message.range[0];
    let index = starts.length - 1;
    while (index > 0 && starts[index]! > at) index -= 1;
    if (!found.has(index)) found.set(index, message.ruleId);
  }
  return [...found].map(([index, ruleId]) => ({ index, ruleId })).sort((a, b) => a.index - b.index);
}
