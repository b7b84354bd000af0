import { spawnSync } from 'node:child_process';

/** `npm run audit:verify -- <args>` as an auditor runs it offline: its own process, no database reachable. */
export function runOfflineVerifier(args: string[]) {
  return spawnSync('node', ['--conditions=react-server', '--import', 'tsx', 'scripts/audit-verify.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: 'postgresql://nobody:nothing@127.0.0.1:1/none' },
  });
}
