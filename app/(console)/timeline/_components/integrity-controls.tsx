'use client';

import { ShieldCheck, Stamp } from 'lucide-react';
import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { signCheckpointAction, verifyChainAction } from '../actions';

/** Verify now (auditors and security leads) and sign now (security leads); the badge re-renders with the result. */
export function IntegrityControls({ canSign }: { canSign: boolean }) {
  const [verifyState, verify, verifying] = useActionState(verifyChainAction, INITIAL_ACTION_STATE);
  const [signState, signNow, signing] = useActionState(signCheckpointAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap gap-2">
        <form action={verify}>
          <Button type="submit" size="sm" variant="outline" disabled={verifying}>
            <ShieldCheck aria-hidden className="size-4" /> {verifying ? 'Verifying…' : 'Verify now'}
          </Button>
        </form>
        {canSign ? (
          <form action={signNow}>
            <Button type="submit" size="sm" variant="outline" disabled={signing}>
              <Stamp aria-hidden className="size-4" /> Sign checkpoint
            </Button>
          </form>
        ) : null}
      </div>
      <FormMessage state={verifyState.message ? verifyState : signState} />
    </div>
  );
}
