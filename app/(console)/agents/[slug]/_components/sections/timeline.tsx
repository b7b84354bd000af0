import { History } from 'lucide-react';
import Link from 'next/link';
import { eventDetailsAction } from '@/app/(console)/timeline/actions';
import { Section } from '@/components/section';
import { EventList } from '@/components/timeline/event-list';
import { AGENT_PAGE_EVENTS } from '@/lib/agents/page';
import type { AgentSummary } from '@/lib/agents/queries';
import { listAgentEvents } from '@/lib/audit/queries';
import { can, type Actor } from '@/lib/authz';

/** The agent's latest custody events, with the way to its whole timeline. */
export async function TimelineSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const events = await listAgentEvents(actor, agent.id, AGENT_PAGE_EVENTS);
  return (
    <Section title="Timeline" icon={History} id="timeline">
      {events.length === 0 ? (
        <p className="text-muted-foreground">No events yet.</p>
      ) : (
        <>
          <EventList
            events={events}
            readerId={actor.id}
            loadDetails={eventDetailsAction}
            label={`Custody events of ${agent.name}, newest first`}
            linkFields={can(actor, 'audit.read')}
          />
          {can(actor, 'audit.read') ? (
            <Link
              href={`/timeline?agent=${agent.slug}`}
              className="mt-2 inline-block text-primary underline underline-offset-2"
            >
              The whole timeline of this agent
            </Link>
          ) : events.length === AGENT_PAGE_EVENTS ? (
            <p className="mt-2 text-sm text-muted-foreground">
              The latest {AGENT_PAGE_EVENTS} events: auditors, PAM approvers and administrators can open the whole
              timeline.
            </p>
          ) : null}
        </>
      )}
    </Section>
  );
}
