// What one page costs to send: its HTML (a first load) and its RSC payload (a client-side navigation to it), each
// as sent over the wire to a browser that accepts gzip, and as the server rendered it.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

export type PageBytes = { path: string; htmlWire: number; htmlRaw: number; rscWire: number; rscRaw: number };

type Got = { wire: number; raw: number; status: number; location?: string };

function get(url: string, headers: Record<string, string>): Promise<Got> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { ...headers, 'accept-encoding': 'gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const raw = response.headers['content-encoding'] === 'gzip' ? gunzipSync(body).length : body.length;
        resolve({ wire: body.length, raw, status: response.statusCode ?? 0, location: response.headers.location });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

export async function pageBytes(origin: string, path: string, headers: Record<string, string>): Promise<PageBytes> {
  const html = await get(`${origin}${path}`, headers);
  // `RSC: 1` asks for the flight payload a client navigation fetches instead of HTML. Next answers a request without
  // its cache-busting `_rsc` parameter with a redirect to the URL that carries it: followed, as the router does.
  let rsc = await get(`${origin}${path}`, { ...headers, rsc: '1' });
  if (rsc.status === 307 && rsc.location) rsc = await get(new URL(rsc.location, origin).href, { ...headers, rsc: '1' });
  if (html.status !== 200 || rsc.status !== 200) {
    throw new Error(`${path} answered ${html.status} (HTML) and ${rsc.status} (RSC), not 200`);
  }
  return { path, htmlWire: html.wire, htmlRaw: html.raw, rscWire: rsc.wire, rscRaw: rsc.raw };
}
