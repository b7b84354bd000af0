import { ShieldAlert, ShieldCheck } from 'lucide-react';
import { EmptyState } from '@/components/empty-state';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { Drift } from '@/lib/audit/drift';

/** Rows listed; the alert counts them all. */
const SHOWN = 200;
const KIND = { role: 'Role', token: 'API token', setting: 'Setting', exception: 'Exception' } as const;

/** Roles, tokens, settings and exceptions in force that no event explains: changed in the database. */
export function RegistryDrift({ drift }: { drift: Drift[] }) {
  return (
    <section aria-labelledby="registry-drift" className="mt-8 flex flex-col gap-3">
      <h2 id="registry-drift" className="text-lg font-semibold">
        Registry against its record
      </h2>
      <p className="text-sm text-muted-foreground">
        Every role, API token, setting and exception in force is compared with the events that made it. The chain&apos;s
        verification proves the events; this finds rows changed in the database without one.
      </p>
      {drift.length === 0 ? (
        <EmptyState
          icon={ShieldCheck}
          title="Every role, API token, setting and exception in force matches its record"
        />
      ) : (
        <>
          <p role="alert" className="inline-flex items-center gap-2 text-sm text-danger">
            <ShieldAlert aria-hidden className="size-4" />
            {`${drift.length} ${drift.length === 1 ? 'row was' : 'rows were'} changed outside Custodian. Treat it as ` +
              'an incident: find who has write access to the database, then put each row back through Custodian.' +
              (drift.length > SHOWN ? ` The first ${SHOWN} are listed; npm run audit:verify prints every one.` : '')}
          </p>
          <Table aria-label="Rows changed outside Custodian">
            <THead>
              <TR>
                <TH>What</TH>
                <TH>Which</TH>
                <TH>Problem</TH>
              </TR>
            </THead>
            <TBody>
              {drift.slice(0, SHOWN).map((d) => (
                <TR key={`${d.kind}:${d.id}`}>
                  <TD>
                    <Badge tone="danger">{KIND[d.kind]}</Badge>
                  </TD>
                  <TD className="font-medium">{d.subject}</TD>
                  <TD className="text-sm">{d.problem}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </>
      )}
    </section>
  );
}
