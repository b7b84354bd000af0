// Latency at a fixed rate, with arrivals evenly spaced. autocannon's rate limit sends each second's quota back to
// back at the start of the second, so "p99 at 20 requests a second" measured queueing behind its own bursts; and one
// autocannon per arrival slot (200 of them for 200 requests a second) cost the load generator more CPU than the
// server under test on this 2-core machine. Here each request leaves at its slot (start + i / rate) from one of a
// few keep-alive clients, as a handful of brokers or browsers would send them, and its latency counts from the slot,
// not from when it left: a late generator shows in the figures, never hides in them.
import http from 'node:http';
import https from 'node:https';

const TIMEOUT_MS = 10_000;

/**
 * How long a timed fixed-rate row runs (the page rows, the decision API's). Over 10 s a page row's p99 (200 answers)
 * was its second-slowest answer, and slow answers come in runs: timestamped answers showed 100–200 ms stalls shared by
 * all three instances at once (the two cores, the database), each holding the requests then in flight, while the load
 * generator's own timers stayed on time. One stall decided a row. Over 30 s the p99 of a page row is the sixth-slowest
 * of 600, and each row prints its slowest beside it.
 */
export const ROW_SECONDS = 30;

export type PacedRequest = { path: string; method?: 'GET' | 'POST'; headers: Record<string, string>; body?: string };

export type PacedResult = {
  p50: number;
  p90: number;
  p99: number;
  /** The slowest answer: what the percentiles leave out, shown rather than hidden. */
  max: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** How late the latest request left its slot (ms): the generator keeping up, or not. */
  lateMs: number;
};

/**
 * Sends `rate` requests a second for `seconds`, request i being `requests[i % requests.length]` from client
 * i % clients (each its own keep-alive connections), and returns the latencies' percentiles.
 */
export async function paced(
  url: string,
  requests: PacedRequest[],
  options: { rate: number; seconds: number; clients: number },
): Promise<PacedResult> {
  const base = new URL(url);
  const transport = base.protocol === 'https:' ? https : http;
  const agents = Array.from({ length: options.clients }, () => new transport.Agent({ keepAlive: true }));
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let lateMs = 0;
  const send = (i: number, slot: number) =>
    new Promise<void>((resolve) => {
      let done = false;
      const { path, method = 'GET', headers, body } = requests[i % requests.length]!;
      lateMs = Math.max(lateMs, performance.now() - slot);
      const request = transport.request(
        new URL(path, base),
        {
          method,
          agent: agents[i % agents.length],
          headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (done) return;
            done = true;
            latencies.push(performance.now() - slot);
            if (response.statusCode! < 200 || response.statusCode! >= 300) non2xx += 1;
            resolve();
          });
          response.on('aborted', failed);
        },
      );
      // A request that fails, or has no whole answer within the time-out, counts as an error (and fails the row).
      function failed() {
        if (done) return;
        done = true;
        errors += 1;
        resolve();
      }
      request.setTimeout(TIMEOUT_MS, () => request.destroy(new Error('timed out')));
      request.on('error', failed);
      request.end(body);
    });
  const started = performance.now() + 10;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const slot = started + (i * 1000) / options.rate;
    const wait = slot - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i, slot));
  }
  await Promise.all(inFlight);
  for (const agent of agents) agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), errors, non2xx, requests: latencies.length, lateMs };
}
