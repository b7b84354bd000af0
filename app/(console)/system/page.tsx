import { ServerCog } from 'lucide-react';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { latestRegistryCheck } from '@/lib/audit/registry-check';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { jobStatuses } from '@/lib/jobs/status';
import { RegistryDrift } from './_components/registry-drift';

export const metadata: Metadata = { title: 'System' };
export const dynamic = 'force-dynamic';

export default async function SystemPage() {
  const actor = await requirePageAccess('system.read', '/system');
  const [jobs, registry] = await Promise.all([jobStatuses(actor), latestRegistryCheck(actor)]);
  return (
    <>
      <PageHeader
        title="System"
        description={
          'The background jobs that expire exceptions, lapse break-glass requests, sign checkpoints, open reviews, ' +
          'sync findings, verify the chain and check the registry: when each last ran, when it runs next, and what ' +
          'failed this week.'
        }
      />
      {jobs === null ? (
        <EmptyState icon={ServerCog} title="The job queues are not installed">
          Run <code>npm run db:migrate</code>: it installs them with the tables.
        </EmptyState>
      ) : (
        <Table aria-label="Background jobs">
          <THead>
            <TR>
              <TH>Job</TH>
              <TH>Schedule</TH>
              <TH>Last run</TH>
              <TH>Next run</TH>
              <TH>Failures (7 days)</TH>
            </TR>
          </THead>
          <TBody>
            {jobs.map((job) => (
              <TR key={job.name}>
                <TD>
                  <div className="font-medium">{job.title}</div>
                  <div className="font-mono text-xs text-muted-foreground">{job.name}</div>
                </TD>
                <TD className="text-xs text-muted-foreground">{job.schedule}</TD>
                <TD>
                  {job.running ? <Badge tone="info">Running</Badge> : null}{' '}
                  {job.lastRun ? (
                    <RelativeTime value={job.lastRun} />
                  ) : (
                    <span className="text-muted-foreground">Not yet</span>
                  )}
                  {job.lastState === 'failed' ? (
                    <Badge tone="danger" className="ml-2">
                      Last run failed
                    </Badge>
                  ) : job.lastState === 'retry' ? (
                    <Badge tone="warning" className="ml-2">
                      Failed: retrying
                    </Badge>
                  ) : null}
                </TD>
                <TD>{job.nextRun ? <RelativeTime value={job.nextRun} /> : '—'}</TD>
                <TD className="text-xs">
                  {job.failures === 0 && job.deadLettered === 0 ? (
                    <span className="text-muted-foreground">None</span>
                  ) : (
                    <>
                      <div>
                        {`${job.failures} failed ${job.failures === 1 ? 'attempt' : 'attempts'}`}
                        {job.deadLettered ? `, ${job.deadLettered} dead-lettered after every retry` : ''}
                      </div>
                      {job.lastError ? (
                        <div className="text-danger">
                          {job.lastErrorAt ? <RelativeTime value={job.lastErrorAt} /> : null}: {job.lastError}
                        </div>
                      ) : null}
                    </>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <p className="mt-4 text-sm text-muted-foreground">
        Jobs run inside each web server unless <code>CUSTODIAN_JOBS=worker</code> leaves them to{' '}
        <code>npm run worker</code>. However many instances run, each job runs once a time: a queue keeps one run
        waiting, and a cron job is sent from one instance a minute. A failed run is retried three times with backoff,
        then dead-lettered.
      </p>
      <RegistryDrift view={registry} canCheck={can(actor, 'audit.verify')} />
    </>
  );
}
