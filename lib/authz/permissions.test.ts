// The role × permission grid, written out by hand: a grant added to or
// dropped from ROLE_PERMISSIONS fails here, instead of flowing unseen through
// can() into every test that asks it.
import { describe, expect, it } from 'vitest';
import type { Role } from '@/lib/generated/prisma/enums';
import { can, PERMISSIONS, type Permission } from '.';

const A = 'ADMIN';
const P = 'PAM_APPROVER';
const U = 'AUDITOR';
const O = 'OWNER';

const GRID: Record<Permission, readonly Role[]> = {
  'agent.read': [A, P, U, O],
  'agent.write': [A, O],
  'ownership.assign': [A],
  'discovery.import': [A],
  'purpose.approve': [A],
  'credential.write': [A, O],
  'exception.request': [A, O],
  'exception.decide': [P],
  'exception.revoke': [A, P],
  'delegation.request': [A, O],
  'delegation.approve': [A, O],
  'delegation.revoke': [A, O],
  'review.complete': [A, P, O],
  'review.campaign': [A],
  'audit.read': [A, P, U],
  'audit.export': [A, U],
  'audit.verify': [A, U],
  'audit.checkpoint': [A],
  'audit.redact': [A],
  'audit.redact.decide': [U],
  'findings.read': [A, P, U, O],
  'findings.recompute': [A],
  'settings.read': [A, P, U, O],
  'settings.write': [A],
  'system.read': [A],
  'notifications.read': [A, P, U, O],
  'notifications.manage': [A],
  'token.manage': [A],
  'user.read': [A, U],
  'user.manage': [A],
  'change.read': [A, U],
  'change.decide': [A],
};

describe('ROLE_PERMISSIONS', () => {
  it('grants exactly the grid above, role by role', () => {
    expect(Object.keys(GRID).sort()).toEqual(Object.keys(PERMISSIONS).sort());
    for (const role of [A, P, U, O] as const) {
      const actor = { id: 'x', name: null, email: null, roles: [role] };
      for (const [permission, roles] of Object.entries(GRID) as [Permission, readonly Role[]][]) {
        expect(can(actor, permission), `${role} × ${permission}`).toBe(roles.includes(role));
      }
    }
  });

  it('a person with no role holds nothing; a person with two roles holds the union', () => {
    const none = { id: 'x', name: null, email: null, roles: [] };
    for (const permission of Object.keys(GRID) as Permission[]) expect(can(none, permission)).toBe(false);
    const both = { id: 'x', name: null, email: null, roles: [P, U] as Role[] };
    expect(can(both, 'exception.decide')).toBe(true);
    expect(can(both, 'audit.export')).toBe(true);
    expect(can(both, 'settings.write')).toBe(false);
  });
});
