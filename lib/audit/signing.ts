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
export type SignedCheckpoint = { seq: bigint; hash: string; signedAt: Date; keyId: string; signature: string };

const DEMO_KEY_FILE = path.join('.data', 'audit-signing-key.pem');

/** A public key's id: the first 16 hex digits of the sha256 of its DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(seq: bigint, hash: string, signedAt: Date): Buffer {
  return Buffer.from(`custodian.audit.checkpoint.v1\n${seq}\n${hash}\n${signedAt.toISOString()}`, 'utf8');
}

export function signCheckpointMessage(key: SigningKey, seq: bigint, hash: string, signedAt: Date): string {
  return sign(null, checkpointMessage(seq, hash, signedAt), key.privateKey).toString('base64');
}

/** Whether the signature over (seq, hash, time) holds for this public key. */
export function checkpointSignatureHolds(publicKey: KeyObject, checkpoint: SignedCheckpoint): boolean {
  try {
    return verify(
      null,
      checkpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.signedAt),
      publicKey,
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('The public key is not an Ed25519 key.');
  return key;
}

function fromPrivatePem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('The key AUDIT_SIGNING_KEY points at must be an Ed25519 private key (PKCS#8 PEM).');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * The checkpoint signing key, from the reference AUDIT_SIGNING_KEY (`file:/path/key.pem` or `env:NAME`), read at
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
