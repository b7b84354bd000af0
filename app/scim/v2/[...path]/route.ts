import { scimError } from '@/lib/http/scim';

// Any /scim/v2 path no endpoint serves: a SCIM error, not the console's HTML 404 page.
function notFound() {
  return scimError(404, 'No SCIM endpoint here: /scim/v2/Users, /scim/v2/Groups and /scim/v2/ServiceProviderConfig.');
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
