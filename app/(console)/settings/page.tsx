import type { Metadata } from 'next';
import { AccessDenied } from '@/components/access-denied';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { getPageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { getSettings, type SettingKey } from '@/lib/settings';
import { SettingForm, type SettingField } from './_components/setting-form';

export const metadata: Metadata = { title: 'Settings' };

const hours = (h: number) => (h % 24 === 0 ? `${h / 24} days` : `${h} hours`);
const seconds = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : `${s} s`);
const TIERS = [
  { value: 'CRITICAL', label: 'Critical' },
  { value: 'HIGH', label: 'High' },
  { value: 'MEDIUM', label: 'Medium' },
  { value: 'LOW', label: 'Low' },
] as const;

type Section = { key: SettingKey; title: string; rows: [string, string][]; fields: SettingField[] };

export default async function SettingsPage() {
  const { actor, denied } = await getPageAccess('settings.read', '/settings');
  if (denied) return <AccessDenied reason={denied} />;
  const db = getDb();
  const [s, rows] = await Promise.all([getSettings(db), db.setting.findMany({ select: { key: true, version: true } })]);
  const versionOf = (key: string) => rows.find((r) => r.key === key)?.version ?? 0;
  const editable = can(actor, 'settings.write');
  const exceptionTypes = [
    ['BREAK_GLASS', 'Break-glass'],
    ['PERSISTENT_TOKEN', 'Persistent token'],
    ['CACHED_SECRET', 'Cached secret'],
    ['BROAD_SCOPE', 'Broad scope'],
    ['OTHER', 'Other'],
  ] as const;
  const sections: Section[] = [
    {
      key: 'exceptionMaxHours',
      title: 'Longest exception window, by type',
      rows: exceptionTypes.map(([k, label]) => [label, hours(s.exceptionMaxHours[k])]),
      fields: exceptionTypes.map(([k, label]) => ({ name: k, label, kind: 'number', value: s.exceptionMaxHours[k], unit: 'hours' })),
    },
    {
      key: 'reviewCadenceDays',
      title: 'Review cadence, by risk tier',
      rows: TIERS.map((t) => [t.label, `${s.reviewCadenceDays[t.value]} days`]),
      fields: TIERS.map((t) => ({ name: t.value, label: t.label, kind: 'number', value: s.reviewCadenceDays[t.value], unit: 'days' })),
    },
    {
      key: 'reviewTiming',
      title: 'When reviews open and fall due',
      rows: [
        ['Scheduled reviews open ahead of their date by', `${s.reviewTiming.leadDays} days`],
        ['A review opened by a change is due within', `${s.reviewTiming.triggeredDueDays} days`],
        ['Due dates end at midnight in', s.reviewTiming.timeZone],
      ],
      fields: [
        { name: 'leadDays', label: 'Open scheduled reviews ahead by', kind: 'number', value: s.reviewTiming.leadDays, unit: 'days' },
        { name: 'triggeredDueDays', label: 'Triggered reviews due within', kind: 'number', value: s.reviewTiming.triggeredDueDays, unit: 'days' },
        { name: 'timeZone', label: 'Organisation time zone (IANA name)', kind: 'text', value: s.reviewTiming.timeZone },
      ],
    },
    {
      key: 'reviewerRule',
      title: 'Reviewer rule',
      rows: [['The accountable owner may not review their own agent at', s.reviewerRule.ownerMayNotReviewTiers.map((t) => t.toLowerCase()).join(', ') || 'no tier']],
      fields: [{ name: 'ownerMayNotReviewTiers', label: 'Tiers where the owner may not review', kind: 'choices', value: s.reviewerRule.ownerMayNotReviewTiers, options: [...TIERS] }],
    },
    {
      key: 'credentialMaxTtlSeconds',
      title: 'Credential time-to-live',
      rows: [
        ['Longest TTL', seconds(s.credentialMaxTtlSeconds.standard)],
        ['Longest TTL, privileged', seconds(s.credentialMaxTtlSeconds.privileged)],
      ],
      fields: [
        { name: 'standard', label: 'Longest TTL', kind: 'number', value: s.credentialMaxTtlSeconds.standard, unit: 'seconds' },
        { name: 'privileged', label: 'Longest TTL, privileged', kind: 'number', value: s.credentialMaxTtlSeconds.privileged, unit: 'seconds' },
      ],
    },
    {
      key: 'credentialRotationDays',
      title: 'Rotation',
      rows: [['Rotation period when none is stated', `${s.credentialRotationDays} days`]],
      fields: [{ name: 'value', label: 'Rotation period when none is stated', kind: 'number', value: s.credentialRotationDays, unit: 'days' }],
    },
  ];
  return (
    <>
      <PageHeader
        title="Settings"
        description={`The policy thresholds that exceptions, reviews and findings are measured against.${editable ? ' Every change is recorded on the timeline with its before and after.' : ''}`}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        {sections.map((section) => (
          <Card key={section.key} aria-labelledby={`setting-${section.key}`}>
            <CardHeader>
              <CardTitle id={`setting-${section.key}`}>{section.title}</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="divide-y">
                {section.rows.map(([label, value]) => (
                  <div key={label} className="flex justify-between gap-3 py-1.5">
                    <dt>{label}</dt>
                    <dd className="tabular-nums">{value}</dd>
                  </div>
                ))}
              </dl>
              {editable ? (
                <details className="mt-2">
                  <summary className="cursor-pointer text-primary underline underline-offset-2">Change</summary>
                  <SettingForm settingKey={section.key} version={versionOf(section.key)} fields={section.fields} />
                </details>
              ) : null}
            </CardContent>
          </Card>
        ))}
      </div>
    </>
  );
}
