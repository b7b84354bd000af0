import { scimJson, scimMethodNotAllowed, scimRoute } from '@/lib/http/scim';
import { scimDeleteUser, scimGetUser, scimPatchUser, scimReplaceUser } from '@/lib/scim/users';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export function GET(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor, base }) => scimJson(await scimGetUser(actor, (await params).id, base)));
}

/** Replaces the person's attributes; active: false deactivates them as the console does. */
export function PUT(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor, body, base }) =>
    scimJson(await scimReplaceUser(actor, (await params).id, body, base)),
  );
}

/** PatchOp: active, userName, name, emails, externalId. */
export function PATCH(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor, body, base }) =>
    scimJson(await scimPatchUser(actor, (await params).id, body, base)),
  );
}

/** Deactivates and hides the person (GET answers 404 after); the row stays for the timeline. */
export function DELETE(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor }) => {
    await scimDeleteUser(actor, (await params).id);
    return new Response(null, { status: 204 });
  });
}

const refuse = scimMethodNotAllowed('GET', 'PUT', 'PATCH', 'DELETE');
export { refuse as POST };
