import { z } from 'zod';
import { Invalid } from '@/lib/errors';
import type { CredentialKind } from '@/lib/generated/prisma/enums';
import { hostileText } from '@/lib/secrets/free-text';
import {
  addOnce,
  credentialName,
  FUTURE_SKEW_MS,
  MAX_CREDENTIALS,
  MAX_IDENTITIES,
  sightingsOf,
  type Discovery,
  type Found,
  type FoundCredential,
} from './found';

// A HashiCorp Vault audit device log (JSON lines, one request or response entry each; see
// https://developer.hashicorp.com/vault/docs/audit/schema). Only successful responses count: a response repeats its
// request and says it succeeded. Only the names Vault logs in the clear are read (auth metadata, entity id, display
// name, namespace, mount, path, operation, request id, time): request and response data and every `hmac-sha256:`
// value are never kept.
//
// The identity of the caller, first that applies:
//   Kubernetes auth (metadata service_account_namespace, service_account_name) → system:serviceaccount:NS:NAME
//   AppRole (metadata role_name)                                          → vault-approle://[NAMESPACE/]ROLE
//   a person's login: metadata username (userpass, LDAP) or a display name from a people's method (oidc-, okta-,
//   ldap-, userpass-, radius-, github-)                                   → a person: reported, never proposed
//   any other login with an identity entity (entity_id; JWT for CI)       → vault-entity://[NAMESPACE/]ENTITY_ID
// A token with none of these (a root token) is skipped. A Kubernetes service account is named as Kubernetes names it:
// two clusters behind one Vault with the same namespace and account are one identity here.
//
// What it did, by mount type and path:
//   a dynamic secrets engine (database, aws, gcp, azure, pki, ssh…) issuing: a path under creds/, issue/, sign/ or
//     sts/, or a response holding a lease → credential.issued of a just-in-time credential, one custody record per
//     role path (database → database password, aws/gcp/azure → cloud role, pki → certificate, ssh → SSH key);
//   a KV read of a secret (not its metadata), or a database static role's read (static-creds/) → credential.used of
//     a static credential kept in Vault, one custody record per secret path.
// System, auth, token, identity and cubbyhole paths, lists, metadata reads, writes and other engines (transit…) are
// skipped and counted.

const HMAC = /^hmac-sha256:/;
const Clear = z
  .string()
  .max(1000)
  .refine((v) => hostileText(v) === null, 'holds a control character');

const VaultEntry = z.object({
  time: Clear.refine((t) => !Number.isNaN(Date.parse(t)), 'time is not a date'),
  type: z.enum(['request', 'response'], 'type is neither request nor response'),
  error: z.string().optional(),
  auth: z
    .object({
      entity_id: Clear.optional(),
      display_name: Clear.optional(),
      metadata: z
        .record(z.string(), z.unknown())
        .nullish()
        .refine(
          (m) => Object.values(m ?? {}).every((v) => typeof v !== 'string' || hostileText(v) === null),
          'holds a control character',
        ),
    })
    .nullish(),
  request: z.object(
    {
      id: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'request.id is not an id'),
      operation: Clear,
      path: Clear,
      mount_type: Clear.optional(),
      mount_point: Clear.optional(),
      namespace: z.object({ path: Clear.optional() }).nullish(),
    },
    'request is missing',
  ),
  response: z
    .object({
      mount_type: Clear.optional(),
      secret: z.object({ lease_id: z.string().optional() }).nullish(),
    })
    .nullish(),
});

const SKIPPED_MOUNTS = new Set(['system', 'token', 'identity', 'cubbyhole', 'ns_system', 'ns_identity', 'ns_token']);
const SKIPPED_PATHS = /^(sys|auth|identity|cubbyhole)\//;
const ISSUING_PATH = /(^|\/)(creds|sts|issue|sign)\//;
const KIND: Record<string, CredentialKind> = {
  database: 'DATABASE_PASSWORD',
  aws: 'CLOUD_ROLE',
  gcp: 'CLOUD_ROLE',
  azure: 'CLOUD_ROLE',
  alicloud: 'CLOUD_ROLE',
  pki: 'CERTIFICATE',
  ssh: 'SSH_KEY',
  consul: 'API_KEY',
  nomad: 'API_KEY',
  rabbitmq: 'DATABASE_PASSWORD',
  mongodbatlas: 'API_KEY',
  kubernetes: 'OTHER',
  ldap: 'OTHER',
  terraform: 'API_KEY',
};
// A KV path that is not a secret's value: its metadata, versions' bookkeeping, configuration.
const KV_NOT_A_READ = /^(metadata|subkeys|delete|undelete|destroy|config)\//;
const PEOPLE_METHODS = /^(oidc|okta|ldap|userpass|radius|github)-/;

type Caller = { identity: string; name: string; person: string | null } | null;

/** Who made the call, by the mapping above; null when the log does not say (or says it only as an HMAC). */
function callerOf(entry: z.infer<typeof VaultEntry>): Caller {
  const { auth } = entry;
  const metadata = auth?.metadata ?? {};
  const clear = (v: unknown) =>
    typeof v === 'string' && /^[A-Za-z0-9._@-]{1,200}$/.test(v.trim()) && !HMAC.test(v) ? v.trim() : null;
  const namespace = clear(metadata.service_account_namespace);
  const account = clear(metadata.service_account_name);
  if (namespace && account) {
    return { identity: `system:serviceaccount:${namespace}:${account}`, name: `${namespace}-${account}`, person: null };
  }
  // Vault namespaces (Enterprise) keep AppRoles and entities apart: so does the identity.
  const ns = (entry.request.namespace?.path ?? '').replace(/^\/+|\/+$/g, '');
  const scoped = (name: string) => (ns && /^[A-Za-z0-9._/-]{1,200}$/.test(ns) ? `${ns}/${name}` : name);
  const role = clear(metadata.role_name);
  if (role) return { identity: `vault-approle://${scoped(role)}`, name: role, person: null };
  const display = auth?.display_name && !HMAC.test(auth.display_name) ? auth.display_name : null;
  const username = clear(metadata.username);
  if (username || (display && PEOPLE_METHODS.test(display))) {
    const who = username ?? display!;
    return {
      identity: `vault-user:${scoped(who)}`,
      name: who,
      person: `signs in to Vault as a person (${username ? 'userpass or LDAP' : display!.split('-')[0]}): not an agent`,
    };
  }
  const entity = auth?.entity_id;
  if (entity && !HMAC.test(entity) && /^[A-Za-z0-9-]{1,100}$/.test(entity)) {
    return { identity: `vault-entity://${scoped(entity)}`, name: display ?? `entity-${entity}`, person: null };
  }
  return null;
}

/** Reads a Vault audit log: every line an audit entry, or the file is refused naming the lines that are not. */
export function readVaultAudit(text: string, now = new Date()): Discovery {
  const byIdentity = new Map<string, Found>();
  const credentialsOf = new Map<Found, Map<string, FoundCredential>>();
  const seenRequests = new Set<string>();
  const skipped: Record<string, number> = {};
  const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
  const problems: string[] = [];
  let entries = 0;
  let credentials = 0;
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
    const entry = parsed.data;
    const { type, error, request, response, time } = entry;
    const at = new Date(time);
    if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      problems.push(`line ${line}: time is in the future (${time}): check the log's clock`);
      return;
    }
    if (type !== 'response') return skip('request entries (their responses are read)');
    if (error) return skip('failed requests');
    const mountType = request.mount_type ?? response?.mount_type ?? '';
    const path = request.path.replace(/^\/+/, '');
    if (SKIPPED_MOUNTS.has(mountType) || SKIPPED_PATHS.test(path)) return skip('system, auth and token paths');
    if (seenRequests.has(request.id)) return skip('the same request twice');
    const caller = callerOf(entry);
    if (!caller) return skip('calls with no identity (root tokens)');
    const mount = request.mount_point ?? `${path.split('/')[0]}/`;
    const within = path.startsWith(mount) ? path.slice(mount.length) : path;
    const lease = response?.secret?.lease_id;
    const issuing = mountType in KIND && (ISSUING_PATH.test(within) || Boolean(lease));
    const staticRead =
      request.operation === 'read' &&
      ((mountType === 'kv' && !KV_NOT_A_READ.test(within)) ||
        (mountType === 'database' && within.startsWith('static-creds/')));
    if (!issuing && !staticRead) return skip('lists, metadata reads, writes and other engines');
    seenRequests.add(request.id);
    if (!byIdentity.has(caller.identity) && byIdentity.size >= MAX_IDENTITIES) {
      throw new Invalid(`The log names more than ${MAX_IDENTITIES.toLocaleString('en')} identities: split it.`);
    }
    const found = sightingsOf(byIdentity, caller.identity, () => ({ ...caller, line, notes: [] }), at);
    addOnce(found.seenOn, mount);
    addOnce(found.paths, path);
    // A KV version 2 read names its secret under data/: the secret's own path names the record.
    const secretPath = mountType === 'kv' ? `${mount}${within.replace(/^data\//, '')}` : path;
    const key = `vault:${secretPath}`;
    const held = credentialsOf.get(found) ?? credentialsOf.set(found, new Map()).get(found)!;
    if (!held.has(key)) {
      if (++credentials > MAX_CREDENTIALS) {
        throw new Invalid(`The log names more than ${MAX_CREDENTIALS.toLocaleString('en')} credentials: split it.`);
      }
      const credential: FoundCredential = {
        key,
        name: credentialName('vault', secretPath),
        kind: issuing ? (KIND[mountType] ?? 'OTHER') : 'OTHER',
        issuance: issuing ? 'DYNAMIC' : 'STATIC',
        storage: 'VAULT_OR_BROKER',
        secretRef: key.slice(0, 300),
        scope: mount.slice(0, 300),
        lastRotatedAt: null,
      };
      held.set(key, credential);
      found.credentials.push(credential);
    }
    found.sightings.push({
      externalId: request.id,
      action: issuing ? 'credential.issued' : 'credential.used',
      at,
      credential: key,
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
