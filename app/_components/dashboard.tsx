import Link from 'next/link';
import type { ReactNode } from 'react';
import { BarList } from '@/components/dashboard/bar-list';
import { LazyTrendChart } from '@/components/dashboard/lazy-charts';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { can, type Actor } from '@/lib/authz';
import { getPostureSummary } from '@/lib/dashboard/queries';
import { findingTrend } from '@/lib/policy/trend';

const STORAGE_LABELS: Record<string, string> = {
  VAULT_OR_BROKER: 'Vault or broker',
  CI_SECRET: 'CI secret',
  ENV_VAR: 'Environment variable',
  CONFIG_FILE: 'Config file',
  LOCAL_DISK: 'Local disk',
  PROMPT_OR_CONTEXT: 'Prompt or context',
};
const TONE = { danger: 'var(--color-danger)', warning: 'var(--color-warning)', success: 'var(--color-success)', primary: 'var(--color-primary)', muted: 'var(--color-muted-foreground)' };
const word = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

function Figure({ label, value, href, hint, id }: { label: string; value: ReactNode; href: string; hint?: string; id: string }) {
  return (
    <Link href={href} className="group rounded-lg border bg-card p-4 hover:border-primary/50" data-testid={`figure-${id}`}>
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

/** The posture at a glance; every number links to the list behind it, and equals its count. */
export async function Dashboard({ actor }: { actor: Actor }) {
  const findingsVisible = can(actor, 'findings.read');
  const [s, trend] = await Promise.all([getPostureSummary(actor), findingsVisible ? findingTrend(actor) : Promise.resolve(null)]);
  const percent = s.inService === 0 ? 100 : Math.round((s.completeOwnership / s.inService) * 100);
  const openFindings = Object.values(s.findingsBySeverity).reduce((a, b) => a + b, 0);
  return (
    <>
      <PageHeader title="Dashboard" description="What needs attention across every registered agent, right now." />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5">
        <Figure id="in-service" label="Agents in service" value={s.inService} href="/agents" hint="Proposed, active or suspended" />
        <Figure id="ownership" label="Complete ownership" value={`${percent}%`} href="/ownership" hint={`${s.completeOwnership} of ${s.inService} have an active owner and all three planes`} />
        <Figure id="orphaned" label="Orphaned agents" value={s.orphaned} href="/agents?orphaned=1" hint="Owner or a control owner missing or inactive" />
        <Figure id="reviews-overdue" label="Reviews overdue" value={s.reviewsOverdue} href="/reviews?view=overdue" />
        <Figure id="exceptions-pending" label="Exceptions pending" value={s.exceptions.pending} href="/exceptions" hint="Waiting for a PAM approver" />
        <Figure id="exceptions-active" label="Exceptions in force" value={s.exceptions.active} href="/exceptions" />
        <Figure id="expiring-24h" label="Exceptions ending in 24 hours" value={s.exceptions.expiring24h} href="/exceptions?within=24" />
        <Figure id="expiring-7d" label="Exceptions ending in 7 days" value={s.exceptions.expiring7d} href="/exceptions?within=168" />
        {findingsVisible ? <Figure id="open-findings" label="Open findings" value={openFindings} href="/findings" hint="Every policy rule, run over the registry every 15 minutes (Findings: recompute now)" /> : null}
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
            <BarList
              label="Findings"
              data={(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).map((sev) => ({
                key: `findings-${sev}`,
                label: word(sev),
                value: s.findingsBySeverity[sev],
                href: `/findings?severity=${sev}`,
                color: sev === 'LOW' ? TONE.muted : sev === 'MEDIUM' ? TONE.warning : TONE.danger,
              }))}
            />
          </Panel>
        ) : null}
        <Panel title="Agents by status">
          <BarList
            label="Agents"
            data={(['PROPOSED', 'ACTIVE', 'SUSPENDED', 'RETIRED'] as const).map((status) => ({ key: `status-${status}`, label: word(status), value: s.agentsByStatus[status], href: `/agents?status=${status}`, color: TONE.primary }))}
          />
        </Panel>
        <Panel title="Agents in service by risk tier">
          <BarList
            label="Agents"
            data={(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).map((tier) => ({ key: `tier-${tier}`, label: word(tier), value: s.agentsByTier[tier], href: `/agents?riskTier=${tier}`, color: tier === 'CRITICAL' || tier === 'HIGH' ? TONE.danger : TONE.primary }))}
          />
        </Panel>
        <Panel title="Unrevoked credentials by storage and issuance">
          <BarList
            label="Credentials"
            data={[
              ...Object.entries(STORAGE_LABELS).map(([storage, label]) => ({
                key: `storage-${storage}`,
                label,
                value: s.credentialsByStorage[storage as keyof typeof s.credentialsByStorage] ?? 0,
                href: `/credentials?storage=${storage}&state=active`,
                color: storage === 'VAULT_OR_BROKER' ? TONE.success : storage === 'CI_SECRET' ? TONE.primary : TONE.danger,
              })),
              { key: 'issuance-STATIC', label: 'Static', value: s.credentialsByIssuance.STATIC, href: '/credentials?issuance=STATIC&state=active', color: TONE.warning },
              { key: 'issuance-DYNAMIC', label: 'Just-in-time', value: s.credentialsByIssuance.DYNAMIC, href: '/credentials?issuance=DYNAMIC&state=active', color: TONE.success },
            ]}
          />
        </Panel>
      </div>
    </>
  );
}
