import type { Metadata } from 'next';
import { AgentForm } from '@/components/agents/agent-form';
import { PageHeader } from '@/components/page-header';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { registerAgentAction } from '../actions';

export const metadata: Metadata = { title: 'Register agent' };

export default async function NewAgentPage() {
  const actor = await requirePageAccess('agent.write', '/agents/new');
  const canAssignOwner = can(actor, 'ownership.assign');
  return (
    <>
      <PageHeader
        title="Register agent"
        description={
          canAssignOwner
            ? 'A new agent starts as proposed. It becomes active once it has an active owner, all three ' +
              'control-plane owners and an approved purpose.'
            : 'A new agent starts as proposed, with you as its accountable owner. A security lead assigns its ' +
              'control-plane owners and approves its purposes.'
        }
      />
      <AgentForm action={registerAgentAction} canAssignOwner={canAssignOwner} submitLabel="Register agent" />
    </>
  );
}
