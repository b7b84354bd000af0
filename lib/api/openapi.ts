import { z } from 'zod';
import { TimelineQuerySchema } from '@/lib/audit/queries';
import { DiscoveryRequest } from '@/lib/discovery/request';
import { IngestBatchSchema, IngestResultSchema, MAX_BATCH } from '@/lib/ingest/schema';
import { DecisionInputSchema, DecisionResultSchema } from '@/lib/issuance/schema';
import { RegistryFileDoc, RegistryRequestBody } from '@/lib/registry/spec';
import { AgentListQuerySchema } from './registry';
import { API_BODIES } from './registry-write';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

/** Query parameters from a zod object: one OpenAPI parameter per field. */
function parameters(object: z.ZodObject) {
  const json = schema(object) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));

const slugParam = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  schema: { type: 'string' },
  description: 'The ETag read (e.g. "v7"): 428 without it, 412 when someone changed the agent since.',
};
const writeErrors = errors(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429);
const body = (name: keyof typeof API_BODIES) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
});

/** The API's OpenAPI 3.1 document, generated from the same zod schemas the endpoints validate with. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Custodian API',
      version: '1',
      description:
        'Ask the issuance gate before issuing a credential, report credential custody events, read and write the ' +
        'registry, and read the custody timeline. Custodian keeps ' +
        'metadata about credentials, never their values.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/events': {
        post: {
          summary: `Record a batch of up to ${MAX_BATCH} custody events`,
          description:
            'All-or-nothing unless partial=true. Send an Idempotency-Key header to make retries safe: a ' +
            'retried batch records nothing twice and returns the first answer. A use reported for a revoked ' +
            "credential is recorded and marked afterRevocation. An event for an agent outside the token's agent " +
            'scope is refused with 403; one more than 5 minutes ahead, or older than the policy window without ' +
            'the events:backfill scope, with 422 (backfilled events are marked backfilled).',
          security: [{ bearer: ['events:write'] }],
          parameters: [
            {
              name: 'partial',
              in: 'query',
              required: false,
              schema: { type: 'boolean' },
              description: 'Record the valid events and list the refused ones.',
            },
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestBatch' } } },
          },
          responses: {
            '201': {
              description: 'Every event recorded',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestResult' } } },
            },
            '200': {
              description: 'partial=true: the valid events recorded, the refused ones listed',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestResult' } } },
            },
            ...errors(400, 401, 403, 409, 413, 422, 429),
          },
        },
        get: {
          summary: 'The custody timeline, newest first, by keyset on seq',
          security: [{ bearer: ['audit:read'] }],
          parameters: parameters(TimelineQuerySchema),
          responses: {
            '200': { description: 'A page of events and the cursor of the next (`before`)' },
            ...errors(401, 403, 429),
          },
        },
      },
      '/api/v1/decisions': {
        post: {
          summary: 'Ask the issuance gate whether a workload may be issued a credential, now',
          description:
            'The broker, CI step or agent runtime asks before it issues. The answer is allow or deny (both 200) ' +
            'with every failing rule, its sentence and its fix, and for an allow the constraints to issue under ' +
            '(maximum TTL, just in time, the exception relied on and when it ends). Every decision is recorded ' +
            'as one issuance.decided event. Send an Idempotency-Key header to make retries safe. A token that ' +
            'does not reach the agent, or whose creator may not record custody for it, is refused with 403. ' +
            'Decision tokens have their own rate limit (Settings: 500 a second by default).',
          security: [{ bearer: ['decisions:check'] }],
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionInput' } } },
          },
          responses: {
            '200': {
              description: 'The decision: allow (with constraints) or deny (with reasons)',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Decision' } } },
            },
            ...errors(400, 401, 403, 409, 413, 415, 422, 429),
          },
        },
      },
      '/api/v1/agents': {
        get: {
          summary: 'Agents by slug, a keyset page at a time',
          security: [{ bearer: ['registry:read'] }],
          parameters: parameters(AgentListQuerySchema),
          responses: {
            '200': { description: 'A page of agents and the cursor of the next (`after`)' },
            ...errors(400, 401, 403, 429),
          },
        },
        post: {
          summary: 'Register an agent (PROPOSED), as the token’s creator',
          description:
            'A token scoped to some agents registers only one it would reach (a workload identity under its prefix).',
          security: [{ bearer: ['registry:write'] }],
          requestBody: body('CreateAgent'),
          responses: {
            '201': { description: 'Registered; Location names it, the ETag header is its version' },
            ...errors(400, 401, 403, 409, 413, 415, 422, 429),
          },
        },
      },
      '/api/v1/agents/{slug}': {
        get: {
          summary: 'One agent: owners, purposes, credential metadata, open exceptions',
          description: 'The ETag header names its version: send it as If-Match to change it.',
          security: [{ bearer: ['registry:read'] }],
          parameters: [slugParam],
          responses: { '200': { description: 'The agent, with its ETag' }, ...errors(401, 403, 404, 429) },
        },
        patch: {
          summary: 'Edit an agent: the fields sent, onto the version named in If-Match',
          description:
            'null removes the workload identity or the cadence override; unknown keys are refused. A field that ' +
            'loosens a control (a lower tier, a longer cadence, a changed workload identity, production access) is ' +
            'not applied: the answer is 202 with the change request a security lead independent of the agent ' +
            'decides (a token never counts as one); the other fields sent are applied, and the ETag moves.',
          security: [{ bearer: ['registry:write'] }],
          parameters: [slugParam, ifMatch],
          requestBody: body('PatchAgent'),
          responses: {
            '200': { description: 'Saved; the ETag header is the new version' },
            '202': { description: 'Waiting for a second person: { message, changeRequest: { id, status } }' },
            ...writeErrors,
          },
        },
      },
      '/api/v1/agents/{slug}/owner': {
        put: {
          summary: 'Set the accountable owner, by e-mail',
          security: [{ bearer: ['registry:write'] }],
          parameters: [slugParam, ifMatch],
          requestBody: body('Owner'),
          responses: { '200': { description: 'Saved; the ETag header is the new version' }, ...writeErrors },
        },
      },
      '/api/v1/agents/{slug}/controls/{plane}': {
        put: {
          summary: 'Set who owns one control plane (IAM, PAM or PLATFORM), by e-mail',
          security: [{ bearer: ['registry:write'] }],
          parameters: [
            slugParam,
            { name: 'plane', in: 'path', required: true, schema: { enum: ['IAM', 'PAM', 'PLATFORM'] } },
            ifMatch,
          ],
          requestBody: body('Owner'),
          responses: {
            '200': { description: 'Saved; separationOfDutiesWarning when one person now holds all three' },
            ...writeErrors,
          },
        },
      },
      '/api/v1/agents/{slug}/purposes': {
        post: {
          summary: 'Propose a purpose: PENDING until a security lead independent of the agent approves it',
          security: [{ bearer: ['registry:write'] }],
          parameters: [slugParam],
          requestBody: body('Purpose'),
          responses: {
            '201': { description: '{ id, status: PENDING }' },
            ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429),
          },
        },
      },
      '/api/v1/agents/{slug}/status': {
        post: {
          summary: 'Move the agent through its lifecycle (ACTIVE, SUSPENDED, RETIRED…)',
          description: 'Refused, naming every lifecycle rule it breaks, when the agent is not ready for the move.',
          security: [{ bearer: ['registry:write'] }],
          parameters: [slugParam, ifMatch],
          requestBody: body('Status'),
          responses: { '200': { description: 'Moved; the ETag header is the new version' }, ...writeErrors },
        },
      },
      ...Object.fromEntries(
        (['plan', 'apply'] as const).map((step) => [
          `/api/v1/registry/${step}`,
          {
            post: {
              summary:
                step === 'plan'
                  ? 'What applying a registry file (custodian.yaml) would change, agent by agent: changes nothing'
                  : 'Apply a registry file: one transaction per agent, each reported; the same file twice changes ' +
                    'nothing',
              description:
                'The file as application/yaml, or JSON { file, expect }. Each agent is create, update, unchanged, ' +
                'needs-approval (what loosens a control opens a change request) or refused (with reasons; a refused ' +
                'agent is left as it is and the others apply). Needs a token that reaches every agent.',
              security: [{ bearer: ['registry:write'] }],
              requestBody: {
                required: true,
                content: {
                  'application/yaml': { schema: { $ref: '#/components/schemas/RegistryFile' } },
                  'application/json': { schema: { $ref: '#/components/schemas/RegistryRequest' } },
                },
              },
              responses: {
                '200': {
                  description:
                    '{ summary: counts per action, agents: [{ line, slug, action, changes: [{ field, from, to, ' +
                    'approval? }], reasons, digest' +
                    (step === 'apply' ? ', applied, changeRequestIds' : '') +
                    ' }] }',
                },
                ...errors(400, 401, 403, 413, 415, 422, 429),
              },
            },
          },
        ]),
      ),
      ...Object.fromEntries(
        (['plan', 'apply'] as const).map((step) => [
          `/api/v1/discovery/${step}`,
          {
            post: {
              summary:
                step === 'plan'
                  ? 'What importing a Vault audit log or an AWS IAM credential report would do: changes nothing'
                  : 'Import a Vault audit log or an AWS IAM credential report: proposed agents, custody records and ' +
                    'events, each recorded once however often the file is imported',
              description:
                'JSON { source: vault-audit | aws-credential-report, file, environment?, riskTier?, exclude?, ' +
                'expect? }. Each identity is propose (an unknown workload: a PROPOSED agent with no owner), record ' +
                '(a known agent: the credentials and events not yet recorded), unchanged, person (reported, never ' +
                'proposed) or refused. A malformed line refuses the file, naming the line. Needs a token that ' +
                'reaches every agent.',
              security: [{ bearer: ['discovery:import'] }],
              requestBody: {
                required: true,
                content: { 'application/json': { schema: { $ref: '#/components/schemas/DiscoveryRequest' } } },
              },
              responses: {
                '200': {
                  description:
                    step === 'plan'
                      ? '{ source, entries, skipped: { why: count }, summary: counts per action, rows: [{ line, ' +
                        'identity, name, action, agent, seenOn, paths, firstSeen, lastSeen, requests, credentials, ' +
                        'events: { new, recorded }, notes, reasons, digest }] }'
                      : '{ proposed: [{ slug, name }], recordedOn, credentials, events, reviews, findings }',
                },
                ...errors(400, 401, 403, 409, 413, 415, 422, 429),
              },
            },
          },
        ]),
      ),
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token an ADMIN creates on the Tokens page, with scopes events:write, events:backfill, ' +
            'registry:read, registry:write, audit:read, decisions:check, discovery:import, scoped to all agents, a ' +
            'list, or a ' +
            'workload-identity prefix. It acts as its creator, within their current permissions; the rate limit is ' +
            'per token, across servers.',
        },
      },
      schemas: {
        IngestBatch: schema(IngestBatchSchema),
        IngestResult: schema(IngestResultSchema),
        DecisionInput: schema(DecisionInputSchema),
        Decision: z.toJSONSchema(DecisionResultSchema, { io: 'output', unrepresentable: 'any' }),
        RegistryFile: schema(RegistryFileDoc),
        RegistryRequest: schema(RegistryRequestBody),
        DiscoveryRequest: schema(DiscoveryRequest),
        ...Object.fromEntries(Object.entries(API_BODIES).map(([name, s]) => [name, schema(s)])),
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {},
          },
          required: ['type', 'title', 'status', 'detail'],
        },
      },
    },
  };
}
