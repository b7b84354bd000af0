import Link from 'next/link';
import type { ReactNode } from 'react';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import type { Actor } from '@/lib/authz';
import { getPostureSummary } from '@/lib/dashboard/queries';

const STORAGE_LABELS: Record<string, string> = {
  VAULT_OR_BROKER: 'Vault or broker',
  CI_SECRET: 'CI secret',
  ENV_VAR: 'Environment variable',
  CONFIG_FILE: 'Config file',
  LOCAL_DISK: 'Local disk',
  PROMPT_OR_CONTEXT: 'Prompt or context',
};

function Figure({ label, value, href, hint }: { label: string; value: ReactNode; href: string; hint?: string }) {
  return (
    <Link href={href} className="group rounded-lg border bg-card p-4 hover:border-primary/50">
      <div className="text-muted-foreground">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums group-hover:text-primary">{value}</div>
      {hint ? <div className="mt-1 text-xs text-muted-foreground">{hint}</div> : null}
    </Link>
  );
}

function CountList({ title, counts, href }: { title: string; counts: Record<string, number>; href: (key: string) => string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent>
        <ul className="divide-y">
          {Object.entries(counts).map(([key, count]) => (
            <li key={key} className="flex justify-between py-1.5">
              <Link href={href(key)} className="underline decoration-muted-foreground/40 underline-offset-2 hover:decoration-current">
                {key.charAt(0) + key.slice(1).toLowerCase()}
              </Link>
              <span className="tabular-nums">{count}</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

/** The posture at a glance; every number links to the list behind it. */
export async function Dashboard({ actor }: { actor: Actor }) {
  const s = await getPostureSummary(actor);
  const percent = s.inService === 0 ? 100 : Math.round((s.completeOwnership / s.inService) * 100);
  return (
    <>
      <PageHeader title="Dashboard" description="What needs attention across every registered agent, right now." />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Figure label="Agents in service" value={s.inService} href="/agents" hint="Proposed, active or suspended" />
        <Figure label="Complete ownership" value={`${percent}%`} href="/ownership" hint={`${s.completeOwnership} of ${s.inService} have an active owner and all three planes`} />
        <Figure label="Orphaned agents" value={s.orphaned} href="/agents?orphaned=1" hint="Owner or a control owner missing or inactive" />
        <Figure label="Reviews overdue" value={s.reviewsOverdue} href="/agents?reviewOverdue=1" />
      </div>
      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <CountList title="Agents by status" counts={s.agentsByStatus} href={(status) => `/agents?status=${status}`} />
        <CountList title="Agents in service by risk tier" counts={s.agentsByTier} href={(tier) => `/agents?riskTier=${tier}`} />
        <Card>
          <CardHeader>
            <CardTitle>Unrevoked credentials by storage</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="divide-y">
              {Object.entries(STORAGE_LABELS).map(([storage, label]) => (
                <li key={storage} className="flex justify-between py-1.5">
                  <Link href={`/credentials?storage=${storage}&state=active`} className="underline decoration-muted-foreground/40 underline-offset-2 hover:decoration-current">
                    {label}
                  </Link>
                  <span className="tabular-nums">{s.credentialsByStorage[storage as keyof typeof s.credentialsByStorage] ?? 0}</span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
