import { spawnSync } from 'node:child_process';

/** `npm run audit:verify -- --pack … --public-key …` as an auditor runs it: its own process, no database reachable. */
export function runPackVerifier(pack: string, publicKey: string) {
  return spawnSync(
    'node',
    [
      '--conditions=react-server',
      '--import',
      'tsx',
      'scripts/audit-verify.ts',
      '--pack',
      pack,
      '--public-key',
      publicKey,
    ],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: 'postgresql://nobody:nothing@127.0.0.1:1/none' } },
  );
}
