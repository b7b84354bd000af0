import { RelativeTime } from '@/components/ui/relative-time';
import { StatusBadge } from '@/components/ui/status-badge';
import type { latestVerification } from '@/lib/audit/integrity';

type Integrity = Awaited<ReturnType<typeof latestVerification>>;

/** The latest chain verification: verified up to seq N at time T with the head hash, or the first broken seq. */
export function IntegrityBadge({ integrity }: { integrity: Integrity }) {
  const { verification: v, lastFull, checkpoint, archived, signing, forged } = integrity;
  return (
    <div className="flex flex-col gap-1 text-sm" data-testid="integrity">
      {!v ? (
        <StatusBadge spec={{ tone: 'neutral', label: 'Not verified yet', icon: 'shield-question' }} />
      ) : forged ? (
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge spec={{ tone: 'danger', label: 'Result not signed by Custodian', icon: 'shield-alert' }} />
          <span className="text-danger">
            The latest recorded verification carries no valid signature: it was written around Custodian. Verify now.
          </span>
        </span>
      ) : v.ok ? (
        <span className="flex flex-wrap items-center gap-2">
          {signing ? (
            <StatusBadge
              spec={{ tone: 'success', label: `Verified up to seq ${v.throughSeq}`, icon: 'shield-check' }}
            />
          ) : (
            // Hashes alone: a database writer could rewrite them all. Said plainly, not shown as green.
            <StatusBadge
              spec={{ tone: 'warning', label: `Unsigned · hashes hold to seq ${v.throughSeq}`, icon: 'shield-alert' }}
            />
          )}
          <span className="text-muted-foreground">
            <RelativeTime value={v.verifiedAt} /> · {v.checkpointsVerified} signed checkpoint(s) hold
          </span>
        </span>
      ) : v.brokenSeq === null ? (
        // Nothing found broken, but a check was not made (a witness that did not answer): never shown as passing.
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge spec={{ tone: 'warning', label: 'Not verified', icon: 'shield-alert' }} />
          <span className="text-danger">{v.reason}</span>
        </span>
      ) : (
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge spec={{ tone: 'danger', label: `Broken at seq ${v.brokenSeq}`, icon: 'shield-alert' }} />
          <span className="text-danger">{v.reason}</span>
        </span>
      )}
      {v && !forged ? (
        <span className="text-xs text-muted-foreground" data-testid="verification-scope">
          {v.mode === 'incremental'
            ? `Incremental: seqs ${v.fromSeq.toLocaleString('en')}–${v.throughSeq.toLocaleString('en')} (after a ` +
              'signed checkpoint an earlier run verified)' +
              (v.sampleFromSeq !== null && v.sampleToSeq !== null
                ? ` and a sample of older ones, seqs ${v.sampleFromSeq.toLocaleString('en')}–` +
                  `${v.sampleToSeq.toLocaleString('en')}`
                : '') +
              '.'
            : `Full: every event from seq 1 (${v.eventCount.toLocaleString('en')} read).`}{' '}
          {v.mode === 'incremental' && lastFull ? (
            <>
              Last full verification <RelativeTime value={lastFull.verifiedAt} />
              {lastFull.ok ? '.' : ' (it failed).'}
            </>
          ) : null}
        </span>
      ) : null}
      {v?.ok && v.headHash ? (
        <span className="font-mono text-xs break-all text-muted-foreground">
          head hash <span data-testid="verified-head-hash">{v.headHash}</span>
        </span>
      ) : null}
      {archived.length > 0 ? (
        <span className="text-xs text-muted-foreground" data-testid="archived-ranges">
          Archived (out of the database, each covered by a signed manifest):{' '}
          {archived.map((a) => `seqs ${a.fromSeq.toLocaleString('en')}–${a.toSeq.toLocaleString('en')}`).join(', ')}.
          Restore with <code>npm run db:partitions -- --restore</code>.
        </span>
      ) : null}
      <span className="text-xs text-muted-foreground">
        {checkpoint ? (
          <>
            Latest signed checkpoint: number {checkpoint.number.toString()}, seq {checkpoint.seq.toString()}, key{' '}
            {checkpoint.keyId}, <RelativeTime value={checkpoint.signedAt} />
          </>
        ) : signing ? (
          'No checkpoint signed yet.'
        ) : (
          'Unsigned: no signing key is configured (AUDIT_SIGNING_KEY), so nothing is signed.'
        )}
      </span>
    </div>
  );
}
