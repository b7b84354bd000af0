import type { Metadata } from 'next';
import { AccessDenied } from '@/components/access-denied';
import { AgentForm } from '@/components/agents/agent-form';
import { PageHeader } from '@/components/page-header';
import { listActivePeople } from '@/lib/agents/queries';
import { getPageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { registerAgentAction } from '../actions';

export const metadata: Metadata = { title: 'Register agent' };

export default async function NewAgentPage() {
  const { actor, denied } = await getPageAccess('agent.write', '/agents/new');
  if (denied) return <AccessDenied reason={denied} />;
  const people = can(actor, 'ownership.assign') ? await listActivePeople(actor) : undefined;
  return (
    <>
      <PageHeader
        title="Register agent"
        description={
          people
            ? 'A new agent starts as proposed. It becomes active once it has an active owner, all three control-plane owners and an approved purpose.'
            : 'A new agent starts as proposed, with you as its accountable owner. A security lead assigns its control-plane owners and approves its purposes.'
        }
      />
      <AgentForm action={registerAgentAction} people={people} submitLabel="Register agent" />
    </>
  );
}
