// One scan for every free-text value a request carries: all of them in one
// secretlint call (the recommended preset plus Custodian's own rules), with
// resource references masked first so they never read as secrets.
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import { OWN_RULES } from './own-rules';
import { maskReferences } from './references';

// secretlint's profiler keeps every performance mark it records, forever: in a long-running server that is a leak
// that slows each scan. Custodian does not profile it, so the marks are not recorded.
secretLintProfiler.mark = () => {};

const CONFIG: SecretLintCoreConfig = {
  rules: [...recommended, ...OWN_RULES]
    // A "secretlint-disable" comment in a value must not switch the scan off: the preset's comment filter is left out.
    .filter((rule) => rule.meta.id !== '@secretlint/secretlint-rule-filter-comments')
    .map((rule) => ({ id: rule.meta.id, rule })),
};

export type SecretFinding = { index: number; ruleId: string };

/**
 * Which of the values look like secrets: the index of each value with the
 * first rule that matched it. Values are joined into one source (one lint
 * call per request); a match is attributed to the value it starts in.
 */
export async function findSecrets(values: readonly string[]): Promise<SecretFinding[]> {
  if (values.length === 0) return [];
  const starts: number[] = [];
  let offset = 0;
  for (const value of values) {
    starts.push(offset);
    offset += value.length + 1;
  }
  const content = maskReferences(values.join('\n'));
  const result = await lintSource({
    source: { content, filePath: 'input.txt', ext: '.txt', contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true, maskSecrets: true },
  });
  const found = new Map<number, string>();
  for (const message of result.messages) {
    const at = message.range[0];
    let index = starts.length - 1;
    while (index > 0 && starts[index]! > at) index -= 1;
    if (!found.has(index)) found.set(index, message.ruleId);
  }
  return [...found].map(([index, ruleId]) => ({ index, ruleId })).sort((a, b) => a.index - b.index);
}
