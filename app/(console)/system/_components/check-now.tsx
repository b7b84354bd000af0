'use client';

import { ScanSearch } from 'lucide-react';
import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { checkRegistryAction } from '../actions';

/** Runs the registry check at once (auditors and security leads); the section re-renders with the result. */
export function CheckNow() {
  const [state, check, checking] = useActionState(checkRegistryAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-1">
      <form action={check}>
        <Button type="submit" size="sm" variant="outline" disabled={checking}>
          <ScanSearch aria-hidden className="size-4" /> {checking ? 'Checking…' : 'Check now'}
        </Button>
      </form>
      <FormMessage state={state} />
    </div>
  );
}
