import { describe } from 'vitest';

/** The PostgreSQL server the test run uses, or undefined on embedded PGlite. */
export const testServerUrl = process.env.CUSTODIAN_TEST_SERVER_URL;

/**
 * Concurrency needs real connections and PGlite has one: without a server
 * these suites are skipped (the run's opening warning says why).
 */
export const describeWithPostgresServer = testServerUrl ? describe : describe.skip;
