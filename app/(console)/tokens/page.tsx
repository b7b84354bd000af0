import { KeyRound } from 'lucide-react';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Section } from '@/components/section';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageAccess } from '@/lib/auth';
import { listTokens } from '@/lib/tokens/commands';
import { CreateTokenForm, RevokeTokenButton } from './_components/token-controls';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const actor = await requirePageAccess('token.manage', '/tokens');
  const tokens = await listTokens(actor);
  const now = new Date();
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="API tokens"
        description="Secrets brokers, CI runners and agent runtimes report custody events with these; integrations read the registry and the timeline. Custodian stores only a hash of each token."
        actions={
          <a href="/api/v1/openapi.json" className="text-primary underline underline-offset-2">
            OpenAPI document
          </a>
        }
      />
      <Section title="Create a token" icon={KeyRound} id="create">
        <CreateTokenForm />
      </Section>
      {tokens.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API token yet">
          <p>Create one for each broker or runner, with only the scopes it needs; the README shows how to send a first event.</p>
        </EmptyState>
      ) : (
        <Table>
          <caption className="sr-only">API tokens</caption>
          <THead>
            <tr>
              <TH>Name</TH>
              <TH>Scopes</TH>
              <TH>Created</TH>
              <TH>Expires</TH>
              <TH>Last used</TH>
              <TH>Status</TH>
            </tr>
          </THead>
          <TBody>
            {tokens.map((t) => (
              <TR key={t.id}>
                <TD>
                  <span className="font-medium">{t.name}</span> <span className="font-mono text-xs text-muted-foreground">{t.prefix}…</span>
                </TD>
                <TD>
                  <span className="flex flex-wrap gap-1">
                    {t.scopes.map((s) => (
                      <Badge key={s} className="font-mono">
                        {s}
                      </Badge>
                    ))}
                  </span>
                </TD>
                <TD>
                  <RelativeTime value={t.createdAt} /> by {t.createdBy.name}
                </TD>
                <TD>
                  <RelativeTime value={t.expiresAt} />
                </TD>
                <TD>{t.lastUsedAt ? <RelativeTime value={t.lastUsedAt} /> : 'Never'}</TD>
                <TD>
                  {t.revokedAt ? (
                    <Badge>revoked</Badge>
                  ) : t.expiresAt <= now ? (
                    <Badge tone="warning">expired</Badge>
                  ) : (
                    <RevokeTokenButton tokenId={t.id} version={t.version} name={t.name} />
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}
