import { scimJson, scimMethodNotAllowed, scimRoute } from '@/lib/http/scim';
import { scimDeleteGroup, scimGetGroup, scimPatchGroup, scimReplaceGroup } from '@/lib/scim/groups';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export function GET(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor, base }) => scimJson(await scimGetGroup(actor, (await params).id, base)));
}

export function PUT(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor, body, base }) =>
    scimJson(await scimReplaceGroup(actor, (await params).id, body, base)),
  );
}

/** PatchOp on members (add, remove, replace) and displayName: members' roles follow. */
export function PATCH(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor, body, base }) =>
    scimJson(await scimPatchGroup(actor, (await params).id, body, base)),
  );
}

export function DELETE(request: Request, { params }: Params) {
  return scimRoute(request, async ({ actor }) => {
    await scimDeleteGroup(actor, (await params).id);
    return new Response(null, { status: 204 });
  });
}

const refuse = scimMethodNotAllowed('GET', 'PUT', 'PATCH', 'DELETE');
export { refuse as POST };
