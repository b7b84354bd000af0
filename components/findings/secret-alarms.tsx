import { KeyRound } from 'lucide-react';
import Link from 'next/link';
import { RelativeTime } from '@/components/ui/relative-time';
import type { SecretAlarm } from '@/lib/secrets/alarms';

/** Secrets refused about no agent: not a finding of any agent, still a value to rotate. */
export function SecretAlarms({ alarms }: { alarms: SecretAlarm[] }) {
  if (alarms.length === 0) return null;
  return (
    <section aria-labelledby="secret-alarms" className="rounded-md border border-danger/40 p-3 text-sm">
      <h2 id="secret-alarms" className="flex items-center gap-2 font-medium">
        <KeyRound aria-hidden className="size-4" /> Secrets pasted into Custodian, not tied to an agent (30 days)
      </h2>
      <p className="text-muted-foreground">
        Each was refused and stored nowhere, but it left its vault: treat it as leaked and rotate it.
      </p>
      <ul className="mt-2 flex flex-col gap-1">
        {alarms.map((a) => (
          <li key={a.seq.toString()} data-testid="secret-alarm">
            <RelativeTime value={a.at} /> · {a.by} · {a.fields.map((f) => `${f.field} (${f.ruleId})`).join(', ')} ·{' '}
            <Link href={`/timeline?before=${a.seq + 1n}`} className="text-primary underline underline-offset-2">
              on the timeline
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
