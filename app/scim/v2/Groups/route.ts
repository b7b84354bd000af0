import { scimJson, scimMethodNotAllowed, scimRoute } from '@/lib/http/scim';
import { scimCreateGroup, scimListGroups } from '@/lib/scim/groups';

export const dynamic = 'force-dynamic';

/** Groups, filtered by `displayName eq "…"` or `externalId eq "…"`, a page at a time. */
export function GET(request: Request) {
  return scimRoute(request, async ({ actor, params, base }) => scimJson(await scimListGroups(actor, params, base)));
}

/** Creates a group with its members; their roles follow it through OIDC_ROLE_MAP. */
export function POST(request: Request) {
  return scimRoute(request, async ({ actor, body, base }) => {
    const group = await scimCreateGroup(actor, body, base);
    return scimJson(group, 201, group.meta.location);
  });
}

const refuse = scimMethodNotAllowed('GET', 'POST');
export { refuse as PUT, refuse as PATCH, refuse as DELETE };
