import { KeyRound } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageAccess } from '@/lib/auth';
import { CREDENTIALS_PAGE_SIZE, CredentialListQuerySchema, listCredentials } from '@/lib/credentials/queries';

export const metadata: Metadata = { title: 'Credentials' };

const words = (v: string) => v.charAt(0) + v.slice(1).toLowerCase().replace(/_/g, ' ');
const FILTERS = {
  storage: ['VAULT_OR_BROKER', 'CI_SECRET', 'ENV_VAR', 'CONFIG_FILE', 'LOCAL_DISK', 'PROMPT_OR_CONTEXT'],
  issuance: ['STATIC', 'DYNAMIC'],
  environment: ['DEV', 'STAGING', 'PROD'],
  state: ['active', 'revoked'],
} as const;

export default async function CredentialsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageAccess('agent.read', '/credentials');
  const params = await searchParams;
  const query = CredentialListQuerySchema.parse(params);
  const { rows, total } = await listCredentials(actor, query);
  const pageHref = (page: number) => `/credentials?${new URLSearchParams({ ...(Object.fromEntries(Object.entries(params).filter(([, v]) => v)) as Record<string, string>), page: String(page) })}`;
  return (
    <>
      <PageHeader title="Credentials" description={`${total.toLocaleString()} custody records: where each credential lives and how it is issued. Custodian never holds a secret value.`} />
      <form action="/credentials" className="mb-3 flex flex-wrap items-end gap-3">
        {Object.entries(FILTERS).map(([name, options]) => (
          <label key={name} className="flex flex-col gap-1 text-xs text-muted-foreground">
            {words(name)}
            <select name={name} defaultValue={params[name] ?? ''} className="h-9 rounded-md border border-input bg-background px-2 text-sm text-foreground">
              <option value="">Any</option>
              {options.map((o) => (
                <option key={o} value={o}>
                  {o === 'DYNAMIC' ? 'Just-in-time' : words(o)}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
      </form>
      {rows.length === 0 ? (
        <EmptyState icon={KeyRound} title="No credential matches">
          Owners record credentials from their agent’s page.
        </EmptyState>
      ) : (
        <Table>
          <caption className="sr-only">Credentials</caption>
          <THead>
            <tr>
              <TH>Credential</TH>
              <TH>Agent</TH>
              <TH>Issuance</TH>
              <TH>Stored in</TH>
              <TH>Environment</TH>
              <TH>Last rotated</TH>
              <TH>State</TH>
            </tr>
          </THead>
          <TBody>
            {rows.map((c) => (
              <TR key={c.id}>
                <TD>
                  <div className="font-mono text-xs">{c.name}</div>
                  <div className="text-xs text-muted-foreground">
                    {words(c.kind)}
                    {c.privileged ? ' · privileged' : ''}
                    {c.boundToWorkloadIdentity ? ' · bound to workload identity' : ''}
                  </div>
                </TD>
                <TD>
                  <Link href={`/agents/${c.agent.slug}`} className="text-primary underline-offset-2 hover:underline">
                    {c.agent.name}
                  </Link>
                </TD>
                <TD>{c.issuance === 'DYNAMIC' ? 'just-in-time' : 'static'}</TD>
                <TD>
                  {words(c.storage)}
                  {c.secretRef ? <div className="font-mono text-xs text-muted-foreground">{c.secretRef}</div> : null}
                </TD>
                <TD>{c.environment.toLowerCase()}</TD>
                <TD>{c.lastRotatedAt ? <RelativeTime value={c.lastRotatedAt} /> : '—'}</TD>
                <TD>{c.revokedAt ? <Badge>revoked</Badge> : <Badge tone="success">in use</Badge>}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      {total > CREDENTIALS_PAGE_SIZE ? (
        <nav aria-label="Pagination" className="mt-3 flex justify-end gap-3 text-muted-foreground">
          Page {query.page} of {Math.ceil(total / CREDENTIALS_PAGE_SIZE)}
          {query.page > 1 ? <Link className="text-primary underline" href={pageHref(query.page - 1)}>Previous</Link> : null}
          {query.page * CREDENTIALS_PAGE_SIZE < total ? <Link className="text-primary underline" href={pageHref(query.page + 1)}>Next</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
