import type { Metadata } from 'next';
import { AccessDenied } from '@/components/access-denied';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { getPageAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { getSettings } from '@/lib/settings';

export const metadata: Metadata = { title: 'Settings' };

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex justify-between py-1.5">
      <dt>{label}</dt>
      <dd className="tabular-nums">{value}</dd>
    </div>
  );
}

const hours = (h: number) => (h % 24 === 0 ? `${h / 24} days` : `${h} hours`);
const seconds = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : `${s} s`);

export default async function SettingsPage() {
  const { denied } = await getPageAccess('settings.read', '/settings');
  if (denied) return <AccessDenied reason={denied} />;
  const settings = await getSettings(getDb());
  return (
    <>
      <PageHeader title="Settings" description="The policy thresholds that exceptions, reviews and findings are measured against." />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Longest exception window, by type</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Row label="Break-glass" value={hours(settings.exceptionMaxHours.BREAK_GLASS)} />
              <Row label="Persistent token" value={hours(settings.exceptionMaxHours.PERSISTENT_TOKEN)} />
              <Row label="Cached secret" value={hours(settings.exceptionMaxHours.CACHED_SECRET)} />
              <Row label="Broad scope" value={hours(settings.exceptionMaxHours.BROAD_SCOPE)} />
              <Row label="Other" value={hours(settings.exceptionMaxHours.OTHER)} />
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Review cadence, by risk tier</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Row label="Critical" value={`${settings.reviewCadenceDays.CRITICAL} days`} />
              <Row label="High" value={`${settings.reviewCadenceDays.HIGH} days`} />
              <Row label="Medium" value={`${settings.reviewCadenceDays.MEDIUM} days`} />
              <Row label="Low" value={`${settings.reviewCadenceDays.LOW} days`} />
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Credentials</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y">
              <Row label="Longest TTL" value={seconds(settings.credentialMaxTtlSeconds.standard)} />
              <Row label="Longest TTL, privileged" value={seconds(settings.credentialMaxTtlSeconds.privileged)} />
              <Row label="Rotation period when none is stated" value={`${settings.credentialRotationDays} days`} />
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Reviewer rule</CardTitle>
          </CardHeader>
          <CardContent>
            <p>
              The accountable owner may not review their own agent at these risk tiers:{' '}
              <strong>{settings.reviewerRule.ownerMayNotReviewTiers.map((t) => t.toLowerCase()).join(', ') || 'none'}</strong>.
            </p>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
