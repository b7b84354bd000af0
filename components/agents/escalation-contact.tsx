import type { EscalationContactView } from '@/lib/escalation/queries';

/** An agent's escalation contact as people read it (the agent, exception and break-glass pages show the same). */
export function EscalationContactCard({
  contact,
  required,
}: {
  contact: EscalationContactView | null;
  required: boolean;
}) {
  if (!contact) {
    return (
      <p className={required ? 'text-danger' : 'text-muted-foreground'} data-testid="escalation-contact">
        {required
          ? 'Nobody to page: a HIGH or CRITICAL agent needs an escalation contact before it goes into service.'
          : 'No escalation contact yet.'}
      </p>
    );
  }
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="escalation-contact">
      <dt className="text-muted-foreground">Who is paged</dt>
      <dd className="font-medium">
        {contact.name}
        {contact.user ? (
          <span className="text-muted-foreground">
            {' '}
            ({contact.user.name ?? contact.user.id}
            {contact.user.active
              ? contact.user.email
                ? `, ${contact.user.email}`
                : ''
              : ', deactivated: reaches nobody'}
            )
          </span>
        ) : null}
      </dd>
      {contact.email ? (
        <>
          <dt className="text-muted-foreground">E-mail</dt>
          <dd>
            <a href={`mailto:${contact.email}`} className="text-primary underline-offset-2 hover:underline">
              {contact.email}
            </a>
          </dd>
        </>
      ) : null}
      {contact.phone ? (
        <>
          <dt className="text-muted-foreground">Phone</dt>
          <dd>{contact.phone}</dd>
        </>
      ) : null}
      {contact.pagerUrl ? (
        <>
          <dt className="text-muted-foreground">Pager</dt>
          <dd className="break-all">
            <a href={contact.pagerUrl} rel="noreferrer" className="text-primary underline-offset-2 hover:underline">
              {contact.pagerUrl}
            </a>
          </dd>
        </>
      ) : null}
      <dt className="text-muted-foreground">Hours</dt>
      <dd>{contact.coverage}</dd>
    </dl>
  );
}
