// Runs once when a server instance starts. The exception sweeper runs on a
// schedule inside the server; running it from several instances at once is
// safe (each row is claimed once), so nothing else coordinates them.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { startExceptionSweeper } = await import('./lib/exceptions/sweeper');
  startExceptionSweeper();
}
