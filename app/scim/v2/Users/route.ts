import { scimJson, scimMethodNotAllowed, scimRoute } from '@/lib/http/scim';
import { scimCreateUser, scimListUsers } from '@/lib/scim/users';

export const dynamic = 'force-dynamic';

/** People, filtered by `userName eq "…"` or `externalId eq "…"`, a page at a time (startIndex, count). */
export function GET(request: Request) {
  return scimRoute(request, async ({ actor, params, base }) => scimJson(await scimListUsers(actor, params, base)));
}

/** Provisions a person: 201 with the resource, 409 uniqueness when the userName is taken. */
export function POST(request: Request) {
  return scimRoute(request, async ({ actor, body, base }) => {
    const user = await scimCreateUser(actor, body, base);
    return scimJson(user, 201, user.meta.location);
  });
}

const refuse = scimMethodNotAllowed('GET', 'POST');
export { refuse as PUT, refuse as PATCH, refuse as DELETE };
