import { promises as dns, lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// Where a webhook may go. A form that names a URL must not make Custodian call into its own network (cloud metadata,
// the database, an admin port): loopback, link-local, private, shared and reserved ranges are refused unless the
// operator allows a range (CUSTODIAN_WEBHOOK_ALLOW_PRIVATE). Checked when the URL is saved, and again on the address
// each delivery actually connects to, so a name that later resolves elsewhere (DNS rebinding) is refused too.

const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(net, bits, 'ipv6');
}

export class AddressRefused extends Error {}

/** The operator's allowed ranges, from "127.0.0.1/32, 10.20.0.0/16". A malformed entry is an error naming it. */
export function allowedRanges(spec: string | undefined): BlockList {
  const list = new BlockList();
  for (const entry of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '');
    const prefix = Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`CUSTODIAN_WEBHOOK_ALLOW_PRIVATE: "${entry}" is not a CIDR range such as 10.20.0.0/16.`);
    }
    list.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** An IPv4 address inside IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why this address may not be a webhook's, or null when it may. */
export function addressRefusal(address: string, allowed: BlockList): string | null {
  const a = unmapped(address);
  if (!INTERNAL.check(a.address, a.family) || allowed.check(a.address, a.family)) return null;
  return `${address} is a loopback, private or reserved address; webhooks go to public addresses only.`;
}

/** The URL as a webhook target: parsed, https in production, a host given; or the reason it is not one. */
export function urlRefusal(raw: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Give a full URL, e.g. https://hooks.example.com/custodian.';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !production)) {
    return production ? 'Webhooks go over https:// only.' : 'Give an http:// or https:// URL.';
  }
  if (url.username || url.password) return 'Leave credentials out of the URL: use the signing secret.';
  if (!url.hostname) return 'Give the host the webhook goes to.';
  return null;
}

/** Every address the host resolves to must be allowed (checked before any connection is made). */
export async function hostRefusal(hostname: string, allowed: BlockList): Promise<string | null> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return `${host} does not resolve.`;
    }
  }
  for (const address of addresses) {
    const refusal = addressRefusal(address, allowed);
    if (refusal) return refusal;
  }
  return null;
}

/**
 * A `lookup` for http(s).request that refuses an internal address at connect time: the address checked is the
 * address connected to.
 */
export function guardedLookup(allowed: BlockList) {
  return (
    hostname: string,
    options: object,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      for (const { address } of list) {
        const refusal = addressRefusal(address, allowed);
        if (refusal) return callback(new AddressRefused(refusal), []);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}
