import { CalendarCheck, History, KeyRound, ShieldAlert, Target, Users } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PersonCell } from '@/components/person-cell';
import { DueBadge, TriggerBadges } from '@/components/reviews/review-badges';
import { Section } from '@/components/section';
import { EventList } from '@/components/timeline/event-list';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import {
  AgentStatusBadge,
  ExceptionStatusBadge,
  OutcomeBadge,
  PurposeStatusBadge,
  RiskTierBadge,
} from '@/components/vocabulary';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import type { ControlPlane } from '@/lib/generated/prisma/enums';
import { daysOverdue, localDay } from '@/lib/reviews/cadence';
import { getReviewDetail, listEligibleReviewers } from '@/lib/reviews/queries';
import {
  CONTROL_PLANE,
  CREDENTIAL_KIND,
  CREDENTIAL_STORAGE,
  ENVIRONMENT,
  EXCEPTION_TYPE,
  ISSUANCE,
  labelOf,
  PURPOSE_STATUS,
  wordOf,
} from '@/lib/vocabulary';
import { AssignReviewerForm, CompleteReviewForm } from './_components/review-controls';

export const metadata: Metadata = { title: 'Review' };

type Props = { params: Promise<{ id: string }> };

export default async function ReviewPage({ params }: Props) {
  const { id } = await params;
  const actor = await requirePageAccess('agent.read', `/reviews/${id}`);
  const detail = await getReviewDetail(actor, id);
  if (!detail) notFound();
  const { review, agent, changes, decision, lastReviewedAt, completionProblem, reviewerProblem, timeZone } = detail;
  const open = !review.completedAt;
  const reviewers = open && can(actor, 'ownership.assign') ? await listEligibleReviewers(actor, agent) : null;
  const plane = (p: ControlPlane) => agent.controlAssignments.find((a) => a.plane === p)?.user ?? null;
  const now = new Date();

  return (
    <div className="flex flex-col gap-4">
      <div>
        <div className="text-xs text-muted-foreground">
          <Link href="/reviews" className="underline underline-offset-2">
            Reviews
          </Link>{' '}
          / <span className="font-mono">{agent.slug}</span>
        </div>
        <h1 className="mt-1 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
          Review of{' '}
          <Link href={`/agents/${agent.slug}`} className="text-primary underline-offset-2 hover:underline">
            {agent.name}
          </Link>
          <AgentStatusBadge status={agent.status} /> <RiskTierBadge tier={agent.riskTier} />
        </h1>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-muted-foreground">
          <TriggerBadges triggers={review.triggers} />
          {open ? (
            <DueBadge dueAt={review.dueAt} daysOverdue={daysOverdue(review.dueAt, now, timeZone)} timeZone={timeZone} />
          ) : review.outcome ? (
            <OutcomeBadge outcome={review.outcome} />
          ) : null}
          {review.campaign ? (
            <span>
              in campaign{' '}
              <Link
                href={`/reviews/campaigns/${review.campaign.id}`}
                className="text-primary underline underline-offset-2"
              >
                {review.campaign.name}
              </Link>
            </span>
          ) : null}
          <span>· last reviewed {lastReviewedAt ? <RelativeTime value={lastReviewedAt} /> : 'never'}</span>
        </div>
      </div>

      <Section title="Reviewer" icon={Users} id="reviewer">
        <p>
          <PersonCell person={review.reviewer} missing="Unassigned" />
          {review.completedAt ? (
            <span className="text-muted-foreground">
              {' '}
              — completed by {review.completedBy?.name} <RelativeTime value={review.completedAt} />
            </span>
          ) : null}
        </p>
        {reviewerProblem ? <p className="mt-1 text-danger">{reviewerProblem}</p> : null}
        {reviewers ? (
          <div className="mt-3">
            <AssignReviewerForm
              reviewId={review.id}
              version={review.version}
              people={reviewers}
              current={review.reviewer?.id ?? null}
            />
          </div>
        ) : null}
      </Section>

      {!open ? (
        <Section title="Decision" icon={CalendarCheck} id="decision">
          <p className="flex flex-wrap items-center gap-2" data-testid="review-decision">
            {review.outcome ? <OutcomeBadge outcome={review.outcome} /> : null} by {review.completedBy?.name}
            {decision?.nextReviewDue ? (
              <span className="text-muted-foreground">
                · next review due {localDay(new Date(decision.nextReviewDue), timeZone)}
              </span>
            ) : null}
          </p>
          <p className="mt-2 whitespace-pre-wrap">{review.notes}</p>
          {decision?.reductions ? (
            <ul className="mt-2 list-inside list-disc text-muted-foreground">
              {decision.reductions.purposes.map((p) => (
                <li key={p.id}>Purpose expired: {p.task}</li>
              ))}
              {decision.reductions.credentials.map((c) => (
                <li key={c.id}>Credential revoked: {c.name}</li>
              ))}
              {decision.reductions.exceptions.map((x) => (
                <li key={x.id}>Exception revoked: {labelOf(EXCEPTION_TYPE, x.type)}</li>
              ))}
            </ul>
          ) : null}
        </Section>
      ) : null}

      <Section
        title={`What changed since the last review (${changes.length}${changes.length === 100 ? '+' : ''})`}
        icon={History}
        id="changes"
      >
        {changes.length === 0 ? (
          <p className="text-muted-foreground">Nothing changed on this agent’s timeline since then.</p>
        ) : (
          <EventList events={changes} label="Events since the last review, newest first" scrollable />
        )}
      </Section>

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
            {(['IAM', 'PAM', 'PLATFORM'] as const).map((p) => (
              <div key={p} className="flex justify-between py-1.5">
                <dt>{labelOf(CONTROL_PLANE, p)}</dt>
                <dd>
                  <PersonCell person={plane(p)} />
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
                    {x.credential ? ` · ${x.credential.name}` : ''}
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

      {open ? (
        <Section title="Complete this review" icon={CalendarCheck} id="complete">
          {completionProblem ? (
            <p className="text-muted-foreground">{completionProblem}</p>
          ) : (
            <CompleteReviewForm
              reviewId={review.id}
              version={review.version}
              purposes={agent.purposes.map((p) => ({
                id: p.id,
                label: p.task,
                detail: `${labelOf(PURPOSE_STATUS, p.status)} · ${p.scope.join(', ')}`,
              }))}
              credentials={agent.credentials.map((c) => ({
                id: c.id,
                label: c.name,
                detail: `${labelOf(CREDENTIAL_KIND, c.kind)} · ${labelOf(ENVIRONMENT, c.environment)}`,
              }))}
              exceptions={agent.exceptions
                .filter((x) => x.status === 'APPROVED')
                .map((x) => ({ id: x.id, label: labelOf(EXCEPTION_TYPE, x.type), detail: x.credential?.name }))}
            />
          )}
        </Section>
      ) : null}
    </div>
  );
}
