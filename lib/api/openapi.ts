import { z } from 'zod';
import { TimelineQuerySchema } from '@/lib/audit/queries';
import { IngestBatchSchema, IngestResultSchema, MAX_BATCH } from '@/lib/ingest/schema';
import { DecisionInputSchema, DecisionResultSchema } from '@/lib/issuance/schema';
import { AgentListQuerySchema } from './registry';

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

/** The API's OpenAPI 3.1 document, generated from the same zod schemas the endpoints validate with. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Custodian API',
      version: '1',
      description:
        'Ask the issuance gate before issuing a credential, report credential custody events, and read the ' +
        'registry and the custody timeline. Custodian keeps ' +
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
      },
      '/api/v1/agents/{slug}': {
        get: {
          summary: 'One agent: owners, purposes, credential metadata, open exceptions',
          security: [{ bearer: ['registry:read'] }],
          parameters: [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The agent' }, ...errors(401, 403, 404, 429) },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token an ADMIN creates on the Tokens page, with scopes events:write, events:backfill, ' +
            'registry:read, audit:read, decisions:check, scoped to all agents, a list, or a workload-identity ' +
            'prefix. It acts as its creator, within their current permissions; the rate limit is per token, ' +
            'across servers.',
        },
      },
      schemas: {
        IngestBatch: schema(IngestBatchSchema),
        IngestResult: schema(IngestResultSchema),
        DecisionInput: schema(DecisionInputSchema),
        Decision: z.toJSONSchema(DecisionResultSchema, { io: 'output', unrepresentable: 'any' }),
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
