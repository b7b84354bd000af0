import { ShieldAlert, ShieldCheck } from 'lucide-react';
import { EmptyState } from '@/components/empty-state';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { Drift } from '@/lib/audit/drift';

const KIND = { role: 'Role', token: 'API token', setting: 'Setting' } as const;

/** Roles, tokens and settings that no event explains: changed in the database, outside Custodian. */
export function RegistryDrift({ drift }: { drift: Drift[] }) {
  return (
    <section aria-labelledby="registry-drift" className="mt-8 flex flex-col gap-3">
      <h2 id="registry-drift" className="text-lg font-semibold">
        Registry against its record
      </h2>
      <p className="text-sm text-muted-foreground">
        Every role, API token and setting is compared with the events that made it. The chain&apos;s verification proves
        the events; this finds rows changed in the database without one.
      </p>
      {drift.length === 0 ? (
        <EmptyState icon={ShieldCheck} title="Every role, API token and setting matches its record" />
      ) : (
        <>
          <p role="alert" className="inline-flex items-center gap-2 text-sm text-danger">
            <ShieldAlert aria-hidden className="size-4" />
            {`${drift.length} ${drift.length === 1 ? 'row was' : 'rows were'} changed outside Custodian. Treat it as ` +
              'an incident: find who has write access to the database, then put each row back through Custodian.'}
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
              {drift.map((d) => (
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
