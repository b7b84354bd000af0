#!/usr/bin/env node
// A broker asking Custodian before it issues a credential, then reporting the use.
// Node 20+, no dependencies. See "Put Custodian in front of your broker" in the README.
//
//   CUSTODIAN_URL=http://localhost:3000 CUSTODIAN_TOKEN=cus_... node examples/broker-client.mjs \
//     --workload spiffe://example.com/agents/gpu-scheduler --credential gpu-scheduler-oauth-token-prod-1 \
//     --task jira --environment PROD --ttl 600 [--credential-id] [--presented-by <identity>] [--fail-open]
//
// The token needs the decisions:check scope (and events:write to report the use). Exit codes: 0 allowed, 2 denied,
// 3 Custodian unavailable and failing closed, 4 unavailable and failing open (issued without a decision), 1 a usage
// or request error.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    workload: { type: 'string' },
    credential: { type: 'string' },
    'credential-id': { type: 'boolean', default: false },
    'presented-by': { type: 'string' },
    task: { type: 'string' },
    environment: { type: 'string', default: 'PROD' },
    ttl: { type: 'string', default: '600' },
    'fail-open': { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '2000' },
  },
});
const base = process.env.CUSTODIAN_URL ?? 'http://localhost:3000';
const token = process.env.CUSTODIAN_TOKEN;
if (!token || !args.workload || !args.credential || !args.task) {
  console.error('Set CUSTODIAN_TOKEN and pass --workload, --credential and --task.');
  process.exit(1);
}

/** One call to Custodian, with a deadline: the broker never waits on it longer than it can afford. */
async function call(path, body, key) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      // The same key on a retry returns the first answer: nothing is decided or recorded twice.
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(Number(args['timeout-ms'])),
  });
  const answer = await response.json().catch(() => ({}));
  // Rate limited or failing: Custodian is unavailable for this request, which the fail-closed/open policy decides.
  if (response.status === 429 || response.status >= 500) throw new Error(`HTTP ${response.status}`);
  if (!response.ok) throw Object.assign(new Error(answer.detail ?? response.statusText), { api: true });
  return answer;
}

const credential = args['credential-id'] ? { id: args.credential } : { name: args.credential };
const ask = {
  workloadIdentity: args.workload,
  credential,
  task: args.task,
  environment: args.environment,
  ttlSeconds: Number(args.ttl),
};

let decision;
try {
  decision = await call('/api/v1/decisions', ask, `decision-${randomUUID()}`);
} catch (error) {
  if (error.api) {
    console.error(`Custodian refused the request: ${error.message}`);
    process.exit(1);
  }
  // Unavailable (network, timeout, 429, 5xx): the broker's own policy decides. Failing closed is the safe default.
  if (!args['fail-open']) {
    console.error(`Custodian is unavailable (${error.message}): failing closed, nothing issued.`);
    process.exit(3);
  }
  console.warn(`Custodian is unavailable (${error.message}): failing open, as configured. Report the use later.`);
  process.exit(4);
}

if (decision.decision === 'deny') {
  console.log(`DENY ${decision.id}`);
  for (const reason of decision.reasons) console.log(`  ${reason.rule}: ${reason.sentence} Fix: ${reason.fix}`);
  process.exit(2);
}

// Issue for the TTL asked, never beyond the allow's limit, and never past validUntil (a replayed answer may be late).
const left = Math.floor((Date.parse(decision.constraints.validUntil) - Date.now()) / 1000);
const ttl = Math.min(ask.ttlSeconds, decision.constraints.maxTtlSeconds, left);
if (ttl < 1) {
  console.error(`ALLOW ${decision.id} has already lapsed: ask again.`);
  process.exit(1);
}
console.log(`ALLOW ${decision.id}: issue for at most ${ttl} s (until ${decision.constraints.validUntil})`);
if (decision.constraints.exception) {
  console.log(
    `  under exception ${decision.constraints.exception.id}, ending ${decision.constraints.exception.endsAt}`,
  );
}

// ... the broker issues the credential here, with the TTL above ...

// Report the use: the agent the credential belongs to, the workload that presented it (where the credential is
// used, which may not be the one the broker asked for: then Custodian marks a suspected replay), and the decision.
const reported = await call(
  '/api/v1/events',
  {
    events: [
      {
        type: 'credential.used',
        agent: { workloadIdentity: args.workload },
        credential,
        occurredAt: new Date().toISOString(),
        context: `issued under ${decision.id}`,
        workload: {
          identity: args['presented-by'] ?? args.workload,
          host: process.env.HOSTNAME ?? 'broker',
          runtime: `node ${process.version}`,
        },
        decisionId: decision.id,
      },
    ],
  },
  `use-${decision.id}`,
);
console.log(`USE recorded as event #${reported.events[0].seq}`);
