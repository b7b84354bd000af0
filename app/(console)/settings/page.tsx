import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getSettingsPage, type SettingKey } from '@/lib/settings';
import { EXCEPTION_TYPE, labelOf, optionsOf, RISK_TIER, valuesOf } from '@/lib/vocabulary';
import { SettingForm, type SettingField } from './_components/setting-form';

export const metadata: Metadata = { title: 'Settings' };

const hours = (h: number) => (h % 24 === 0 ? `${h / 24} days` : `${h} hours`);
const seconds = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : `${s} s`);
const TIERS = optionsOf(RISK_TIER).reverse();

type Section = { key: SettingKey; title: string; rows: [string, string][]; fields: SettingField[] };

export default async function SettingsPage() {
  const actor = await requirePageAccess('settings.read', '/settings');
  const { settings: s, problems, versions } = await getSettingsPage(actor);
  const versionOf = (key: SettingKey) => versions[key] ?? 0;
  const problemsOf = (key: SettingKey) => problems.filter((p) => p.key === key);
  const editable = can(actor, 'settings.write');
  const sections: Section[] = [
    {
      key: 'exceptionMaxHours',
      title: 'Longest exception window, by type',
      rows: valuesOf(EXCEPTION_TYPE).map((k) => [labelOf(EXCEPTION_TYPE, k), hours(s.exceptionMaxHours[k])]),
      fields: valuesOf(EXCEPTION_TYPE).map((k) => ({
        name: k,
        label: labelOf(EXCEPTION_TYPE, k),
        kind: 'number',
        value: s.exceptionMaxHours[k],
        unit: 'hours',
      })),
    },
    {
      key: 'exceptionLapseHours',
      title: 'An undecided request lapses after, by type',
      rows: valuesOf(EXCEPTION_TYPE).map((k) => [labelOf(EXCEPTION_TYPE, k), hours(s.exceptionLapseHours[k])]),
      fields: valuesOf(EXCEPTION_TYPE).map((k) => ({
        name: k,
        label: labelOf(EXCEPTION_TYPE, k),
        kind: 'number',
        value: s.exceptionLapseHours[k],
        unit: 'hours',
      })),
    },
    {
      key: 'reviewCadenceDays',
      title: 'Review cadence, by risk tier',
      rows: TIERS.map((t) => [t.label, `${s.reviewCadenceDays[t.value]} days`]),
      fields: TIERS.map((t) => ({
        name: t.value,
        label: t.label,
        kind: 'number',
        value: s.reviewCadenceDays[t.value],
        unit: 'days',
      })),
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
        {
          name: 'leadDays',
          label: 'Open scheduled reviews ahead by',
          kind: 'number',
          value: s.reviewTiming.leadDays,
          unit: 'days',
        },
        {
          name: 'triggeredDueDays',
          label: 'Triggered reviews due within',
          kind: 'number',
          value: s.reviewTiming.triggeredDueDays,
          unit: 'days',
        },
        { name: 'timeZone', label: 'Organisation time zone (IANA name)', kind: 'text', value: s.reviewTiming.timeZone },
      ],
    },
    {
      key: 'reviewerRule',
      title: 'Reviewer rule',
      rows: [
        [
          'The accountable owner may not review their own agent at',
          s.reviewerRule.ownerMayNotReviewTiers.map((t) => labelOf(RISK_TIER, t)).join(', ') || 'no tier',
        ],
      ],
      fields: [
        {
          name: 'ownerMayNotReviewTiers',
          label: 'Tiers where the owner may not review',
          kind: 'choices',
          value: s.reviewerRule.ownerMayNotReviewTiers,
          options: [...TIERS],
        },
      ],
    },
    {
      key: 'credentialMaxTtlSeconds',
      title: 'Credential time-to-live',
      rows: [
        ['Longest TTL', seconds(s.credentialMaxTtlSeconds.standard)],
        ['Longest TTL, privileged', seconds(s.credentialMaxTtlSeconds.privileged)],
      ],
      fields: [
        {
          name: 'standard',
          label: 'Longest TTL',
          kind: 'number',
          value: s.credentialMaxTtlSeconds.standard,
          unit: 'seconds',
        },
        {
          name: 'privileged',
          label: 'Longest TTL, privileged',
          kind: 'number',
          value: s.credentialMaxTtlSeconds.privileged,
          unit: 'seconds',
        },
      ],
    },
    {
      key: 'credentialRotationDays',
      title: 'Rotation',
      rows: [['Rotation period when none is stated', `${s.credentialRotationDays} days`]],
      fields: [
        {
          name: 'value',
          label: 'Rotation period when none is stated',
          kind: 'number',
          value: s.credentialRotationDays,
          unit: 'days',
        },
      ],
    },
    {
      key: 'apiTokens',
      title: 'API tokens',
      rows: [
        ['Longest token lifetime', `${s.apiTokens.maxDays} days`],
        ['Oldest event a token may report (without backfill)', `${s.apiTokens.eventWindowHours} hours`],
      ],
      fields: [
        { name: 'maxDays', label: 'Longest token lifetime', kind: 'number', value: s.apiTokens.maxDays, unit: 'days' },
        {
          name: 'eventWindowHours',
          label: 'Oldest event a token may report (without backfill)',
          kind: 'number',
          value: s.apiTokens.eventWindowHours,
          unit: 'hours',
        },
      ],
    },
    {
      key: 'issuanceMaxTtlSeconds',
      title: 'Issuance gate: longest TTL, by risk tier',
      rows: TIERS.map((t) => [t.label, seconds(s.issuanceMaxTtlSeconds[t.value])]),
      fields: TIERS.map((t) => ({
        name: t.value,
        label: t.label,
        kind: 'number',
        value: s.issuanceMaxTtlSeconds[t.value],
        unit: 'seconds',
      })),
    },
    {
      key: 'decisionRatePerSecond',
      title: 'Issuance gate: rate limit',
      rows: [['Decisions per second, per API token', `${s.decisionRatePerSecond}`]],
      fields: [
        {
          name: 'value',
          label: 'Decisions per second, per API token',
          kind: 'number',
          value: s.decisionRatePerSecond,
          unit: 'per second',
        },
      ],
    },
    {
      key: 'delegation',
      title: 'Agent-to-agent delegation',
      rows: [
        ['Longest grant', `${s.delegation.maxDays} days`],
        ['Most hops in a chained decision', `${s.delegation.maxHops}`],
      ],
      fields: [
        { name: 'maxDays', label: 'Longest grant', kind: 'number', value: s.delegation.maxDays, unit: 'days' },
        {
          name: 'maxHops',
          label: 'Most hops in a chained decision',
          kind: 'number',
          value: s.delegation.maxHops,
          unit: 'hops',
        },
      ],
    },
  ];
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          `The policy thresholds that exceptions, reviews and findings are measured ` +
          `against.${editable ? ' Every change is recorded on the timeline with its before and after.' : ''}`
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        {sections.map((section) => (
          <Card key={section.key} aria-labelledby={`setting-${section.key}`}>
            <CardHeader>
              <CardTitle id={`setting-${section.key}`}>{section.title}</CardTitle>
            </CardHeader>
            <CardContent>
              {problemsOf(section.key).map((problem) => (
                <p
                  key={problem.field ?? section.key}
                  role="alert"
                  className="mb-2 rounded-md border border-warning/40 bg-warning/10 p-2 text-sm"
                >
                  {problem.field ? <span className="font-mono text-xs">{problem.field}</span> : 'This section'}:{' '}
                  {problem.reason} The stricter of its default and its last valid value is in force:{' '}
                  {JSON.stringify(problem.inForce)}. Save this section to store a valid value.
                </p>
              ))}
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
