import { openApiDocument } from '@/lib/api/openapi';
import { methodNotAllowed } from '@/lib/http/problem';

/** The API's OpenAPI 3.1 document. Public: it describes the API, not any data. */
export function GET(request: Request) {
  return Response.json(openApiDocument(new URL(request.url).origin), {
    headers: { 'cache-control': 'public, max-age=300' },
  });
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };
