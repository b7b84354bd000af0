import { KeyRound, ShieldAlert, Target, Users } from 'lucide-react';
import Link from 'next/link';
import { PersonCell } from '@/components/person-cell';
import { Section } from '@/components/section';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { ExceptionStatusBadge, PurposeStatusBadge } from '@/components/vocabulary';
import type { ReviewDetail } from '@/lib/reviews/queries';
import {
  CONTROL_PLANE,
  CREDENTIAL_KIND,
  CREDENTIAL_STORAGE,
  ENVIRONMENT,
  EXCEPTION_TYPE,
  ISSUANCE,
  labelOf,
  valuesOf,
  wordOf,
} from '@/lib/vocabulary';

/** What the reviewer certifies, now: purposes, owners, unrevoked credentials and open exceptions. */
export function AgentStateSections({ detail }: { detail: ReviewDetail }) {
  const { agent } = detail;
  const holder = (plane: string) => agent.controlAssignments.find((a) => a.plane === plane)?.user ?? null;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Section title="Purposes in effect or pending" icon={Target} id="purposes">
        {agent.purposes.length === 0 ? (
          <p className="text-muted-foreground">No purpose: an agent in service needs an approved one.</p>
        ) : (
          <ul className="divide-y">
            {agent.purposes.map((p) => (
              <li key={p.id} className="py-1.5">
                <span className="font-medium">{p.task}</span> <PurposeStatusBadge status={p.status} />
                <span className="block text-xs text-muted-foreground">
                  {p.scope.join(', ') || 'no tools listed'} ·{' '}
                  {p.environments.map((e) => labelOf(ENVIRONMENT, e)).join(', ')}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Owners" icon={Users} id="owners">
        <dl className="divide-y">
          <div className="flex justify-between py-1.5">
            <dt>Accountable owner</dt>
            <dd>
              <PersonCell person={agent.owner} missing="No owner" />
            </dd>
          </div>
          {valuesOf(CONTROL_PLANE).map((p) => (
            <div key={p} className="flex justify-between py-1.5">
              <dt>{labelOf(CONTROL_PLANE, p)}</dt>
              <dd>
                <PersonCell person={holder(p)} />
              </dd>
            </div>
          ))}
        </dl>
      </Section>
      <Section title={`Credentials (${agent.credentials.length} unrevoked)`} icon={KeyRound} id="credentials">
        {agent.credentials.length === 0 ? (
          <p className="text-muted-foreground">No unrevoked credential.</p>
        ) : (
          <ul className="divide-y">
            {agent.credentials.map((c) => (
              <li key={c.id} className="py-1.5">
                <span className="font-mono">{c.name}</span>{' '}
                {c.privileged ? <Badge tone="warning">privileged</Badge> : null}
                <span className="block text-xs text-muted-foreground">
                  {labelOf(CREDENTIAL_KIND, c.kind)} · {wordOf(ISSUANCE, c.issuance)} · stored in{' '}
                  {wordOf(CREDENTIAL_STORAGE, c.storage)} · {labelOf(ENVIRONMENT, c.environment)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={`Open exceptions (${agent.exceptions.length})`} icon={ShieldAlert} id="exceptions">
        {agent.exceptions.length === 0 ? (
          <p className="text-muted-foreground">No exception pending or in force.</p>
        ) : (
          <ul className="divide-y">
            {agent.exceptions.map((x) => (
              <li key={x.id} className="py-1.5">
                <Link href={`/exceptions/${x.id}`} className="text-primary underline-offset-2 hover:underline">
                  {labelOf(EXCEPTION_TYPE, x.type)}
                  {x.credentials.length > 0 ? ` · ${x.credentials.map((c) => c.credential.name).join(', ')}` : ''}
                </Link>{' '}
                <ExceptionStatusBadge status={x.status} />
                <span className="block text-xs text-muted-foreground">
                  ends <RelativeTime value={x.expiresAt} /> · {x.justification}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
