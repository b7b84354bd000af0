// The role the code under test runs as: created by the global setup, granted what the application may do.
/** The same database as the application role the tests run as (created by the global setup). */
export function applicationUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = 'custodian_app_test';
  url.password = 'custodian_app_test';
  return url.toString();
}
