import { Lock } from 'lucide-react';
import { EmptyState } from './empty-state';

/** What a role that may not see a page is shown (with HTTP 403). */
export function AccessDenied() {
  return (
    <EmptyState page icon={Lock} title="You do not have access to this page">
      <p>Your roles do not include the permission this page needs.</p>
      <p className="mt-1">
        Ask a security lead to grant the role you need; the People page lists who holds which role.
      </p>
    </EmptyState>
  );
}
