import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import type { TimelineEvent } from '@/lib/audit';
import { eventRef } from '@/lib/audit/event-details';
import { EventDetails, type LoadEventDetails } from './event-details';

/**
 * Events as sentences, newest first, each with its raw JSON and hashes a click away (fetched when opened, with a
 * reference that lets this reader open exactly these events).
 */
export function EventList({
  events,
  readerId,
  loadDetails,
  label,
  scrollable = false,
  linkFields = false,
}: {
  events: TimelineEvent[];
  readerId: string;
  /** The action that reads an event's details (eventDetailsAction). */
  loadDetails: LoadEventDetails;
  label: string;
  scrollable?: boolean;
  /** Link each event to its fields page (where redactions are asked for and shown): for readers of the timeline. */
  linkFields?: boolean;
}) {
  return (
    <ol
      aria-label={label}
      className={scrollable ? 'max-h-96 divide-y overflow-y-auto' : 'divide-y'}
      tabIndex={scrollable ? 0 : undefined}
    >
      {events.map((e) => (
        <li key={e.seq} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2" data-action={e.action}>
          <span className="min-w-0 flex-1">
            {e.sentence}
            <span className="ml-2 inline-flex flex-wrap gap-1 align-middle">
              <Badge className="font-mono">{e.action}</Badge>
              {e.agent ? (
                <Link
                  href={`/agents/${e.agent.slug}`}
                  className="text-xs text-primary underline-offset-2 hover:underline"
                >
                  {e.agent.slug}
                </Link>
              ) : null}
            </span>
          </span>
          <span className="text-xs whitespace-nowrap text-muted-foreground">
            #{e.seq} · <RelativeTime value={e.occurredAt} />
          </span>
          <EventDetails
            event={{ seq: e.seq, action: e.action, sentence: e.sentence, ref: eventRef(readerId, e.seq) }}
            load={loadDetails}
            fieldsHref={linkFields ? `/timeline/redact?seq=${e.seq}` : undefined}
          />
        </li>
      ))}
    </ol>
  );
}
