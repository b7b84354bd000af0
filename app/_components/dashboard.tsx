import Link from 'next/link';
import type { ReactNode } from 'react';
import { BarList, type BarDatum } from '@/components/dashboard/bar-list';
import { LazyTrendChart } from '@/components/dashboard/lazy-charts';
import { PageHeader } from '@/components/page-header';
import { ReplicaNotice } from '@/components/system/replica-notice';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { can, type Actor } from '@/lib/authz';
import { getPostureSummary } from '@/lib/dashboard/queries';
import type { AgentStatus, CredentialStorage, RiskTier } from '@/lib/generated/prisma/enums';
import { findingTrend } from '@/lib/policy/trend';
import { AGENT_STATUS, CREDENTIAL_STORAGE, ISSUANCE, labelOf, RISK_TIER, SEVERITY, valuesOf } from '@/lib/vocabulary';

const TONE = {
  danger: 'var(--color-danger)',
  warning: 'var(--color-warning)',
  success: 'var(--color-success)',
  primary: 'var(--color-primary)',
  muted: 'var(--color-muted-foreground)',
};
const STORAGE_TONE: Record<CredentialStorage, string> = {
  VAULT_OR_BROKER: TONE.success,
  CI_SECRET: TONE.primary,
  ENV_VAR: TONE.danger,
  CONFIG_FILE: TONE.danger,
  LOCAL_DISK: TONE.danger,
  PROMPT_OR_CONTEXT: TONE.danger,
};
const STATUS_TONE: Record<AgentStatus, string> = {
  PROPOSED: TONE.primary,
  ACTIVE: TONE.success,
  SUSPENDED: TONE.warning,
  RETIRED: TONE.muted,
};
const TIER_TONE: Record<RiskTier, string> = {
  CRITICAL: TONE.danger,
  HIGH: TONE.warning,
  MEDIUM: TONE.primary,
  LOW: TONE.muted,
};

/** A headline number. `count` is what the linked list counts (the e2e test compares them). */
function Figure({
  id,
  label,
  value,
  count,
  href,
  hint,
}: {
  id: string;
  label: string;
  value: ReactNode;
  count: number;
  href: string;
  hint?: string;
}) {
  return (
    <Link
      href={href}
      className="group rounded-lg border bg-card p-4 hover:border-primary/50"
      data-testid={`figure-${id}`}
      data-count={count}
    >
      <div className="text-muted-foreground">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums group-hover:text-primary">{value}</div>
      {hint ? <div className="mt-1 text-xs text-muted-foreground">{hint}</div> : null}
    </Link>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The posture at a glance; every number links to exactly the list it counts. */
export async function Dashboard({ actor }: { actor: Actor }) {
  const findingsVisible = can(actor, 'findings.read');
  const [s, trend] = await Promise.all([
    getPostureSummary(actor),
    findingsVisible ? findingTrend(actor) : Promise.resolve(null),
  ]);
  const incomplete = s.inService - s.completeOwnership;
  const percent = s.inService === 0 ? 100 : Math.round((s.completeOwnership / s.inService) * 100);
  const openFindings = Object.values(s.findingsBySeverity).reduce((a, b) => a + b, 0);
  const bySeverity: BarDatum[] = valuesOf(SEVERITY).map((sev) => ({
    key: `findings-${sev}`,
    label: labelOf(SEVERITY, sev),
    value: s.findingsBySeverity[sev],
    href: `/findings?severity=${sev}`,
    color: sev === 'LOW' ? TONE.muted : sev === 'MEDIUM' ? TONE.warning : TONE.danger,
  }));
  return (
    <>
      <PageHeader title="Dashboard" description="What needs attention across every registered agent, right now." />
      <ReplicaNotice />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5">
        <Figure
          id="in-service"
          label="Agents in service"
          value={s.inService.toLocaleString('en')}
          count={s.inService}
          href="/agents?inService=1"
          hint="Proposed, active or suspended"
        />
        <Figure
          id="ownership"
          label="Complete ownership"
          value={`${percent}%`}
          count={incomplete}
          href="/agents?ownershipIncomplete=1"
          hint={`${plural(incomplete, 'agent lacks', 'agents lack')} an active owner or an active owner on every plane`}
        />
        <Figure
          id="orphaned"
          label="Orphaned agents"
          value={s.orphaned.toLocaleString('en')}
          count={s.orphaned}
          href="/agents?orphaned=1"
          hint="Owner or a control owner missing or inactive"
        />
        <Figure
          id="reviews-overdue"
          label="Reviews overdue"
          value={s.reviewsOverdue.toLocaleString('en')}
          count={s.reviewsOverdue}
          href="/reviews?view=overdue"
        />
        <Figure
          id="exceptions-pending"
          label="Exceptions pending"
          value={s.exceptions.pending.toLocaleString('en')}
          count={s.exceptions.pending}
          href="/exceptions?show=pending"
          hint="Waiting for a PAM approver"
        />
        <Figure
          id="exceptions-active"
          label="Exceptions in force"
          value={s.exceptions.active.toLocaleString('en')}
          count={s.exceptions.active}
          href="/exceptions?show=in-force"
        />
        <Figure
          id="expiring-24h"
          label="Exceptions ending in 24 hours"
          value={s.exceptions.expiring24h.toLocaleString('en')}
          count={s.exceptions.expiring24h}
          href="/exceptions?show=in-force&within=24"
        />
        <Figure
          id="expiring-7d"
          label="Exceptions ending in 7 days"
          value={s.exceptions.expiring7d.toLocaleString('en')}
          count={s.exceptions.expiring7d}
          href="/exceptions?show=in-force&within=168"
        />
        {findingsVisible ? (
          <Figure
            id="open-findings"
            label="Open findings"
            value={openFindings.toLocaleString('en')}
            count={openFindings}
            href="/findings"
            hint="From the last findings sync, which runs every policy rule over the registry every 15 minutes."
          />
        ) : null}
      </div>
      {trend ? (
        <div className="mt-4">
          <Panel title="Findings over the last 90 days">
            <LazyTrendChart days={trend} />
          </Panel>
        </div>
      ) : null}
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        {findingsVisible ? (
          <Panel title="Open findings by severity">
            <BarList label="Findings" data={bySeverity} />
          </Panel>
        ) : null}
        <Panel title="Agents by status">
          <BarList
            label="Agents"
            data={valuesOf(AGENT_STATUS).map((status) => ({
              key: `status-${status}`,
              label: labelOf(AGENT_STATUS, status),
              value: s.agentsByStatus[status],
              href: `/agents?status=${status}`,
              color: STATUS_TONE[status],
            }))}
          />
        </Panel>
        <Panel title="Agents in service by risk tier">
          <BarList
            label="Agents"
            data={valuesOf(RISK_TIER)
              .reverse()
              .map((tier) => ({
                key: `tier-${tier}`,
                label: labelOf(RISK_TIER, tier),
                value: s.agentsByTier[tier],
                href: `/agents?riskTier=${tier}&inService=1`,
                color: TIER_TONE[tier],
              }))}
          />
        </Panel>
        <Panel title="Unrevoked credentials by where they are stored">
          <BarList
            label="Credentials"
            data={valuesOf(CREDENTIAL_STORAGE).map((storage) => ({
              key: `storage-${storage}`,
              label: labelOf(CREDENTIAL_STORAGE, storage),
              value: s.credentialsByStorage[storage] ?? 0,
              href: `/credentials?storage=${storage}&state=active`,
              color: STORAGE_TONE[storage],
            }))}
          />
        </Panel>
        <Panel title="Unrevoked credentials by issuance">
          <BarList
            label="Credentials"
            data={valuesOf(ISSUANCE).map((issuance) => ({
              key: `issuance-${issuance}`,
              label: labelOf(ISSUANCE, issuance),
              value: s.credentialsByIssuance[issuance],
              href: `/credentials?issuance=${issuance}&state=active`,
              color: issuance === 'STATIC' ? TONE.warning : TONE.success,
            }))}
          />
        </Panel>
      </div>
    </>
  );
}
