import { z } from 'zod';
import { Invalid } from '@/lib/errors';
import type { CredentialKind } from '@/lib/generated/prisma/enums';
import { addOnce, credentialName, MAX_IDENTITIES, sightingsOf, type Discovery, type Found } from './found';

// A HashiCorp Vault audit device log (JSON lines, one request or response entry each; see
// https://developer.hashicorp.com/vault/docs/audit/schema). Only successful responses count: a response repeats its
// request and says it succeeded. Only the names Vault logs in the clear are read (auth metadata, entity id, mount,
// path, operation, request id, time): request and response data and every `hmac-sha256:` value are never kept.
//
// The identity of the caller, first that applies:
//   Kubernetes auth (metadata service_account_namespace, service_account_name) → system:serviceaccount:NS:NAME
//   AppRole (metadata role_name)                                          → vault-approle://ROLE
//   userpass / LDAP (metadata username)                                   → a person: reported, never proposed
//   any other login with an identity entity (entity_id)                   → vault-entity://ENTITY_ID
// A token with none of these (a root token) is skipped.
//
// What it did, by mount type and path:
//   a dynamic secrets engine issuing (path has creds/, sts/, issue/ or sign/, or the response holds a lease)
//     → credential.issued of a just-in-time credential, one custody record per role path (database → database
//       password, aws/gcp/azure → cloud role, pki → certificate, ssh → SSH key);
//   a KV read, or a read of a database static role (static-creds/) → credential.used of a static credential kept in
//     Vault, one custody record per secret path.
// System, auth, token, identity and cubbyhole paths, lists, metadata reads and writes are skipped (counted).

const HMAC = /^hmac-sha256:/;
const Clear = z.string().max(1000);

const VaultEntry = z.object({
  time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'time is not a date'),
  type: z.enum(['request', 'response'], 'type is neither request nor response'),
  error: z.string().optional(),
  auth: z
    .object({
      entity_id: Clear.optional(),
      display_name: Clear.optional(),
      metadata: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
  request: z.object(
    {
      id: Clear.min(1, 'request.id is empty'),
      operation: Clear,
      path: Clear,
      mount_type: Clear.optional(),
      mount_point: Clear.optional(),
    },
    'request is missing',
  ),
  response: z.object({ mount_type: Clear.optional(), secret: z.object({}).passthrough().nullish() }).nullish(),
});

const SKIPPED_MOUNTS = new Set(['system', 'token', 'identity', 'cubbyhole', 'ns_system', 'ns_identity', 'ns_token']);
const SKIPPED_PATHS = /^(sys|auth|identity|cubbyhole)\//;
const ISSUING = /(^|\/)(creds|sts|issue|sign)\//;
const KIND: Record<string, CredentialKind> = {
  database: 'DATABASE_PASSWORD',
  aws: 'CLOUD_ROLE',
  gcp: 'CLOUD_ROLE',
  azure: 'CLOUD_ROLE',
  alicloud: 'CLOUD_ROLE',
  pki: 'CERTIFICATE',
  ssh: 'SSH_KEY',
};

type Caller = { identity: string; name: string; person: string | null } | null;

/** Who made the call, by the mapping above; null when the log does not say (or says it only as an HMAC). */
function callerOf(auth: z.infer<typeof VaultEntry>['auth']): Caller {
  const metadata = auth?.metadata ?? {};
  const clear = (key: string) => {
    const v = metadata[key];
    return typeof v === 'string' && v.trim() !== '' && !HMAC.test(v) && !/\s/.test(v) ? v.trim() : null;
  };
  const namespace = clear('service_account_namespace');
  const account = clear('service_account_name');
  if (namespace && account) {
    return { identity: `system:serviceaccount:${namespace}:${account}`, name: `${namespace}-${account}`, person: null };
  }
  const role = clear('role_name');
  if (role) return { identity: `vault-approle://${role}`, name: role, person: null };
  const username = clear('username');
  if (username) {
    return {
      identity: `vault-user:${username}`,
      name: username,
      person: 'signs in to Vault as a user (userpass or LDAP): a person, not an agent',
    };
  }
  const entity = auth?.entity_id;
  if (entity && !HMAC.test(entity) && /^[A-Za-z0-9-]+$/.test(entity)) {
    const display = auth?.display_name && !HMAC.test(auth.display_name) ? auth.display_name : `entity-${entity}`;
    return { identity: `vault-entity://${entity}`, name: display, person: null };
  }
  return null;
}

/** Reads a Vault audit log: every line an audit entry, or the file is refused naming the lines that are not. */
export function readVaultAudit(text: string): Discovery {
  const byIdentity = new Map<string, Found>();
  const seenRequests = new Set<string>();
  const skipped: Record<string, number> = {};
  const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
  const problems: string[] = [];
  let entries = 0;
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push(`line ${line}: not a JSON object`);
      return;
    }
    const parsed = VaultEntry.safeParse(json);
    if (!parsed.success || typeof json !== 'object' || Array.isArray(json)) {
      const issue = parsed.error?.issues[0];
      problems.push(
        `line ${line}: not a Vault audit entry` +
          (issue ? ` (${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message})` : ''),
      );
      return;
    }
    entries++;
    const { type, error, auth, request, response, time } = parsed.data;
    if (type !== 'response') return skip('request entries (their responses are read)');
    if (error) return skip('failed requests');
    const mountType = request.mount_type ?? response?.mount_type ?? '';
    if (SKIPPED_MOUNTS.has(mountType) || SKIPPED_PATHS.test(request.path)) return skip('system, auth and token paths');
    if (seenRequests.has(request.id)) return skip('the same request twice');
    const caller = callerOf(auth);
    if (!caller) return skip('calls with no identity (root tokens)');
    const path = request.path.replace(/^\/+/, '');
    const mount = request.mount_point ?? `${path.split('/')[0]}/`;
    const issuing = ISSUING.test(path) || Boolean(response?.secret);
    const staticRead =
      request.operation === 'read' && (mountType === 'kv' || /(^|\/)static-creds\//.test(path)) && !issuing;
    if (!issuing && !staticRead) return skip('lists, metadata reads and writes');
    seenRequests.add(request.id);
    if (!byIdentity.has(caller.identity) && byIdentity.size >= MAX_IDENTITIES) {
      throw new Invalid(`The log names more than ${MAX_IDENTITIES.toLocaleString('en')} identities: split it.`);
    }
    const at = new Date(time);
    const found = sightingsOf(byIdentity, caller.identity, () => ({ ...caller, line, notes: [] }), at);
    addOnce(found.seenOn, mount);
    addOnce(found.paths, path);
    // A KV version 2 read names its secret under data/: the secret's own path names the record.
    const secretPath = mountType === 'kv' ? path.replace(`${mount}data/`, mount) : path;
    const name = credentialName('vault', secretPath);
    if (!found.credentials.some((c) => c.name === name)) {
      found.credentials.push({
        name,
        kind: issuing ? (KIND[mountType] ?? 'OTHER') : 'OTHER',
        issuance: issuing ? 'DYNAMIC' : 'STATIC',
        storage: 'VAULT_OR_BROKER',
        secretRef: `vault:${secretPath}`,
        scope: mount,
        lastRotatedAt: null,
      });
    }
    found.sightings.push({
      externalId: request.id,
      action: issuing ? 'credential.issued' : 'credential.used',
      at,
      credential: name,
      context: `${request.operation} ${path}`.slice(0, 300),
    });
  });
  if (problems.length > 0) {
    throw new Invalid(
      `The file is not a Vault audit log: ` +
        (problems.length === 1 ? 'one line is not an audit entry' : `${problems.length} lines are not audit entries`) +
        ` (${problems[0]}). Nothing was imported.`,
      { file: problems.slice(0, 20) },
    );
  }
  if (entries === 0) throw new Invalid('The file has no Vault audit entries: upload the audit device’s log file.');
  return { source: 'vault-audit', found: [...byIdentity.values()], entries, skipped };
}
