import { NoAccess } from '@/components/no-access';

/**
 * HTTP 403 outside the console shell: signed in with no Custodian role at all.
 * Static (it reads no session), so the build prerenders it without secrets.
 */
export default function Forbidden() {
  return <NoAccess />;
}
