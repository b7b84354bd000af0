import { createHash } from 'node:crypto';
import type { CredentialKind, CredentialStorage, Issuance } from '@/lib/generated/prisma/enums';

// What a discovery source (a Vault audit log, an AWS IAM credential report) says it saw, identity by identity,
// before the registry is consulted. The readers only read; lib/discovery/plan.ts decides what it means.

export const SOURCES = ['vault-audit', 'aws-credential-report'] as const;
export type Source = (typeof SOURCES)[number];
export const SOURCE_NAMES: Record<Source, string> = {
  'vault-audit': 'Vault audit log',
  'aws-credential-report': 'AWS IAM credential report',
};

/** A credential the identity holds, as a custody record would describe it (metadata only, never a value). */
export type FoundCredential = {
  /** What the source calls it (a Vault path, an AWS user's key slot): sightings name their credential by it. */
  key: string;
  name: string;
  kind: CredentialKind;
  issuance: Issuance;
  storage: CredentialStorage;
  secretRef: string | null;
  scope: string;
  lastRotatedAt: Date | null;
};

/** One thing that happened to a credential, keyed in its source so importing it again records nothing twice. */
export type Sighting = {
  externalId: string;
  /** credential.issued on an existing record becomes credential.rotated when it is later than its last rotation. */
  action: 'credential.issued' | 'credential.used';
  at: Date;
  /** The key of its credential. */
  credential: string;
  context?: string;
};

export type Found = {
  /** The workload identity, as an agent registers it (see the mapping in each reader). */
  identity: string;
  /** What to call a proposed agent, and a slug to start from. */
  name: string;
  /** The first line the identity appears on. */
  line: number;
  /** Why this is a person, not an agent: reported, never proposed. */
  person: string | null;
  /** Vault mounts or AWS services, and the paths read. */
  seenOn: string[];
  paths: string[];
  firstSeen: Date;
  lastSeen: Date;
  requests: number;
  credentials: FoundCredential[];
  sightings: Sighting[];
  notes: string[];
};

export type Discovery = { source: Source; found: Found[]; entries: number; skipped: Record<string, number> };

/** At most this many identities, and custody records, a file: past it, split the file. */
export const MAX_IDENTITIES = 5_000;
export const MAX_CREDENTIALS = 10_000;
/** How far ahead of this server's clock a time in a file may be (clocks drift; the ingest API allows the same). */
export const FUTURE_SKEW_MS = 5 * 60_000;
const SHOWN_PATHS = 50;

/** The identity's record, created on first sight, its time span and counts kept as entries arrive. */
export function sightingsOf(
  byIdentity: Map<string, Found>,
  identity: string,
  first: () => Omit<Found, 'firstSeen' | 'lastSeen' | 'requests' | 'credentials' | 'sightings' | 'seenOn' | 'paths'>,
  at: Date,
): Found {
  let found = byIdentity.get(identity);
  if (!found) {
    found = {
      ...first(),
      firstSeen: at,
      lastSeen: at,
      requests: 0,
      credentials: [],
      sightings: [],
      seenOn: [],
      paths: [],
    };
    byIdentity.set(identity, found);
  }
  if (at < found.firstSeen) found.firstSeen = at;
  if (at > found.lastSeen) found.lastSeen = at;
  found.requests++;
  return found;
}

/** Adds a value to a short list once (the paths list stops at 50: the agent shows what was seen, not everything). */
export function addOnce(list: string[], value: string, limit = SHOWN_PATHS): void {
  if (list.length < limit && !list.includes(value)) list.push(value);
}

/** A credential name from a path: letters, digits, dots, hyphens and underscores (the plan keeps names apart). */
export function credentialName(prefix: string, path: string): string {
  return `${prefix}-${path}`
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '')
    .slice(0, 120);
}

/** The name with a digest of what it stands for: two paths that read alike never share one custody record. */
export function distinctName(name: string, key: string): string {
  return `${name.slice(0, 111)}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}
