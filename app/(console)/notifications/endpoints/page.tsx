import { Webhook } from 'lucide-react';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requirePageAccess } from '@/lib/auth';
import { kindTitle } from '@/lib/notifications/kinds';
import { listEndpoints } from '@/lib/notifications/queries';
import { labelOf, NOTIFICATION_CHANNEL } from '@/lib/vocabulary';
import { EndpointForm } from '../_components/endpoint-form';

export const metadata: Metadata = { title: 'Webhooks and Slack' };
export const dynamic = 'force-dynamic';

export default async function EndpointsPage() {
  const actor = await requirePageAccess('notifications.manage', '/notifications/endpoints');
  const endpoints = await listEndpoints(actor);
  return (
    <>
      <PageHeader
        title="Webhooks and Slack"
        description={
          'Teams’ feeds: each notification of the kinds an endpoint takes is posted to it as signed JSON ' +
          '(Custodian-Signature: HMAC-SHA256 over the timestamp and body) or as a Slack message, retried with backoff.'
        }
      />
      {endpoints.length === 0 ? (
        <EmptyState icon={Webhook} title="No endpoint yet">
          Add one below: a signed webhook to your incident tooling, or a Slack channel’s incoming webhook.
        </EmptyState>
      ) : (
        <ul className="mb-6 flex flex-col gap-3" aria-label="Endpoints">
          {endpoints.map((endpoint) => (
            <li key={endpoint.id}>
              <Card>
                <CardHeader>
                  <CardTitle className="flex items-center gap-2">
                    {endpoint.name}
                    <Badge tone={endpoint.active ? 'success' : 'neutral'}>{endpoint.active ? 'On' : 'Off'}</Badge>
                    <Badge>{labelOf(NOTIFICATION_CHANNEL, endpoint.channel)}</Badge>
                  </CardTitle>
                </CardHeader>
                <CardContent className="flex flex-col gap-2 text-sm">
                  <div>
                    <span className="text-muted-foreground">Sends to </span>
                    <code className="break-all">{endpoint.url}</code>
                    {endpoint.secretRef ? (
                      <>
                        <span className="text-muted-foreground">, signed with </span>
                        <code>{endpoint.secretRef}</code>
                      </>
                    ) : null}
                  </div>
                  <div className="text-muted-foreground">
                    {endpoint.kinds.length === 0 ? 'Every kind' : endpoint.kinds.map(kindTitle).join(', ')}
                  </div>
                  <details>
                    <summary className="cursor-pointer text-primary">Edit</summary>
                    <div className="mt-3">
                      <EndpointForm
                        endpoint={{
                          ...endpoint,
                          channel: endpoint.channel === 'SLACK' ? 'SLACK' : 'WEBHOOK',
                        }}
                      />
                    </div>
                  </details>
                </CardContent>
              </Card>
            </li>
          ))}
        </ul>
      )}
      <Card>
        <CardHeader>
          <CardTitle>Add an endpoint</CardTitle>
        </CardHeader>
        <CardContent>
          <EndpointForm />
        </CardContent>
      </Card>
    </>
  );
}
