import { z } from 'zod';
import { Conflict, Invalid } from '@/lib/errors';
import { FreeText } from '@/lib/secrets/free-text';

// SCIM 2.0 (RFC 7643 resources, RFC 7644 protocol) as an identity provider speaks it. Attributes Custodian does not
// keep (phone numbers, addresses, enterprise extensions…) are accepted and ignored, as the RFC allows.

export const SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

/** What the service supports (RFC 7643 §5): PATCH and filters, no bulk, sort or password changes. */
export const SERVICE_PROVIDER_CONFIG = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  documentationUri: '/api/v1/openapi.json',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 200 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'API token',
      description: 'A Custodian API token with the scim:provision scope, created by a security lead.',
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig' },
};

export type ScimType = 'invalidFilter' | 'invalidValue' | 'invalidSyntax' | 'uniqueness' | 'mutability' | 'noTarget';

/** A refusal in SCIM's words: 400 with its scimType (RFC 7644 §3.12). */
export class ScimInvalid extends Invalid {
  constructor(
    message: string,
    readonly scimType: ScimType,
  ) {
    super(message);
  }
}

/** A userName, e-mail, externalId or displayName someone else already has: 409 uniqueness. */
export class ScimConflict extends Conflict {}

const text = (max: number) => FreeText(max, `At most ${max} characters.`);
/** SCIM booleans arrive as JSON booleans, or (Azure AD's PATCH) as the strings "True" and "False". */
export const ScimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i, 'active is true or false.')
    .transform((v) => v.toLowerCase() === 'true'),
]);

export const UserResource = z.object({
  userName: text(320).pipe(z.string().min(3, 'userName is required: the person’s e-mail address.')),
  externalId: text(200).optional(),
  displayName: text(200).optional(),
  name: z
    .object({ formatted: text(200).optional(), givenName: text(100).optional(), familyName: text(100).optional() })
    .optional(),
  emails: z
    .array(z.object({ value: text(320), primary: ScimBoolean.optional() }))
    .max(20)
    .optional(),
  active: ScimBoolean.optional(),
});
export type UserResource = z.output<typeof UserResource>;

export const MemberRef = z.object({ value: text(128) });

export const GroupResource = z.object({
  displayName: text(200).pipe(z.string().min(1, 'displayName is required.')),
  externalId: text(200).optional(),
  members: z.array(MemberRef).max(10_000).optional(),
});
export type GroupResource = z.output<typeof GroupResource>;

export const PatchRequest = z.object({
  schemas: z
    .array(text(200))
    .max(10)
    .refine((s) => s.includes(SCHEMAS.patch), `A PATCH names the schema ${SCHEMAS.patch}.`),
  Operations: z
    .array(
      z.object({
        op: text(20)
          .transform((o) => o.toLowerCase())
          .pipe(z.enum(['add', 'remove', 'replace'], 'op is add, remove or replace.')),
        path: text(300).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1, 'A PATCH carries at least one operation.')
    .max(1_000),
});
export type PatchOperation = z.output<typeof PatchRequest>['Operations'][number];

export const ListQuery = z.object({
  filter: text(500).optional(),
  startIndex: z.coerce.number().int().catch(1).default(1),
  count: z.coerce.number().int().catch(100).default(100),
});

/** The list query, or a SCIM error naming what is wrong with it (an over-long filter, say). */
export function listQueryOf(params: Record<string, string>) {
  const parsed = ListQuery.safeParse(params);
  if (!parsed.success)
    throw new ScimInvalid(`The query is not valid: ${parsed.error.issues[0]!.message}`, 'invalidFilter');
  return parsed.data;
}

/** `attribute eq "value"`, the filter identity providers send to find a person or group (RFC 7644 §3.4.2.2). */
export function parseEqFilter(
  filter: string | undefined,
  attributes: string[],
): { attribute: string; value: string } | null {
  if (filter === undefined || filter.trim() === '') return null;
  const match = /^\s*([A-Za-z.]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  const attribute = attributes.find((a) => a.toLowerCase() === match?.[1]?.toLowerCase());
  if (!match || !attribute) {
    throw new ScimInvalid(`Filter by ${attributes.map((a) => `${a} eq "…"`).join(' or ')}.`, 'invalidFilter');
  }
  return { attribute, value: match[2]!.replace(/\\(.)/g, '$1') };
}

/**
 * A ListResponse (RFC 7644 §3.4.2) of the page the query asks for: startIndex is 1-based (below 1 means 1), count at
 * most 200 (0 asks for the total only).
 */
export async function listResponse<T>(
  query: z.output<typeof ListQuery>,
  count: () => Promise<number>,
  find: (page: { skip: number; take: number }) => Promise<T[]>,
  resource: (item: T) => unknown,
) {
  const skip = Math.max(query.startIndex, 1) - 1;
  const take = Math.min(Math.max(query.count, 0), 200);
  const [total, items] = await Promise.all([count(), take === 0 ? [] : find({ skip, take })]);
  return {
    schemas: [SCHEMAS.list],
    totalResults: total,
    startIndex: skip + 1,
    itemsPerPage: items.length,
    Resources: items.map(resource),
  };
}
