'use client';

import { X } from 'lucide-react';
import Link from 'next/link';
import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Button } from '@/components/ui/button';
import { SpriteIcon } from '@/components/ui/sprite-icon';
import type { EventDetailsData } from '@/lib/audit/event-details';
import { INITIAL_ACTION_STATE, type ActionState } from '@/lib/http/action-state';
import { CONTROL_PLANE, valuesOf } from '@/lib/vocabulary';

/** What a list sends per event: the dialog asks for the rest when it opens. */
export type EventSummary = { seq: string; action: string; sentence: string; ref: string };

/** The server action that reads an event's details (app/(console)/timeline/actions.ts). */
export type LoadEventDetails = (
  state: ActionState,
  formData: FormData,
) => Promise<ActionState & { result?: EventDetailsData }>;

type Loaded =
  | { status: 'idle' | 'loading' }
  | { status: 'loaded'; event: EventDetailsData }
  | { status: 'failed'; message: string };

/**
 * The raw event behind a sentence: its JSON, who owned the agent then, and its place in the chain. Read when the
 * dialog first opens, not with the page: a page lists dozens of events and each is kilobytes of fields.
 */
export function EventDetails({
  event,
  load,
  fieldsHref,
}: {
  event: EventSummary;
  load: LoadEventDetails;
  fieldsHref?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<Loaded>({ status: 'idle' });
  const titleId = `event-${event.seq}-title`;
  const fetchDetails = async () => {
    setLoaded({ status: 'loading' });
    const form = new FormData();
    form.set('seq', event.seq);
    form.set('ref', event.ref);
    try {
      const answer = await load(INITIAL_ACTION_STATE, form);
      setLoaded(
        answer.ok && answer.result
          ? { status: 'loaded', event: answer.result }
          : { status: 'failed', message: answer.message ?? 'The event could not be read.' },
      );
    } catch {
      setLoaded({ status: 'failed', message: 'The event could not be read: check the connection and open it again.' });
    }
  };
  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        onClick={() => {
          // Rendered before it is shown, so the dialog opens with its content and focus lands inside it.
          flushSync(() => setOpen(true));
          dialog.current?.showModal();
          if (loaded.status === 'idle' || loaded.status === 'failed') void fetchDetails();
        }}
        aria-label={`Details of event ${event.seq}`}
      >
        <SpriteIcon name="file-json" className="size-4" /> Details
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={open ? titleId : undefined}
        className={
          'm-0 ml-auto h-full max-h-none w-full max-w-xl overflow-y-auto border-l bg-background p-5 ' +
          'text-foreground backdrop:bg-black/40'
        }
        onClick={(e) => {
          if (e.target === dialog.current) dialog.current?.close();
        }}
        onClose={() => setOpen(false)}
      >
        {open ? (
          <EventBody
            event={event}
            loaded={loaded}
            titleId={titleId}
            fieldsHref={fieldsHref}
            close={() => dialog.current?.close()}
          />
        ) : null}
      </dialog>
    </>
  );
}

function EventBody({
  event,
  loaded,
  titleId,
  fieldsHref,
  close,
}: {
  event: EventSummary;
  loaded: Loaded;
  titleId: string;
  fieldsHref?: string;
  close: () => void;
}) {
  return (
    <>
      <div className="flex items-start justify-between gap-3">
        <h2 id={titleId} className="font-semibold">
          Event #{event.seq}: <span className="font-mono">{event.action}</span>
        </h2>
        <Button variant="ghost" size="sm" onClick={close} aria-label="Close">
          <X aria-hidden className="size-4" />
        </Button>
      </div>
      <p className="mt-2">{event.sentence}</p>
      {fieldsHref ? (
        <p className="mt-2 text-sm">
          <Link href={fieldsHref} className="text-primary underline-offset-2 hover:underline">
            Each field, and its redactions
          </Link>
        </p>
      ) : null}
      {loaded.status === 'loaded' ? (
        <EventFields event={loaded.event} />
      ) : loaded.status === 'failed' ? (
        <p role="alert" className="mt-4 text-sm text-danger">
          {loaded.message}
        </p>
      ) : (
        <p role="status" className="mt-4 text-sm text-muted-foreground">
          Reading the event…
        </p>
      )}
    </>
  );
}

function EventFields({ event }: { event: EventDetailsData }) {
  const { prevHash, hash, owners, ...raw } = event;
  const rawEvent = { ...raw, owners };
  return (
    <>
      <dl className="mt-4 grid gap-2 text-xs">
        <dt className="font-medium">Hash</dt>
        <dd className="font-mono break-all" data-testid="event-hash">
          {hash}
        </dd>
        <dt className="font-medium">Previous hash</dt>
        <dd className="font-mono break-all" data-testid="event-prev-hash">
          {prevHash}
        </dd>
      </dl>
      <h3 className="mt-4 text-sm font-medium">Accountable when it happened</h3>
      <OwnersAtTheTime owners={owners} />
      <h3 className="mt-4 text-sm font-medium">Raw event</h3>
      <pre className="mt-1 overflow-x-auto rounded bg-muted p-2 text-xs" data-testid="event-json">
        {JSON.stringify(rawEvent, null, 2)}
      </pre>
    </>
  );
}

type PersonRef = { id?: string; name?: string | null; active?: boolean } | null | undefined;

/** The owners snapshot stored with the event, as people and their responsibilities (the JSON is in the raw event). */
function OwnersAtTheTime({ owners }: { owners: unknown }) {
  if (!owners || typeof owners !== 'object') {
    return <p className="mt-1 text-xs text-muted-foreground">Not about one agent: no owners recorded.</p>;
  }
  const snapshot = owners as Record<string, PersonRef>;
  const rows: [string, PersonRef][] = [
    ['Accountable owner', snapshot.accountable],
    ...valuesOf(CONTROL_PLANE).map((plane): [string, PersonRef] => [
      `${CONTROL_PLANE[plane].label} owner`,
      snapshot[plane],
    ]),
  ];
  return (
    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="owners-at-the-time">
      {rows.map(([role, person]) => (
        <div key={role} className="contents">
          <dt className="text-muted-foreground">{role}</dt>
          <dd>
            {person ? (
              <>
                {person.name ?? 'Unnamed person'}
                {person.active === false ? <span className="text-muted-foreground"> (deactivated then)</span> : null}
              </>
            ) : (
              <span className="text-danger">Nobody</span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
