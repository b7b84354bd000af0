import { readCsvRecords } from '@/lib/csv/read';
import { Invalid } from '@/lib/errors';
import { hostileText } from '@/lib/secrets/free-text';
import {
  addOnce,
  credentialName,
  FUTURE_SKEW_MS,
  MAX_IDENTITIES,
  type Discovery,
  type Found,
  type FoundCredential,
} from './found';

// An AWS IAM credential report (GetCredentialReport's CSV; see "Getting credential reports for your AWS account" in
// the IAM User Guide): one row per IAM user, with its console password and its two access keys (active, last
// rotated, last used: date, region, service). The report holds no key material and no key ids, so a user's keys are
// named by their slot (access-key-1, access-key-2).
//
// A user with a console password (password_enabled true) is a person and so is the account's root user: reported,
// never proposed. Any other user is a workload, identified by its ARN. Each active key is a static custody record
// (last rotated = its last rotation) and its creation or rotation and its last use are events, keyed by the user,
// the slot and the time, so importing the same report, or a later one, records each only once.

const REQUIRED = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  ...[1, 2].flatMap((n) =>
    ['active', 'last_rotated', 'last_used_date', 'last_used_region', 'last_used_service'].map(
      (f) => `access_key_${n}_${f}`,
    ),
  ),
];
const NONE = new Set(['N/A', 'no_information', 'not_supported', '']);
const ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(root|user\/[\w+=,.@/-]+)$/;

function readCsv(text: string): ReturnType<typeof readCsvRecords> {
  try {
    return readCsvRecords(text);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw new Invalid(`The file is not an AWS IAM credential report: ${error.message} Nothing was imported.`);
  }
}

/** Reads an IAM credential report: the header must be the report's, and every row a user, or nothing is imported. */
export function readAwsCredentialReport(text: string, now = new Date()): Discovery {
  const { records, lines } = readCsv(text);
  const [header, ...rows] = records;
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (!header || missing.length > 0) {
    throw new Invalid(
      'The file is not an AWS IAM credential report: ' +
        (header
          ? `its header lacks ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? '…' : ''}`
          : 'it is empty') +
        '. Download it with `aws iam get-credential-report`. Nothing was imported.',
    );
  }
  if (rows.length > MAX_IDENTITIES) {
    throw new Invalid(`The report has more than ${MAX_IDENTITIES.toLocaleString('en')} users: split it.`);
  }
  const problems: string[] = [];
  const found: Found[] = [];
  rows.forEach((cells, i) => {
    const line = lines[i + 1]!;
    const cell = (c: string) => (cells[columns.indexOf(c)] ?? '').trim();
    const problem = (what: string) => problems.push(`line ${line}: ${what}`);
    const date = (c: string): Date | null | undefined => {
      const v = cell(c);
      if (NONE.has(v)) return null;
      const t = Date.parse(v);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) return void problem(`${c} is not a date or N/A`);
      if (t > now.getTime() + FUTURE_SKEW_MS) return void problem(`${c} is in the future: check the report`);
      return new Date(t);
    };
    const flag = (c: string): boolean | undefined => {
      const v = cell(c).toLowerCase();
      if (v === 'true' || v === 'false') return v === 'true';
      if (NONE.has(cell(c))) return false;
      return void problem(`${c} is neither true nor false`);
    };
    const arn = cell('arn').match(ARN);
    if (!arn) return problem('arn is not an IAM user ARN');
    const user = cell('user');
    if (hostileText(user) !== null || user.length > 128) return problem('user is not an IAM user name');
    const created = date('user_creation_time');
    const password = flag('password_enabled');
    const keys = [1, 2].map((n) => ({
      n,
      active: flag(`access_key_${n}_active`),
      rotated: date(`access_key_${n}_last_rotated`),
      used: date(`access_key_${n}_last_used_date`),
      region: cell(`access_key_${n}_last_used_region`),
      service: cell(`access_key_${n}_last_used_service`),
    }));
    if (problems.length > 0) return;
    const root = arn[2] === 'root' || user === '<root_account>';
    const identity = cell('arn');
    const at = created ?? new Date(0);
    const entry: Found = {
      identity,
      name: root ? 'root' : user,
      line,
      person: root
        ? 'the account’s root user: a person, not an agent'
        : password
          ? 'has a console password: a person, not an agent'
          : null,
      seenOn: [],
      paths: [],
      firstSeen: at,
      lastSeen: at,
      requests: 0,
      credentials: [],
      sightings: [],
      notes: [],
    };
    for (const key of keys) {
      const slot = `access key ${key.n}`;
      if (!key.active) {
        if (key.rotated) entry.notes.push(`${slot} is inactive: not recorded`);
        continue;
      }
      const name = credentialName('aws', `access-key-${key.n}`);
      const credential: FoundCredential = {
        key: `${identity}#${key.n}`,
        name,
        kind: 'API_KEY',
        issuance: 'STATIC',
        // The report does not say where the key is kept: recorded as a config file until its owner says otherwise.
        storage: 'CONFIG_FILE',
        secretRef: null,
        scope: `aws:${arn[1]}`,
        lastRotatedAt: key.rotated ?? null,
      };
      entry.credentials.push(credential);
      if (key.rotated) {
        entry.sightings.push({
          externalId: `${identity}#${key.n}@${key.rotated.toISOString()}`,
          action: 'credential.issued',
          at: key.rotated,
          credential: credential.key,
        });
      }
      if (key.used) {
        const where = [key.service, key.region].filter((v) => /^[a-z0-9-]{1,40}$/.test(v)).join(' in ');
        if (where) addOnce(entry.seenOn, where);
        entry.sightings.push({
          externalId: `${identity}#${key.n}:used@${key.used.toISOString()}`,
          action: 'credential.used',
          at: key.used,
          credential: credential.key,
          ...(where ? { context: where } : {}),
        });
        entry.requests++;
        if (key.used > entry.lastSeen) entry.lastSeen = key.used;
      }
    }
    if (entry.person && entry.credentials.length > 0) {
      entry.notes.push(
        `${entry.credentials.length === 1 ? 'one access key' : `${entry.credentials.length} access keys`}` +
          ' of a person: not in the registry’s custody',
      );
    }
    found.push(entry);
  });
  if (problems.length > 0) {
    throw new Invalid(
      `The report has ${problems.length === 1 ? 'a line' : `${problems.length} lines`} it cannot read ` +
        `(${problems[0]}). Nothing was imported.`,
      { file: problems.slice(0, 20) },
    );
  }
  return { source: 'aws-credential-report', found, entries: rows.length, skipped: {} };
}
