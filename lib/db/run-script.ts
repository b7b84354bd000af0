import 'server-only';
import { disconnectDb } from './client';

/**
 * Runs a command-line script's main, closes the database (releasing the
 * embedded folder's lock) and exits with its code: 1 on an error, whose
 * message is printed without a stack.
 */
export function runScript(main: () => Promise<number | void>): void {
  main()
    .then(async (code) => {
      await disconnectDb();
      process.exit(code ?? 0);
    })
    .catch(async (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      await disconnectDb().catch(() => {});
      process.exit(typeof error === 'object' && error && 'exitCode' in error ? Number(error.exitCode) : 1);
    });
}
