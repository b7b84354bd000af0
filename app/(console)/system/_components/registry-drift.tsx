import { ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import { EmptyState } from '@/components/empty-state';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { RegistryCheckView } from '@/lib/audit/registry-check';
import { CheckNow } from './check-now';

const KIND = {
  role: 'Role',
  token: 'API token',
  setting: 'Setting',
  exception: 'Exception',
  credential: 'Credential',
  agent: 'Agent',
  purpose: 'Purpose',
  delegation: 'Delegation',
  review: 'Review',
  event: 'Audit event',
} as const;

const utcMinute = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const rowsChanged = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'row' : 'rows'} changed outside Custodian`;

/** The latest registry check: rows that no event explains, changed in the database. */
export function RegistryDrift({ view, canCheck }: { view: RegistryCheckView; canCheck: boolean }) {
  const { latest: check, deleted } = view;
  const count = check?.driftCount ?? 0;
  return (
    <section aria-labelledby="registry-drift" className="mt-8 flex flex-col gap-3">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex flex-col gap-1">
          <h2 id="registry-drift" className="text-lg font-semibold">
            Registry against its record
          </h2>
          <p className="max-w-3xl text-sm text-muted-foreground">
            Every role, API token, setting, exception in force, credential (its last rotation too), agent (its next
            review too), purpose, delegation and review is compared with the events that made it. The chain&apos;s
            verification proves the events; this finds rows changed in the database without one. It runs every hour.
          </p>
        </div>
        {canCheck ? <CheckNow /> : null}
      </div>
      {deleted ? (
        <p role="alert" className="inline-flex items-center gap-2 text-sm text-danger">
          <ShieldAlert aria-hidden className="size-4" />
          {/* A fixed time, not a relative one: an alert whose text changes is read out again each time. */}
          {`The audit chain records a check at ${utcMinute(deleted.recordedAt)} (event #${deleted.seq}) whose result ` +
            'is gone: results were deleted in the database.' +
            (deleted.driftCount === null ? '' : ` That check found ${rowsChanged(deleted.driftCount)}.`) +
            (canCheck ? ' Check now, and treat it as an incident.' : ' Treat it as an incident.')}
        </p>
      ) : null}
      {check === null ? (
        deleted ? null : (
          <EmptyState icon={ShieldQuestion} title="Not checked yet">
            The first scheduled check runs within the hour{canCheck ? ', or check now' : ''}.
          </EmptyState>
        )
      ) : (
        <>
          <p className="text-sm text-muted-foreground">
            Checked <RelativeTime value={check.checkedAt} /> in {(check.durationMs / 1000).toFixed(1)} s.
          </p>
          {check.stale ? (
            <p role="alert" className="inline-flex items-center gap-2 text-sm text-danger">
              <ShieldAlert aria-hidden className="size-4" />
              The check has not run for over three hours: its job is not running (see its row above), or its newer
              results were deleted. Check now, and find out why.
            </p>
          ) : null}
          {!check.vouched ? (
            <p role="alert" className="inline-flex items-center gap-2 text-sm text-danger">
              <ShieldAlert aria-hidden className="size-4" />
              This result is not one Custodian signed: it was written in the database. Check now, and treat it as an
              incident.
            </p>
          ) : null}
          {count === 0 ? (
            <EmptyState
              icon={ShieldCheck}
              title={
                'Every role, API token, setting, exception in force, credential, agent, purpose, delegation and ' +
                'review matches its record'
              }
            />
          ) : (
            <>
              <p role="alert" className="inline-flex items-center gap-2 text-sm text-danger">
                <ShieldAlert aria-hidden className="size-4" />
                {`${count.toLocaleString('en')} ${count === 1 ? 'row was' : 'rows were'} changed outside Custodian` +
                  (check.unrecorded > 0 ? ` (${check.unrecorded.toLocaleString('en')} with no event at all)` : '') +
                  '. Treat it as an incident: find who has write access to the database, then put each row back ' +
                  'through Custodian. Rows from before their events were recorded are the owner’s to vouch for ' +
                  '(npm run audit:baseline).' +
                  (count > check.rows.length
                    ? ` The first ${check.rows.length} are listed; npm run audit:verify prints every one.`
                    : '')}
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
                  {check.rows.map((d) => (
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
        </>
      )}
    </section>
  );
}
