import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getRedactionView } from '@/lib/redactions/queries';
import { RedactForm } from './_components/redact-form';

export const metadata: Metadata = { title: 'Redact a field' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * One event's fields: what each holds, which were redacted and by which redaction. A security lead asks for a
 * leaked value to be redacted here; an auditor decides on Changes. The chain keeps each field's salted digest, so
 * it still verifies once the value is gone.
 */
export default async function RedactPage({ searchParams }: Props) {
  const { seq } = await searchParams;
  const actor = await requirePageAccess('audit.read', `/timeline/redact?seq=${encodeURIComponent(String(seq ?? ''))}`);
  const view = await getRedactionView(actor, typeof seq === 'string' ? seq : undefined);
  if (!view) notFound();
  const { event, fields, format } = view;
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title={`Event #${event.seq}`}
        description={
          "Each field of the event's details. A leaked value is redacted here by two people: a security lead " +
          'asks, an auditor decides.'
        }
      />
      <p className="flex flex-wrap items-center gap-2">
        <span>{event.sentence}</span>
        <RelativeTime value={event.occurredAt} />
        <Badge className="font-mono">{event.action}</Badge>
        <Link href="/timeline" className="text-sm text-primary underline-offset-2 hover:underline">
          Back to the timeline
        </Link>
      </p>
      {format < 2 ? (
        <p className="text-muted-foreground">
          This event predates chain format 2: its hash covers its values, so none can be redacted without breaking the
          chain.
        </p>
      ) : null}
      <table className="w-full max-w-3xl text-sm" aria-label="Fields of the event">
        <thead>
          <tr className="border-b text-left">
            <th className="py-1 pr-4 font-medium">Field</th>
            <th className="py-1 font-medium">Value</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => (
            <tr key={f.pointer} className="border-b align-top" data-pointer={f.pointer}>
              <td className="py-1 pr-4 font-mono">{f.pointer || '/'}</td>
              <td className="py-1 break-all">
                {f.redactionId ? (
                  <Badge tone="neutral">Redacted · {f.redactionId}</Badge>
                ) : (
                  <>
                    <span className="font-mono">{f.value}</span>
                    {f.waiting ? (
                      <>
                        {' '}
                        <Badge tone="warning">Redaction waits for an auditor</Badge>
                      </>
                    ) : null}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {can(actor, 'audit.redact') ? (
        <section className="flex flex-col gap-2">
          <h2 className="font-semibold">Ask for a redaction</h2>
          <RedactForm seq={event.seq} fields={fields} />
        </section>
      ) : null}
    </div>
  );
}
