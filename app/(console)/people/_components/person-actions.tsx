'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import type { Role } from '@/lib/generated/prisma/enums';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { labelOf, ROLE, valuesOf } from '@/lib/vocabulary';
import { deactivateUserAction, grantRoleAction, reactivateUserAction, removeRoleAction } from '../actions';

type Person = {
  id: string;
  name: string | null;
  version: number;
  roles: Role[];
  active: boolean;
  ownedAgents: number;
  controlledPlanes: number;
};

const ALL_ROLES: Role[] = valuesOf(ROLE);

/** An ADMIN's controls for one person: roles, deactivation, reactivation. */
export function PersonActions({ person }: { person: Person }) {
  const [grantState, grant, granting] = useActionState(grantRoleAction, INITIAL_ACTION_STATE);
  const [removeState, remove, removing] = useActionState(removeRoleAction, INITIAL_ACTION_STATE);
  const [statusState, changeStatus, changing] = useActionState(
    person.active ? deactivateUserAction : reactivateUserAction,
    INITIAL_ACTION_STATE,
  );
  const reasonId = useId();
  const roleId = useId();
  const whyId = useId();
  const missing = ALL_ROLES.filter((r) => !person.roles.includes(r));
  const name = person.name ?? 'this person';

  return (
    <details className="group">
      <summary className="cursor-pointer text-primary underline underline-offset-2">Manage {name}</summary>
      <div className="mt-2 flex w-80 flex-col gap-3 rounded-md border bg-card p-3">
        {person.roles.length > 0 ? (
          <div className="flex flex-col gap-1">
            <span className="text-xs font-medium text-muted-foreground">Remove a role</span>
            <div className="flex flex-wrap gap-1">
              {person.roles.map((role) => (
                <form key={role} action={remove}>
                  <input type="hidden" name="userId" value={person.id} />
                  <input type="hidden" name="version" value={person.version} />
                  <input type="hidden" name="role" value={role} />
                  <Button
                    type="submit"
                    variant="outline"
                    size="sm"
                    disabled={removing}
                    aria-label={`Remove ${labelOf(ROLE, role)} from ${name}`}
                  >
                    {labelOf(ROLE, role)} ×
                  </Button>
                </form>
              ))}
            </div>
            <FormMessage state={removeState} />
          </div>
        ) : null}
        {missing.length > 0 ? (
          <form action={grant} className="flex flex-col gap-1">
            <label htmlFor={roleId} className="text-xs font-medium text-muted-foreground">
              Grant a role
            </label>
            <div className="flex gap-2">
              <input type="hidden" name="userId" value={person.id} />
              <input type="hidden" name="version" value={person.version} />
              <select id={roleId} name="role" className="h-8 flex-1 rounded-md border border-input bg-background px-2">
                {missing.map((role) => (
                  <option key={role} value={role}>
                    {labelOf(ROLE, role)}
                  </option>
                ))}
              </select>
              <Button type="submit" size="sm" disabled={granting}>
                Grant
              </Button>
            </div>
            <label htmlFor={whyId} className="text-xs font-medium text-muted-foreground">
              Why (optional)
            </label>
            <Input id={whyId} name="reason" maxLength={500} placeholder="e.g. Joins the PAM on-call rota" />
            <p className="text-xs text-muted-foreground">
              Security lead and PAM approver wait for a second security lead, who reads this.
            </p>
            <FormMessage state={grantState} />
          </form>
        ) : null}
        <form action={changeStatus} className="flex flex-col gap-1 border-t pt-3">
          <input type="hidden" name="userId" value={person.id} />
          <input type="hidden" name="version" value={person.version} />
          {person.active ? (
            <>
              <label htmlFor={reasonId} className="text-xs font-medium text-muted-foreground">
                Reason for deactivating
              </label>
              <Input
                id={reasonId}
                name="reason"
                required
                minLength={3}
                maxLength={500}
                placeholder="e.g. Left the company"
              />
              <p className="text-xs text-muted-foreground">
                They lose access on their next request. {person.ownedAgents} agent(s) they own and{' '}
                {person.controlledPlanes} control plane(s) they hold will show as orphaned until reassigned.
              </p>
              <Button type="submit" variant="danger" size="sm" disabled={changing} className="self-start">
                Deactivate {name}
              </Button>
            </>
          ) : (
            <Button type="submit" size="sm" disabled={changing} className="self-start">
              Reactivate {name}
            </Button>
          )}
          <FormMessage state={statusState} />
        </form>
      </div>
    </details>
  );
}
