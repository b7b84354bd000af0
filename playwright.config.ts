import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './e2e/fixtures/chromium';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const isCI = process.env.CI === 'true';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/fixtures/assert-local-database.ts',
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  workers: 1,
  // The journeys are long (sign-ins, reloads, axe scans): on two cores beside the server a few run near a minute.
  timeout: 90_000,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    // A production build against a freshly prepared database.
    command: `node scripts/e2e-server.mjs ${port}`,
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: !isCI,
    stdout: 'pipe',
  },
});
