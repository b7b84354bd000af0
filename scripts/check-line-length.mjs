// `npm run lint`: no line over 120 characters in the project's own files
// (Prettier wraps code at 120 but leaves long strings and comments alone).
// Generated files, migrations and the lockfile are not ours to wrap; Prisma's
// schema language has no line continuation, a Markdown table row is one line, and another tool's format is its own.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 120;
const SKIP = [
  /^lib\/generated\//,
  /^prisma\/migrations\//,
  /^prisma\/schema\.prisma$/,
  /^package-lock\.json$/,
  /^public\//,
  // Fixtures in the formats of other tools (a Vault audit log is one JSON object a line).
  /\/fixtures\/[^/]+\.(log|csv)$/,
  // NIST's published OSCAL schema, kept unmodified.
  /\/fixtures\/oscal_[^/]+\.json$/,
  /\.(png|ico|svg|zip)$/,
];
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !SKIP.some((re) => re.test(f)));

const long = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if (line.length > LIMIT && !(file.endsWith('.md') && line.startsWith('|')))
      long.push(`${file}:${i + 1}: ${line.length} characters`);
  });
}
if (long.length > 0) {
  console.error(`${long.length} line(s) over ${LIMIT} characters:\n${long.join('\n')}`);
  process.exit(1);
}
