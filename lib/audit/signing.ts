import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getEnv } from '@/lib/env';
import { resolveSecret } from '@/lib/secrets/secret-ref';

export type SigningKey = { privateKey: KeyObject; publicKey: KeyObject; keyId: string };

const DEMO_KEY_FILE = path.join('.data', 'audit-signing-key.pem');

/** A public key's id: the first 16 hex digits of the sha256 of its DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * What the audit key signs, each kind under its own label so one can never stand in for another: the head an append
 * transaction left (seq, hash, time), a numbered checkpoint (format 1, before numbering: seq, hash, time), an
 * evidence pack's manifest (its digest), a framework report's summary (its digest), a verification's result (so
 * the badge shows only what Custodian found), an archived range's manifest, and a registry check's result.
 */
export type Statement =
  | { kind: 'head'; seq: bigint; hash: string; signedAt: Date }
  | { kind: 'pack'; digest: string }
  | { kind: 'report'; digest: string }
  | {
      kind: 'archive';
      archiveId: string;
      fromSeq: bigint;
      toSeq: bigint;
      count: number;
      headIn: string;
      headOut: string;
      fileSha256: string;
      eventSeq: bigint;
      carriedSha256: string;
      archivedAt: Date;
    }
  | {
      kind: 'verification';
      verifiedAt: Date;
      ok: boolean;
      throughSeq: bigint;
      headHash: string | null;
      brokenSeq: bigint | null;
      /** Version 2: what was walked. */
      scope: VerificationScope | null;
    }
  | { kind: 'checkpoint'; number: bigint | null; seq: bigint; hash: string; signedAt: Date }
  | {
      kind: 'registry-check';
      checkedAt: Date;
      driftCount: number;
      unrecorded: number;
      rowsSha256: string;
      throughSeq: bigint;
      eventCount: number;
      eventsSha256: string;
    };

export function statementBytes(statement: Statement): Buffer {
  if (statement.kind === 'pack') return Buffer.from(`custodian.audit.pack.v1\n${statement.digest}`, 'utf8');
  if (statement.kind === 'report') return Buffer.from(`custodian.report.summary.v1\n${statement.digest}`, 'utf8');
  if (statement.kind === 'archive') {
    const a = statement;
    const text =
      `custodian.audit.archive.v1\n${a.archiveId}\n${a.fromSeq}\n${a.toSeq}\n${a.count}\n${a.headIn}\n` +
      `${a.headOut}\n${a.fileSha256}\n${a.eventSeq}\n${a.carriedSha256}\n${a.archivedAt.toISOString()}`;
    return Buffer.from(text, 'utf8');
  }
  if (statement.kind === 'registry-check') {
    const c = statement;
    const text =
      `${c.checkedAt.toISOString()}\n${c.driftCount}\n${c.unrecorded}\n${c.rowsSha256}\n` +
      `${c.throughSeq}\n${c.eventCount}\n${c.eventsSha256}`;
    return Buffer.from(`custodian.registry.check.v1\n${text}`, 'utf8');
  }
  if (statement.kind === 'verification') {
    const v = statement;
    const text =
      `${v.verifiedAt.toISOString()}\n${v.ok}\n${v.throughSeq}\n` + `${v.headHash ?? ''}\n${v.brokenSeq ?? ''}`;
    const scope = v.scope;
    return Buffer.from(
      scope
        ? `custodian.audit.verification.v2\n${text}\n${scope.mode}\n${scope.fromSeq}\n` +
            `${scope.sampleFromSeq ?? ''}\n${scope.sampleToSeq ?? ''}\n${scope.eventCount}\n` +
            `${scope.checkpointsVerified}`
        : `custodian.audit.verification.v1\n${text}`,
      'utf8',
    );
  }
  const { seq, hash, signedAt } = statement;
  const tail = `${seq}\n${hash}\n${signedAt.toISOString()}`;
  const text =
    statement.kind === 'head'
      ? `custodian.audit.head.v1\n${tail}`
      : statement.number === null
        ? `custodian.audit.checkpoint.v1\n${tail}`
        : `custodian.audit.checkpoint.v2\n${statement.number}\n${tail}`;
  return Buffer.from(text, 'utf8');
}

export function signStatement(key: SigningKey, statement: Statement): string {
  return sign(null, statementBytes(statement), key.privateKey).toString('base64');
}

/** Whether `signature` over the statement holds for this public key. */
export function signatureHolds(publicKey: KeyObject, statement: Statement, signature: string): boolean {
  try {
    return verify(null, statementBytes(statement), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A stored checkpoint as the statement its signature covers. */
export function checkpointStatement(c: { number: bigint; format: number; seq: bigint; hash: string; signedAt: Date }) {
  return {
    kind: 'checkpoint',
    number: c.format === 1 ? null : c.number,
    seq: c.seq,
    hash: c.hash,
    signedAt: c.signedAt,
  } as const;
}

/** What a verification walked: everything, or the events after a verified checkpoint and a sample of older ones. */
export type VerificationScope = {
  mode: string;
  fromSeq: bigint;
  sampleFromSeq: bigint | null;
  sampleToSeq: bigint | null;
  eventCount: number;
  checkpointsVerified: number;
};

/** What a recorded verification's signature covers: the database's time and the result (version 2: and its scope). */
export function verificationStatement(
  v: {
    verifiedAt: Date;
    ok: boolean;
    throughSeq: bigint;
    headHash: string | null;
    brokenSeq: bigint | null;
  } & Partial<VerificationScope> & { statementVersion?: number },
) {
  const { verifiedAt, ok, throughSeq, headHash, brokenSeq } = v;
  const scope =
    v.statementVersion === 2
      ? {
          mode: v.mode ?? '',
          fromSeq: v.fromSeq ?? 0n,
          sampleFromSeq: v.sampleFromSeq ?? null,
          sampleToSeq: v.sampleToSeq ?? null,
          eventCount: v.eventCount ?? 0,
          checkpointsVerified: v.checkpointsVerified ?? 0,
        }
      : null;
  return { kind: 'verification', verifiedAt, ok, throughSeq, headHash, brokenSeq, scope } as const;
}

/** The public keys a verifier trusts, by id. */
export type PublicKeys = { keyId: string; key: KeyObject }[];

/** Whether a stored checkpoint's signature holds for one of these keys (not a row written around Custodian). */
export function checkpointHolds(
  keys: PublicKeys,
  c: Parameters<typeof checkpointStatement>[0] & { keyId: string; signature: string },
): boolean {
  return keys.some((k) => k.keyId === c.keyId && signatureHolds(k.key, checkpointStatement(c), c.signature));
}

/** What an archive's signature covers, from a stored row or a manifest file. */
export function archiveStatement(a: {
  id: string;
  fromSeq: bigint | string;
  toSeq: bigint | string;
  count: number;
  headIn: string;
  headOut: string;
  fileSha256: string;
  eventSeq: bigint | string;
  carried: string;
  archivedAt: Date | string;
}) {
  return {
    kind: 'archive',
    archiveId: a.id,
    fromSeq: BigInt(a.fromSeq),
    toSeq: BigInt(a.toSeq),
    count: a.count,
    headIn: a.headIn,
    headOut: a.headOut,
    fileSha256: a.fileSha256,
    eventSeq: BigInt(a.eventSeq),
    carriedSha256: createHash('sha256').update(a.carried).digest('hex'),
    archivedAt: new Date(a.archivedAt),
  } as const;
}

/** Whether an archive's signature holds for one of these keys. */
export function archiveSignatureHolds(
  keys: PublicKeys,
  a: Parameters<typeof archiveStatement>[0] & { keyId: string; signature: string },
): boolean {
  const key = keys.find((k) => k.keyId === a.keyId)?.key;
  return Boolean(key && signatureHolds(key, archiveStatement(a), a.signature));
}

export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('The public key is not an Ed25519 key.');
  return key;
}

// The last key parsed, by its PEM: every append signs, and parsing is the slow part; reading the text stays per use.
let parsed: { pem: string; key: SigningKey } | null = null;

function fromPrivatePem(pem: string): SigningKey {
  if (parsed?.pem === pem) return parsed.key;
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('The key AUDIT_SIGNING_KEY points at must be an Ed25519 private key (PKCS#8 PEM).');
  const publicKey = createPublicKey(privateKey);
  parsed = { pem, key: { privateKey, publicKey, keyId: keyIdOf(publicKey) } };
  return parsed.key;
}

/**
 * The audit signing key, from the reference AUDIT_SIGNING_KEY (`file:/path/key.pem` or `env:NAME`), read at
 * each use so a rotated key takes effect at once. Outside production, and in demo mode, a key is generated once
 * into .data/ so the feature works out of the box; a production server without one signs nothing (and says so).
 */
export function loadSigningKey(): SigningKey | null {
  const env = getEnv();
  if (env.AUDIT_SIGNING_KEY) return fromPrivatePem(resolveSecret(env.AUDIT_SIGNING_KEY));
  if (env.NODE_ENV === 'production' && env.AUTH_DEMO !== 'true') return null;
  if (!existsSync(DEMO_KEY_FILE)) {
    mkdirSync(path.dirname(DEMO_KEY_FILE), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(DEMO_KEY_FILE, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return fromPrivatePem(readFileSync(DEMO_KEY_FILE, 'utf8'));
}

/** With AUDIT_REQUIRE_SIGNING=true, a server without a usable signing key refuses to start (it throws, naming why). */
export function requireSigningKey(): void {
  if (getEnv().AUDIT_REQUIRE_SIGNING !== 'true') return;
  if (!loadSigningKey()) {
    throw new Error(
      'AUDIT_REQUIRE_SIGNING=true but no signing key is configured: set AUDIT_SIGNING_KEY (file:/… or env:…).',
    );
  }
}

/**
 * The public keys this server trusts: its signing key's, and earlier ones still vouching for older signatures
 * (AUDIT_PREVIOUS_PUBLIC_KEYS: comma-separated references to PEM public keys, kept after a rotation).
 */
export function trustedPublicKeys(): PublicKeys {
  const key = loadSigningKey();
  const refs = getEnv().AUDIT_PREVIOUS_PUBLIC_KEYS ?? '';
  return [...(key ? [{ keyId: key.keyId, key: key.publicKey }] : []), ...previousKeys(refs)];
}

// The earlier keys parsed once per configuration: every append asks for the trusted keys.
let previous: { refs: string; keys: PublicKeys } | null = null;

function previousKeys(refs: string): PublicKeys {
  if (previous?.refs !== refs) {
    const keys = refs
      .split(',')
      .map((ref) => ref.trim())
      .filter(Boolean)
      .map((ref) => publicKeyFromPem(resolveSecret(ref)))
      .map((k) => ({ keyId: keyIdOf(k), key: k }));
    previous = { refs, keys };
  }
  return previous.keys;
}
