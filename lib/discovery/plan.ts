import 'server-only';
import { createHash } from 'node:crypto';
import type { RegisterData } from '@/lib/agents/commands';
import { AgentFieldsSchema } from '@/lib/agents/schema';
import type { Db, Tx } from '@/lib/db';
import type { Environment, Issuance, RiskTier } from '@/lib/generated/prisma/enums';
import { getSettings } from '@/lib/settings';
import { ENVIRONMENT, wordOf } from '@/lib/vocabulary';
import { SOURCE_NAMES, type Discovery, type Found, type FoundCredential, type Sighting } from './found';

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
  issuance: Issuance;
  lastRotatedAt: Date | null;
  revokedAt: Date | null;
  rotationPeriodDays: number | null;
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

/** The sources' ids already recorded, read in chunks (a log may hold many). */
async function recordedIds(db: Db | Tx, discovery: Discovery): Promise<Set<string>> {
  const ids = discovery.found.flatMap((f) => f.sightings.map((s) => s.externalId));
  const recorded = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.discoveredRecord.findMany({
      where: { source: discovery.source, externalId: { in: ids.slice(i, i + CHUNK) } },
      select: { externalId: true },
    });
    for (const r of rows) recorded.add(r.externalId);
  }
  return recorded;
}

/** Free slugs for the identities to propose, unique in the registry and in the file. */
async function slugsFor(db: Db | Tx, names: string[]): Promise<string[]> {
  const wanted = names.map(slugOf);
  // A wanted slug and its numbered variants (deploy-bot-2): one scan, whatever the number of identities.
  const rows = await db.$queryRaw<{ slug: string }[]>`
    SELECT "slug" FROM "Agent" WHERE regexp_replace("slug", '-[0-9]+$', '') = ANY(${[...new Set(wanted)]}::text[])
      OR "slug" = ANY(${[...new Set(wanted)]}::text[])`;
  const taken = new Set(rows.map((r) => r.slug));
  return wanted.map((w) => {
    let slug = w;
    for (let n = 2; taken.has(slug); n++) slug = `${w}-${n}`;
    taken.add(slug);
    return slug;
  });
}

/**
 * What importing a discovery would do, identity by identity, from one reading of the registry: a person is reported;
 * an unknown workload is proposed (a PROPOSED agent, no owner, with what was seen); a known one gets the credentials
 * it lacks and the events not yet recorded. Changes nothing.
 */
export async function planFound(
  db: Db | Tx,
  discovery: Discovery,
  options: DiscoveryOptions,
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
      issuance: true,
      lastRotatedAt: true,
      revokedAt: true,
      rotationPeriodDays: true,
    },
  });
  const credentialOf = new Map(credentials.map((c) => [`${c.agentId}/${c.name}`, c]));
  const recorded = await recordedIds(db, discovery);
  const { credentialRotationDays } = await getSettings(db);
  const proposals = discovery.found.filter((f) => !f.person && !agentOf.has(f.identity));
  const slugs = await slugsFor(
    db,
    proposals.map((f) => f.name),
  );
  const slugOfFound = new Map(proposals.map((f, i) => [f, slugs[i]!]));
  const firstLine = new Map<string, number>();

  return discovery.found.map((found): PlannedDiscovery => {
    const agent = agentOf.get(found.identity) ?? null;
    const known = (name: string) => (agent ? credentialOf.get(`${agent.id}/${name}`) : undefined);
    const notes = [...found.notes];
    for (const c of found.credentials) {
      const period = known(c.name)?.rotationPeriodDays ?? credentialRotationDays;
      if (c.issuance !== 'STATIC' || !c.lastRotatedAt) continue;
      const age = Math.floor((now.getTime() - c.lastRotatedAt.getTime()) / DAY);
      if (age > period) {
        notes.push(
          `${c.name} was last rotated ${age} days ago, past the ${period}-day rotation policy: a Rotation overdue ` +
            'finding',
        );
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
      const identity = AgentFieldsSchema.shape.workloadIdentity.safeParse(found.identity);
      if (!identity.success) return refused(`${found.identity} is not a workload identity Custodian can register.`);
      register = {
        slug: slugOfFound.get(found)!,
        name: found.name.slice(0, 120),
        description: descriptionOf(discovery, found),
        kind: 'OTHER',
        workloadIdentity: found.identity,
        environments: [options.environment],
        riskTier: options.riskTier,
        reviewCadenceDays: undefined,
        ownerId: undefined,
      };
    }
    const toCreate = found.credentials.filter((c) => !known(c.name));
    if (agent && toCreate.length > 0 && !agent.environments.includes(options.environment)) {
      return refused(
        `${agent.slug} does not run in ${wordOf(ENVIRONMENT, options.environment)}: add it to the agent, or ` +
          'import with the environment it runs in.',
      );
    }
    const events: EventWrite[] = [];
    let alreadyRecorded = 0;
    for (const sighting of found.sightings) {
      if (recorded.has(sighting.externalId)) {
        alreadyRecorded++;
        continue;
      }
      const existing = known(sighting.credential);
      let action: EventWrite['action'] = sighting.action;
      if (sighting.action === 'credential.issued' && existing?.issuance === 'STATIC') {
        // A static record's new creation date is a rotation; one not later than the last known is old news.
        if (existing.lastRotatedAt && sighting.at <= existing.lastRotatedAt) continue;
        action = 'credential.rotated';
      }
      const afterRevocation =
        action === 'credential.used' && existing?.revokedAt != null && existing.revokedAt <= sighting.at;
      events.push({ sighting, action, afterRevocation });
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
        credentials: found.credentials.map((c) => ({ name: c.name, new: !known(c.name) })),
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
