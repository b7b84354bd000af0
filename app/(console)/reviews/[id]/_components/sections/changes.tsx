import { History } from 'lucide-react';
import { eventDetailsAction } from '@/app/(console)/timeline/actions';
import { Section } from '@/components/section';
import { EventList } from '@/components/timeline/event-list';
import { listAgentEventsSince } from '@/lib/audit';
import type { Actor } from '@/lib/authz';
import type { ReviewDetail } from '@/lib/reviews/queries';

/** The agent's events since its last completed review: what the reviewer is certifying. */
export async function ChangesSection({ actor, detail }: { actor: Actor; detail: ReviewDetail }) {
  const changes = await listAgentEventsSince(actor, detail.agent.id, detail.changesAfterSeq);
  return (
    <Section
      title={`What changed since the last review (${changes.length}${changes.length === 100 ? '+' : ''})`}
      icon={History}
      id="changes"
    >
      {changes.length === 0 ? (
        <p className="text-muted-foreground">Nothing changed on this agent’s timeline since then.</p>
      ) : (
        <EventList
          events={changes}
          readerId={actor.id}
          loadDetails={eventDetailsAction}
          label="Events since the last review, newest first"
          scrollable
        />
      )}
    </Section>
  );
}
