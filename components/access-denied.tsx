import { Lock } from 'lucide-react';
import { EmptyState } from './empty-state';

export function AccessDenied({ reason }: { reason: string }) {
  return (
    <EmptyState icon={Lock} title="You do not have access to this page">
      <p>{reason}</p>
      <p className="mt-1">Ask a security lead (ADMIN) to grant the role you need.</p>
    </EmptyState>
  );
}
