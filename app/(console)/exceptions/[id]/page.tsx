import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { EscalationContactCard } from '@/components/agents/escalation-contact';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { RelativeTime } from '@/components/ui/relative-time';
import { ExceptionStatusBadge, RiskTierBadge } from '@/components/vocabulary';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getEscalationContact } from '@/lib/escalation/queries';
import { needsEscalation } from '@/lib/escalation/rules';
import { getExceptionDetail } from '@/lib/exceptions/queries';
import { rotationMissing } from '@/lib/exceptions/rotation';
import { exceptionStatusNow } from '@/lib/exceptions/status';
import type { ExceptionStatus } from '@/lib/generated/prisma/enums';
import { DECISION_OUTCOME, EXCEPTION_TYPE, labelOf } from '@/lib/vocabulary';
import { DecideControls, RevokeControl, WithdrawControl } from '../_components/decision-controls';
import { ExpiresIn } from '../_components/expires-in';

export const metadata: Metadata = { title: 'Exception' };

type Owners = Record<'accountable' | 'IAM' | 'PAM' | 'PLATFORM', { name: string | null } | null> | null;

export default async function ExceptionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageAccess('agent.read', `/exceptions/${id}`);
  const e = await getExceptionDetail(actor, id);
  if (!e) notFound();
  const escalation = await getEscalationContact(actor, e.agentId);
  const status = exceptionStatusNow(e);
  const isRequester = e.requestedBy.id === actor.id;
  const alreadyDecided = e.decisions.some((d) => d.decider.id === actor.id);
  const ownersThen = (e.events[0]?.owners ?? null) as Owners;
  return (
    <div className="flex max-w-4xl flex-col gap-4">
      <div>
        <div className="text-xs text-muted-foreground">
          <Link href="/exceptions" className="underline underline-offset-2">
            Exceptions
          </Link>
        </div>
        <h1 className="mt-1 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
          {labelOf(EXCEPTION_TYPE, e.type)} for {e.agent.name} <RiskTierBadge tier={e.agent.riskTier} />{' '}
          <ExceptionStatusBadge status={status} />
        </h1>
        <p className="mt-1 text-muted-foreground">
          Requested by {e.requestedBy.name} <RelativeTime value={e.createdAt} />
          {e.credentials.length > 0 ? (
            <>
              {' '}
              covering {e.credentials.length === 1 ? 'credential' : 'credentials'}{' '}
              <span className="font-mono">{e.credentials.map((c) => c.credential.name).join(', ')}</span>
            </>
          ) : null}
          . <WindowSentence exception={e} status={status} />
        </p>
        {e.noCredentialReason ? (
          <p className="mt-1" data-testid="no-credential-reason">
            Covers no credential: {e.noCredentialReason}
          </p>
        ) : null}
      </div>
      {e.postIncidentReview ? (
        <p role="note" className="rounded-md border px-3 py-2">
          This break-glass has ended.{' '}
          <Link href={`/reviews/${e.postIncidentReview.id}`} className="text-primary underline underline-offset-2">
            {e.postIncidentReview.completedAt ? 'Its post-incident review' : 'Its post-incident review is open'}
          </Link>
          {e.postIncidentReview.completedAt ? ' was completed.' : '.'}
        </p>
      ) : null}
      {e.awaitingRotation.length > 0 ? (
        <p
          role="note"
          data-testid="awaiting-rotation"
          className="rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-warning"
        >
          Break-glass ended, {rotationMissing(e.awaitingRotation)}: rotate (or revoke) each and record it on the{' '}
          <Link href={`/agents/${e.agent.slug}`} className="underline">
            agent’s page
          </Link>
          . Until then the agent carries a finding and its post-incident review cannot certify.
        </p>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Justification</CardTitle>
        </CardHeader>
        <CardContent>
          <p className="whitespace-pre-wrap">{e.justification}</p>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Escalation</CardTitle>
          <span className="text-muted-foreground">Who is paged for {e.agent.name}</span>
        </CardHeader>
        <CardContent>
          <EscalationContactCard contact={escalation} required={needsEscalation(e.agent.riskTier)} />
        </CardContent>
      </Card>

      {status === 'PENDING' ? (
        <Card>
          <CardHeader>
            <CardTitle>Decision</CardTitle>
            <span className="text-muted-foreground">
              {e._count.decisions} of {e.requiredApprovals} approvals
            </span>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            {isRequester ? (
              <p role="note" className="rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-warning">
                You requested this exception, so you cannot approve it: separation of duties. A PAM approver other than
                you decides.
              </p>
            ) : alreadyDecided ? (
              <p role="note" className="text-muted-foreground">
                You have decided this request; it waits for another approver.
              </p>
            ) : can(actor, 'exception.decide') ? (
              <DecideControls exceptionId={e.id} approvalsNeeded={e.requiredApprovals} />
            ) : (
              <p className="text-muted-foreground">A PAM approver decides this request.</p>
            )}
            {isRequester ? <WithdrawControl exceptionId={e.id} /> : null}
          </CardContent>
        </Card>
      ) : null}

      {status === 'APPROVED' && can(actor, 'exception.revoke') ? (
        <Card>
          <CardHeader>
            <CardTitle>End it early</CardTitle>
          </CardHeader>
          <CardContent>
            <RevokeControl exceptionId={e.id} />
          </CardContent>
        </Card>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>Decisions</CardTitle>
        </CardHeader>
        <CardContent>
          {e.decisions.length === 0 ? (
            <p className="text-muted-foreground">No decision yet.</p>
          ) : (
            <ul className="divide-y">
              {e.decisions.map((d) => (
                <li key={d.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                  <span>
                    <Badge tone={d.outcome === 'APPROVE' ? 'success' : 'danger'}>
                      {labelOf(DECISION_OUTCOME, d.outcome)}
                    </Badge>{' '}
                    {d.decider.name}: “{d.reason}”
                  </span>
                  <RelativeTime value={d.decidedAt} />
                </li>
              ))}
            </ul>
          )}
          {e.revokedAt ? (
            <p className="mt-2">
              Revoked by {e.revokedBy?.name} <RelativeTime value={e.revokedAt} />: “{e.revokeReason}”
            </p>
          ) : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Timeline</CardTitle>
          {ownersThen ? (
            <span className="text-xs text-muted-foreground">
              Owners when requested: {ownersThen.accountable?.name ?? 'none'} (accountable),{' '}
              {ownersThen.PAM?.name ?? 'none'} (PAM)
            </span>
          ) : null}
        </CardHeader>
        <CardContent>
          <ol className="divide-y">
            {e.events.map((ev) => (
              <li key={ev.seq.toString()} className="flex justify-between py-1.5">
                <Badge>{ev.action}</Badge>
                <span className="text-xs text-muted-foreground">
                  #{ev.seq.toString()} · <RelativeTime value={ev.occurredAt} />
                </span>
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
    </div>
  );
}

/** What the window is now: a live countdown only while it is in force, never for one that ended. */
function WindowSentence({
  exception: e,
  status,
}: {
  exception: { expiresAt: Date; revokedAt: Date | null; endedAt: Date | null };
  status: ExceptionStatus;
}) {
  switch (status) {
    case 'APPROVED':
      return <ExpiresIn at={e.expiresAt} />;
    case 'PENDING':
      return (
        <>
          The requested window would end <RelativeTime value={e.expiresAt} />.
        </>
      );
    case 'EXPIRED':
      return (
        <>
          Its window ended <RelativeTime value={e.endedAt ?? e.expiresAt} />.
        </>
      );
    case 'REVOKED':
      return e.revokedAt ? (
        <>
          Revoked <RelativeTime value={e.revokedAt} />, before its window ended.
        </>
      ) : (
        <>Revoked before its window ended.</>
      );
    default:
      return null;
  }
}
