import 'server-only';
import { expireDueExceptions } from './commands';

const EVERY_MS = 30_000;
const holder = globalThis as { __custodianSweeper?: NodeJS.Timeout };

/** Expires due exceptions every 30 s in this server process (once per process). */
export function startExceptionSweeper(): void {
  if (holder.__custodianSweeper) return;
  const sweep = () =>
    expireDueExceptions().catch((error: unknown) => console.error('exception sweeper failed; retrying next run', error));
  holder.__custodianSweeper = setInterval(sweep, EVERY_MS);
  holder.__custodianSweeper.unref();
  void sweep();
}
