import { AccessDenied } from '@/components/access-denied';

/** HTTP 403 inside the console: the person is signed in but their roles do not cover this page. */
export default function ConsoleForbidden() {
  return <AccessDenied />;
}
