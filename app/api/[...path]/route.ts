import { problem } from '@/lib/http/problem';

// Any /api path no route serves: problem JSON, not the console's HTML 404 page.
function notFound() {
  return problem(404, 'No API endpoint here. The API is described at /api/v1/openapi.json.');
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
