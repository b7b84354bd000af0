import 'server-only';
import { createHash } from 'node:crypto';
import type { RegisterData } from '@/lib/agents/commands';
import { RegisterAgentSchema } from '@/lib/agents/schema';
import { rotationDaysOf } from '@/lib/credentials/rotation-period';
import type { Db, Tx } from '@/lib/db';
import type { Environment, Issuance, RiskTier } from '@/lib/generated/prisma/enums';
import { getSettings } from '@/lib/settings';
import { ENVIRONMENT, wordOf } from '@/lib/vocabulary';
import { distinctName, SOURCE_NAMES, type Discovery, type Found, type FoundCredential, type Sighting } from './found';

export type DiscoveryAction = 'propose' | 'record' | 'unchanged' | 'person' | 'refused';

/** One identity of the file as the dry run shows it. */
export type DiscoveryRow = {
  line: number;
  identity: string;
  name: string;
  action: DiscoveryAction;
  /** The agent it is (or would be, proposed). */
  agent: { slug: string; id: string | null; status: string } | null;
  seenOn: string[];
  paths: string[];
  firstSeen: string;
  lastSeen: string;
  requests: number;
  credentials: { name: string; new: boolean }[];
  events: { new: number; recorded: number };
  notes: string[];
  reasons: string[];
  /** What applying it would do, hashed: apply refuses a row whose digest moved since the dry run. */
  digest: string;
};

export type EventWrite = {
  sighting: Sighting;
  action: 'credential.issued' | 'credential.used' | 'credential.rotated';
  afterRevocation: boolean;
};

export type DiscoveryWrites = {
  agentId: string | null;
  register: RegisterData | null;
  credentials: FoundCredential[];
  events: EventWrite[];
  found: Found;
};

export type PlannedDiscovery = { row: DiscoveryRow; writes: DiscoveryWrites | null };

export type DiscoveryOptions = { environment: Environment; riskTier: RiskTier };

type Known = {
  id: string;
  agentId: string;
  name: string;
  secretRef: string | null;
  issuance: Issuance;
  lastRotatedAt: Date | null;
  revokedAt: Date | null;
  rotationPeriodDays: number | null;
  rotationApprovedDays: number | null;
};

const DAY = 86_400_000;
const CHUNK = 10_000;

/** A slug to start from: lower-case letters, digits and single hyphens, 3 to 56 characters. */
function slugOf(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  return base.length >= 3 ? base : `agent-${base || 'found'}`;
}

const digestOf = (value: string, length: number) => createHash('sha256').update(value).digest('hex').slice(0, length);

/**
 * The slug of each identity to propose, the same however the file is cut (left-out identities, batches): its name's
 * slug, with a digest of the identity when another identity in the file reads alike or the registry has it taken.
 */
async function slugsFor(db: Db | Tx, proposals: Found[], everyone: Found[]): Promise<Map<Found, string>> {
  const count = new Map<string, number>();
  for (const f of everyone) if (!f.person) count.set(slugOf(f.name), (count.get(slugOf(f.name)) ?? 0) + 1);
  const candidates = proposals.map((f) => {
    const base = slugOf(f.name);
    const apart = `${base.slice(0, 47).replace(/-+$/, '')}-${digestOf(f.identity, 8)}`;
    return {
      f,
      first: count.get(base)! > 1 ? apart : base,
      apart,
      last: `${base.slice(0, 39)}-${digestOf(f.identity, 16)}`,
    };
  });
  const wanted = candidates.flatMap((c) => [c.first, c.apart]);
  const taken = new Set(
    (await db.agent.findMany({ where: { slug: { in: wanted } }, select: { slug: true } })).map((a) => a.slug),
  );
  return new Map(candidates.map((c) => [c.f, !taken.has(c.first) ? c.first : !taken.has(c.apart) ? c.apart : c.last]));
}

/** The sources' ids already recorded, and for which identity, read in chunks (a log may hold many). */
async function recordedIds(db: Db | Tx, discovery: Discovery): Promise<Map<string, string>> {
  const ids = discovery.found.flatMap((f) => f.sightings.map((s) => s.externalId));
  const recorded = new Map<string, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.discoveredRecord.findMany({
      where: { source: discovery.source, externalId: { in: ids.slice(i, i + CHUNK) } },
      select: { externalId: true, identity: true },
    });
    for (const r of rows) recorded.set(r.externalId, r.identity);
  }
  return recorded;
}

/**
 * What importing a discovery would do, identity by identity, from one reading of the registry: a person is reported;
 * an unknown workload is proposed (a PROPOSED agent, no owner, with what was seen); a known one gets the credentials
 * it lacks and the events not yet recorded. Changes nothing. `everyone` is the whole file (a batch is planned as part
 * of it, so its slugs are the dry run's).
 */
export async function planFound(
  db: Db | Tx,
  discovery: Discovery,
  options: DiscoveryOptions,
  everyone: Found[] = discovery.found,
  now = new Date(),
): Promise<PlannedDiscovery[]> {
  const identities = discovery.found.map((f) => f.identity);
  const agents = await db.agent.findMany({
    where: { workloadIdentity: { in: identities } },
    select: { id: true, slug: true, status: true, version: true, environments: true, workloadIdentity: true },
  });
  const agentOf = new Map(agents.map((a) => [a.workloadIdentity!, a]));
  const credentials: Known[] = await db.credential.findMany({
    where: { agentId: { in: agents.map((a) => a.id) } },
    select: {
      id: true,
      agentId: true,
      name: true,
      secretRef: true,
      issuance: true,
      lastRotatedAt: true,
      revokedAt: true,
      rotationPeriodDays: true,
      rotationApprovedDays: true,
    },
  });
  const credentialOf = new Map(credentials.map((c) => [`${c.agentId}/${c.name}`, c]));
  const recorded = await recordedIds(db, discovery);
  const { credentialRotationDays } = await getSettings(db);
  const slugs = await slugsFor(
    db,
    discovery.found.filter((f) => !f.person && !agentOf.has(f.identity)),
    everyone,
  );
  const firstLine = new Map<string, number>();

  return discovery.found.map((found): PlannedDiscovery => {
    const agent = agentOf.get(found.identity) ?? null;
    // Each credential's name in the registry: its own, unless another record of the agent (or of the file) already
    // has it for something else — then with a digest of what it stands for.
    const names = new Map<string, string>();
    const used = new Map<string, string>();
    for (const c of found.credentials) {
      const existing = agent ? credentialOf.get(`${agent.id}/${c.name}`) : undefined;
      const clash = (existing && (existing.secretRef ?? null) !== c.secretRef) || (used.get(c.name) ?? c.key) !== c.key;
      const name = clash ? distinctName(c.name, c.key) : c.name;
      names.set(c.key, name);
      used.set(name, c.key);
    }
    const known = (key: string) => (agent ? credentialOf.get(`${agent.id}/${names.get(key)}`) : undefined);
    const notes = [...found.notes];
    if (!found.person) {
      for (const c of found.credentials) {
        if (c.issuance !== 'STATIC') continue;
        const existing = known(c.key);
        const last = [c.lastRotatedAt, existing?.lastRotatedAt ?? null].reduce<Date | null>(
          (a, b) => (a && b ? (a > b ? a : b) : (a ?? b)),
          null,
        );
        const period = existing ? rotationDaysOf(existing, credentialRotationDays) : credentialRotationDays;
        if (existing?.revokedAt) continue;
        if (!last) {
          notes.push(
            `${names.get(c.key)}: when it was last rotated is not in the file: a Rotation overdue finding until a ` +
              'rotation is recorded',
          );
          continue;
        }
        const age = Math.floor((now.getTime() - last.getTime()) / DAY);
        if (age > period) {
          notes.push(
            `${names.get(c.key)} was last rotated ${age} days ago, past the ${period}-day rotation policy: a ` +
              'Rotation overdue finding',
          );
        }
      }
    }
    const base = {
      line: found.line,
      identity: found.identity,
      name: found.name,
      seenOn: found.seenOn,
      paths: found.paths.slice(0, 10),
      firstSeen: found.firstSeen.toISOString(),
      lastSeen: found.lastSeen.toISOString(),
      requests: found.requests,
      notes,
    };
    const refused = (reason: string): PlannedDiscovery => ({
      row: {
        ...base,
        action: 'refused',
        agent: agent && { slug: agent.slug, id: agent.id, status: agent.status },
        credentials: [],
        events: { new: 0, recorded: 0 },
        reasons: [reason],
        digest: '',
      },
      writes: null,
    });
    const earlier = firstLine.get(found.identity);
    if (earlier !== undefined) return refused(`${found.identity} is in the file twice (first on line ${earlier}).`);
    firstLine.set(found.identity, found.line);
    if (found.person) {
      return {
        row: {
          ...base,
          action: 'person',
          agent: null,
          credentials: [],
          events: { new: 0, recorded: 0 },
          reasons: [found.person],
          digest: '',
        },
        writes: null,
      };
    }
    let register: RegisterData | null = null;
    if (!agent) {
      const checked = RegisterAgentSchema.safeParse({
        slug: slugs.get(found)!,
        name: found.name.slice(0, 120),
        description: descriptionOf(discovery, found),
        kind: 'OTHER',
        workloadIdentity: found.identity,
        environments: [options.environment],
        riskTier: options.riskTier,
      });
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        return refused(`It cannot be proposed as an agent: ${issue.path.join('.')}: ${issue.message}`);
      }
      register = checked.data;
    }
    const toCreate = found.credentials.filter((c) => !known(c.key)).map((c) => ({ ...c, name: names.get(c.key)! }));
    if (agent && toCreate.length > 0 && !agent.environments.includes(options.environment)) {
      return refused(
        `${agent.slug} does not run in ${wordOf(ENVIRONMENT, options.environment)}: add it to the agent, or ` +
          'import with the environment it runs in.',
      );
    }
    const events: EventWrite[] = [];
    let alreadyRecorded = 0;
    let elsewhere = 0;
    for (const sighting of found.sightings) {
      const by = recorded.get(sighting.externalId);
      if (by !== undefined) {
        if (by === found.identity) alreadyRecorded++;
        else elsewhere++;
        continue;
      }
      const existing = known(sighting.credential);
      let action: EventWrite['action'] = sighting.action;
      if (sighting.action === 'credential.issued' && existing?.issuance === 'STATIC') {
        // A static record's new creation date is a rotation; one not later than the last known is old news, and a
        // revoked record is not rotated (it is issued again under a new name).
        if (existing.revokedAt || (existing.lastRotatedAt && sighting.at <= existing.lastRotatedAt)) continue;
        action = 'credential.rotated';
      }
      const afterRevocation =
        action === 'credential.used' && existing?.revokedAt != null && existing.revokedAt <= sighting.at;
      events.push({ sighting: { ...sighting, credential: names.get(sighting.credential)! }, action, afterRevocation });
    }
    if (elsewhere > 0) {
      notes.push(
        `${elsewhere} of its events ${elsewhere === 1 ? 'was' : 'were'} recorded before for another identity: ` +
          'this file and an earlier import disagree about who made the call',
      );
    }
    const action: DiscoveryAction = register ? 'propose' : toCreate.length || events.length ? 'record' : 'unchanged';
    const digest = createHash('sha256')
      .update(
        JSON.stringify({
          action,
          agent: agent && [agent.id, agent.version],
          slug: register?.slug,
          credentials: toCreate.map((c) => c.name),
          events: events.map((e) => [e.sighting.externalId, e.action, e.afterRevocation]),
        }),
      )
      .digest('hex')
      .slice(0, 32);
    return {
      row: {
        ...base,
        action,
        agent: agent
          ? { slug: agent.slug, id: agent.id, status: agent.status }
          : { slug: register!.slug, id: null, status: 'PROPOSED' },
        credentials: found.credentials.map((c) => ({ name: names.get(c.key)!, new: !known(c.key) })),
        events: { new: events.length, recorded: alreadyRecorded },
        reasons: [],
        digest,
      },
      writes:
        action === 'unchanged' ? null : { agentId: agent?.id ?? null, register, credentials: toCreate, events, found },
    };
  });
}

/** A proposed agent's description: where it was found and what it was seen doing. */
function descriptionOf(discovery: Discovery, found: Found): string {
  const day = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  const span = `${day(found.firstSeen)} to ${day(found.lastSeen)} UTC`;
  const text =
    `Found in ${discovery.source === 'vault-audit' ? 'a' : 'an'} ${SOURCE_NAMES[discovery.source]}` +
    (discovery.source === 'vault-audit'
      ? `: ${found.requests} ${found.requests === 1 ? 'request' : 'requests'} from ${span} on ` +
        `${found.seenOn.join(', ')}. Paths: ${found.paths.join(', ')}.`
      : `: created ${day(found.firstSeen)} UTC` +
        (found.seenOn.length ? `, last used on ${found.seenOn.join(', ')} by ${day(found.lastSeen)} UTC.` : '.'));
  return text.length > 2000 ? `${text.slice(0, 1999)}…` : text;
}
