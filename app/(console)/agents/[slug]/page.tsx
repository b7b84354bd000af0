import { CalendarCheck, History, KeyRound, ShieldAlert, TriangleAlert } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AccessDenied } from '@/components/access-denied';
import { AgentForm } from '@/components/agents/agent-form';
import { AgentStatusBadge, RiskTierBadge } from '@/components/agents/status-badges';
import { EmptyState } from '@/components/empty-state';
import { FindingsTable } from '@/components/findings/findings-table';
import { PersonCell } from '@/components/person-cell';
import { OutcomeBadge, TriggerBadges } from '@/components/reviews/review-badges';
import { Section } from '@/components/section';
import { EventList } from '@/components/timeline/event-list';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { getAgentBySlug, listActivePeople } from '@/lib/agents/queries';
import { listAgentEvents } from '@/lib/audit';
import { getPageAccess } from '@/lib/auth';
import { can, canOnAgent } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { findUnclosedBreakGlass, listEligibleApprovers } from '@/lib/exceptions/approvers';
import { exceptionStatusNow } from '@/lib/exceptions/status';
import { localDay } from '@/lib/reviews/cadence';
import { listFindings } from '@/lib/policy/findings';
import { getSettings } from '@/lib/settings';
import { updateAgentAction } from '../actions';
import { AssignControl, PurposeActions, PurposeForm, StatusControl } from './_components/agent-controls';
import { CredentialActions, IssueCredentialForm, RequestExceptionForm } from './_components/custody-controls';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).slug };
}

const PLANES = [
  { plane: 'IAM', label: 'IAM', what: 'Identity lifecycle: workload identity, issuance, rotation and revocation policy' },
  { plane: 'PAM', label: 'PAM', what: 'Privileged secret handling: approvals, session boundaries, break-glass' },
  { plane: 'PLATFORM', label: 'Platform security', what: 'Runtime enforcement: how the agent retrieves and uses credentials' },
] as const;

export default async function AgentPage({ params }: Props) {
  const { slug } = await params;
  const { actor, denied } = await getPageAccess('agent.read', `/agents/${slug}`);
  if (denied) return <AccessDenied reason={denied} />;
  const agent = await getAgentBySlug(actor, slug);
  if (!agent) notFound();
  const canAssign = can(actor, 'ownership.assign');
  const canWrite = canOnAgent(actor, 'agent.write', agent.owner?.id ?? null);
  const canCustody = canOnAgent(actor, 'credential.write', agent.owner?.id ?? null);
  const canRequest = canOnAgent(actor, 'exception.request', agent.owner?.id ?? null) && agent.status !== 'RETIRED';
  const [people, events, approvers, unclosed, settings, findings] = await Promise.all([
    canAssign ? listActivePeople(actor) : Promise.resolve([]),
    listAgentEvents(actor, agent.id, 30),
    canRequest ? listEligibleApprovers(actor, agent.id) : Promise.resolve([]),
    findUnclosedBreakGlass(agent.id),
    getSettings(getDb()),
    can(actor, 'findings.read') ? listFindings(actor, { agent: agent.slug }) : null,
  ]);
  const now = new Date();
  const openReview = agent.reviews.find((r) => !r.completedAt) ?? null;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <div className="text-xs text-muted-foreground">
            <Link href="/agents" className="underline underline-offset-2">
              Agents
            </Link>{' '}
            / <span className="font-mono">{agent.slug}</span>
          </div>
          <h1 className="mt-1 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
            {agent.name} <AgentStatusBadge status={agent.status} /> <RiskTierBadge tier={agent.riskTier} />
          </h1>
          {agent.description ? <p className="mt-1 max-w-3xl text-muted-foreground">{agent.description}</p> : null}
        </div>
      </div>
      <dl className="grid gap-3 rounded-lg border bg-card p-4 sm:grid-cols-2 lg:grid-cols-5">
        <div>
          <dt className="text-xs text-muted-foreground">Accountable owner</dt>
          <dd>
            <PersonCell person={agent.owner} missing="No owner" />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Workload identity</dt>
          <dd className="font-mono text-xs break-all">{agent.workloadIdentity ?? 'None'}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Environments</dt>
          <dd className="flex gap-1">
            {agent.environments.map((e) => (
              <Badge key={e}>{e.toLowerCase()}</Badge>
            ))}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Kind</dt>
          <dd>{agent.kind.replace('_', ' ').toLowerCase()}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Next review due</dt>
          <dd data-testid="next-review-due">
            {openReview ? (
              <Link href={`/reviews/${openReview.id}`} className="text-primary underline underline-offset-2">
                open, due {localDay(openReview.dueAt, settings.reviewTiming.timeZone)}
              </Link>
            ) : agent.nextReviewDue ? (
              <time dateTime={agent.nextReviewDue.toISOString()}>{localDay(agent.nextReviewDue, settings.reviewTiming.timeZone)}</time>
            ) : (
              'Not scheduled'
            )}
          </dd>
        </div>
      </dl>

      {canWrite ? (
        <Section title="Lifecycle" id="lifecycle">
          <StatusControl agentId={agent.id} version={agent.version} status={agent.status} />
        </Section>
      ) : null}

      {findings ? (
        <Section title={`Findings (${findings.total})`} icon={TriangleAlert} id="findings">
          {findings.total === 0 ? (
            <p className="text-muted-foreground">This agent passes every policy rule.</p>
          ) : (
            <FindingsTable findings={findings.findings} caption={`Open findings of ${agent.name}`} showAgent={false} />
          )}
        </Section>
      ) : null}

      <Section title="Owners" id="owners">
        <Table>
          <THead>
            <tr>
              <TH>Responsibility</TH>
              <TH>Person</TH>
              {canAssign ? <TH>Change</TH> : null}
            </tr>
          </THead>
          <TBody>
            <TR>
              <TD>
                <div className="font-medium">Accountable owner</div>
                <div className="text-xs text-muted-foreground">Answers for the agent and its access</div>
              </TD>
              <TD>
                <PersonCell person={agent.owner} missing="No owner" />
              </TD>
              {canAssign ? (
                <TD>
                  <AssignControl agentId={agent.id} version={agent.version} current={agent.owner?.id ?? null} people={people} label="accountable owner" />
                </TD>
              ) : null}
            </TR>
            {PLANES.map(({ plane, label, what }) => (
              <TR key={plane}>
                <TD>
                  <div className="font-medium">{label}</div>
                  <div className="text-xs text-muted-foreground">{what}</div>
                </TD>
                <TD>
                  <PersonCell person={agent.planes[plane]?.user ?? null} />
                </TD>
                {canAssign ? (
                  <TD>
                    <AssignControl agentId={agent.id} version={agent.version} plane={plane} current={agent.planes[plane]?.user.id ?? null} people={people} label={`${label} owner`} />
                  </TD>
                ) : null}
              </TR>
            ))}
          </TBody>
        </Table>
      </Section>

      <Section title="Approved purposes" id="purposes">
        {agent.purposes.length === 0 ? (
          <p className="mb-3 text-muted-foreground">No purpose yet. An agent needs an approved purpose before it can become active.</p>
        ) : (
          <div className="mb-4">
            <Table>
              <THead>
                <tr>
                  <TH>Task</TH>
                  <TH>Tools and systems</TH>
                  <TH>Environments</TH>
                  <TH>Status</TH>
                  {canWrite || canAssign ? <TH>Actions</TH> : null}
                </tr>
              </THead>
              <TBody>
                {agent.purposes.map((p) => (
                  <TR key={p.id}>
                    <TD>{p.task}</TD>
                    <TD>{p.scope.join(', ')}</TD>
                    <TD>{p.environments.map((e) => e.toLowerCase()).join(', ')}</TD>
                    <TD>
                      <Badge tone={p.status === 'APPROVED' ? 'success' : p.status === 'PENDING' ? 'warning' : 'neutral'}>{p.status.toLowerCase()}</Badge>
                    </TD>
                    {canWrite || canAssign ? (
                      <TD>
                        {p.status !== 'EXPIRED' ? (
                          <>
                            <PurposeActions purposeId={p.id} version={p.version} canApprove={p.status === 'PENDING' && can(actor, 'purpose.approve')} canExpire={canWrite} />
                            {canWrite ? (
                              <details className="mt-1">
                                <summary className="cursor-pointer text-xs text-primary underline underline-offset-2">Change this purpose</summary>
                                <div className="mt-2 w-80">
                                  <PurposeForm purpose={{ id: p.id, version: p.version, task: p.task, scope: p.scope, environments: p.environments }} />
                                </div>
                              </details>
                            ) : null}
                          </>
                        ) : null}
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          </div>
        )}
        {canWrite && agent.status !== 'RETIRED' ? (
          <details>
            <summary className="cursor-pointer text-primary underline underline-offset-2">Add a purpose</summary>
            <div className="mt-3 max-w-xl">
              <PurposeForm agentId={agent.id} />
            </div>
          </details>
        ) : null}
      </Section>

      <Section title="Credentials" icon={KeyRound} id="credentials">
        {agent.credentials.length === 0 ? (
          <EmptyState icon={KeyRound} title="No credentials recorded">
            Custody records (where each credential lives, how it is issued) appear here. Never the secret itself.
          </EmptyState>
        ) : (
          <Table>
            <THead>
              <tr>
                <TH>Name</TH>
                <TH>Kind</TH>
                <TH>Issuance</TH>
                <TH>Stored in</TH>
                <TH>Environment</TH>
                <TH>State</TH>
                {canCustody ? <TH>Record</TH> : null}
              </tr>
            </THead>
            <TBody>
              {agent.credentials.map((c) => (
                <TR key={c.id}>
                  <TD className="font-mono text-xs">{c.name}</TD>
                  <TD>{c.kind.replace('_', ' ').toLowerCase()}</TD>
                  <TD>{c.issuance === 'DYNAMIC' ? 'just-in-time' : 'static'}</TD>
                  <TD>{c.storage.replace(/_/g, ' ').toLowerCase()}</TD>
                  <TD>{c.environment.toLowerCase()}</TD>
                  <TD>{c.revokedAt ? <Badge>revoked</Badge> : <Badge tone="success">in use</Badge>}</TD>
                  {canCustody ? <TD>{c.revokedAt ? null : <CredentialActions credentialId={c.id} name={c.name} />}</TD> : null}
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        {canCustody && agent.status !== 'RETIRED' ? (
          <details className="mt-3">
            <summary className="cursor-pointer text-primary underline underline-offset-2">Record an issued credential</summary>
            <div className="mt-3">
              <IssueCredentialForm agentId={agent.id} />
            </div>
          </details>
        ) : null}
      </Section>

      <Section title="Exceptions" icon={ShieldAlert} id="exceptions">
        {agent.exceptions.length === 0 ? (
          <p className="text-muted-foreground">No exceptions have been requested for this agent.</p>
        ) : (
          <ul className="divide-y">
            {agent.exceptions.map((e) => (
              <li key={e.id} className="flex justify-between py-1.5">
                <Link href={`/exceptions/${e.id}`} className="underline decoration-muted-foreground/40 underline-offset-2">
                  {e.type.replace('_', ' ').toLowerCase()} — requested by {e.requestedBy.name}
                </Link>
                <Badge>{exceptionStatusNow(e, now).toLowerCase()}</Badge>
              </li>
            ))}
          </ul>
        )}
        {canRequest ? (
          <details className="mt-3">
            <summary className="cursor-pointer text-primary underline underline-offset-2">Request an exception</summary>
            <div className="mt-3">
              <RequestExceptionForm
                agentId={agent.id}
                credentials={agent.credentials.filter((c) => !c.revokedAt).map((c) => ({ id: c.id, name: c.name }))}
                approvers={approvers}
                maxHours={settings.exceptionMaxHours}
                unclosed={unclosed ? { credentialName: unclosed.credentialName, endedAt: unclosed.endedAt.toISOString() } : null}
              />
            </div>
          </details>
        ) : null}
      </Section>

      <Section title="Reviews" icon={CalendarCheck} id="reviews">
        {agent.reviews.length === 0 ? (
          <p className="text-muted-foreground">No reviews yet. One opens ahead of the scheduled date, and when purposes, tools, environments or owners change.</p>
        ) : (
          <ul className="divide-y">
            {agent.reviews.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                <Link href={`/reviews/${r.id}`} className="text-primary underline-offset-2 hover:underline">
                  {r.completedAt ? 'Review' : 'Open review'}
                </Link>
                <TriggerBadges triggers={r.triggers} />
                <span className="ml-auto flex items-center gap-2 text-muted-foreground">
                  {r.completedAt && r.outcome ? (
                    <>
                      <OutcomeBadge outcome={r.outcome} /> <RelativeTime value={r.completedAt} />
                    </>
                  ) : (
                    <>
                      reviewer {r.reviewer?.name ?? 'unassigned'} · due <RelativeTime value={r.dueAt} />
                    </>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title="Timeline" icon={History} id="timeline">
        {events.length === 0 ? (
          <p className="text-muted-foreground">No events yet.</p>
        ) : (
          <>
            <EventList events={events} label={`Custody events of ${agent.name}, newest first`} />
            {can(actor, 'audit.read') ? (
              <Link href={`/timeline?agent=${agent.slug}`} className="mt-2 inline-block text-primary underline underline-offset-2">
                The whole timeline of this agent
              </Link>
            ) : null}
          </>
        )}
      </Section>

      {canWrite ? (
        <Section title="Edit details" id="edit">
          <details>
            <summary className="cursor-pointer text-primary underline underline-offset-2">Edit name, description, kind, tier, environments</summary>
            <div className="mt-3">
              <AgentForm
                action={updateAgentAction}
                values={{
                  id: agent.id,
                  version: agent.version,
                  name: agent.name,
                  description: agent.description,
                  kind: agent.kind,
                  workloadIdentity: agent.workloadIdentity,
                  environments: agent.environments,
                  riskTier: agent.riskTier,
                  reviewCadenceDays: agent.reviewCadenceDays,
                }}
                submitLabel="Save changes"
              />
            </div>
          </details>
        </Section>
      ) : null}
    </div>
  );
}
