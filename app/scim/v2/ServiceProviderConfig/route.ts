import { scimJson, scimMethodNotAllowed, scimRoute } from '@/lib/http/scim';
import { SERVICE_PROVIDER_CONFIG } from '@/lib/scim/schema';

export const dynamic = 'force-dynamic';

/** What this SCIM service supports (RFC 7643 §5), for the identity provider's set-up. */
export function GET(request: Request) {
  return scimRoute(request, async () => scimJson(SERVICE_PROVIDER_CONFIG));
}

const refuse = scimMethodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };
