// A person's journey through the balancer in a real browser: sign in, ask the issuance gate (a server action) and
// download an export. nginx names the instance that answered each response (X-Upstream), so the run shows that
// each step worked whichever instance answered, with no sticky sessions.
import { chromium } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '../e2e/fixtures/chromium';

export type JourneyResult = {
  steps: { step: string; ok: boolean; detail: string }[];
  /** Responses per instance over the whole journey. */
  servedBy: Record<string, number>;
};

export async function journeyThroughBalancer(
  url: string,
  person: string,
  agentSlug: string,
  instances: number,
): Promise<JourneyResult> {
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const servedBy: Record<string, number> = {};
  const steps: JourneyResult['steps'] = [];
  const step = async (name: string, work: () => Promise<string>) => {
    const seen = new Set<string>();
    const record = (r: { headers: () => Record<string, string> }) => {
      const upstream = r.headers()['x-upstream'];
      if (upstream) seen.add(upstream);
    };
    page.on('response', record);
    try {
      const detail = await work();
      // Round-robin must have spread the step's requests: one instance answering all of them proves nothing.
      if (seen.size < Math.min(2, instances))
        throw new Error(`only ${[...seen].join('') || 'no instance'} answered: not balanced`);
      steps.push({ step: name, ok: true, detail: `${detail}; answered by ${[...seen].sort().join(', ')}` });
    } catch (error) {
      steps.push({ step: name, ok: false, detail: (error as Error).message.split('\n')[0]! });
    } finally {
      page.off('response', record);
    }
  };
  const context = await browser.newContext({ baseURL: url, acceptDownloads: true });
  const page = await context.newPage();
  page.on('response', (r) => {
    const upstream = r.headers()['x-upstream'];
    if (upstream) servedBy[upstream] = (servedBy[upstream] ?? 0) + 1;
  });
  try {
    await step('sign-in', async () => {
      await page.goto('/signin');
      await page.getByRole('button', { name: `Sign in as ${person}`, exact: true }).click();
      await page.getByTestId('current-user').waitFor({ timeout: 30_000 });
      // Three pages in a row: round-robin sends them to different instances, each of which must know the session.
      for (const path of ['/agents', '/timeline', '/findings']) {
        await page.goto(path);
        const who = await page.getByTestId('current-user').innerText({ timeout: 30_000 });
        if (who !== person) throw new Error(`${path} showed ${who}, not ${person}`);
      }
      return `signed in as ${person}, then /agents, /timeline and /findings as them`;
    });
    await step('server action', async () => {
      await page.goto(`/agents/${agentSlug}`);
      const gate = page.getByRole('form', { name: 'Would it be allowed?' });
      for (let i = 0; i < 3; i++) {
        await gate.getByLabel('Task or tool').fill(`bench-${i}`);
        await gate.getByLabel('Time-to-live (seconds)').fill('300');
        await gate.getByRole('button', { name: 'Would it be allowed?' }).click();
        await page
          .getByTestId('issuance-answer')
          .getByText(/Allowed|Denied/)
          .first()
          .waitFor({ timeout: 30_000 });
      }
      return 'asked the issuance gate three times (a server action each)';
    });
    await step('download', async () => {
      await page.goto(`/timeline?agent=${agentSlug}`);
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.getByRole('link', { name: 'CSV', exact: true }).click(),
      ]);
      const path = await download.path();
      const { readFileSync } = await import('node:fs');
      const lines = readFileSync(path, 'utf8').trim().split('\r\n');
      if (!/^seq,/.test(lines[0] ?? '') || !/chain_head_seq=\d+/.test(lines.at(-1) ?? '')) {
        throw new Error('the CSV export lacks its header or its trailer');
      }
      return `CSV export of ${agentSlug}: ${lines.length - 2} events and its trailer`;
    });
  } finally {
    await browser.close();
  }
  return { steps, servedBy };
}
