import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP, type BlockList } from 'node:net';
import { addressRefusal, AddressRefused, guardedLookup } from './address-guard';

/** How long a webhook may take, connection to last byte: a slow receiver is retried later, never waited on. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * `Custodian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The receiver recomputes it with the
 * shared secret over the raw body and refuses an old timestamp (a replayed delivery).
 */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export type PostResult = { ok: boolean; detail: string };

/**
 * POSTs a JSON body to a webhook target, connecting only to an allowed address (checked on the address connected
 * to), following no redirects, reading at most a few kB of the answer. Never throws: the result says what happened.
 */
export function postJson(
  target: string,
  body: string,
  headers: Record<string, string>,
  allowed: BlockList,
  timeoutMs = WEBHOOK_TIMEOUT_MS,
): Promise<PostResult> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address is connected to without a lookup: checked here instead.
  const literal = isIP(host) ? addressRefusal(host, allowed) : null;
  if (literal) return Promise.resolve({ ok: false, detail: `Refused before connecting: ${literal}` });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Custodian-Notifications',
          ...headers,
        },
        lookup: guardedLookup(allowed) as never,
        timeout: timeoutMs,
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 8_192) response.destroy();
        });
        const done = () => {
          const status = response.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, detail: `HTTP ${status}` });
        };
        response.on('end', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      const detail =
        error instanceof AddressRefused
          ? `Refused before connecting: ${error.message}`
          : `${error.code ?? 'error'}: ${error.message}`;
      resolve({ ok: false, detail });
    });
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}
