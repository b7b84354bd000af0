import { getCurrentUser } from '@/lib/auth';
import { json } from '@/lib/http/api';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { searchPeople } from '@/lib/users/search';

export const dynamic = 'force-dynamic';

/** The typeahead person picker's search (signed-in session). */
export function GET(request: Request) {
  return handleRoute(async () => {
    const people = await searchPeople(await getCurrentUser(), Object.fromEntries(new URL(request.url).searchParams));
    return json({ people });
  });
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };
