import type { InputHTMLAttributes, SelectHTMLAttributes } from 'react';

const fieldClass = 'h-9 rounded-md border border-input bg-background px-2 text-sm text-foreground';

export type FilterOption = { value: string; label: string };

/**
 * A labelled select whose first option clears the filter (`anyLabel`; null for a choice that is never empty).
 * Controlled or not, as its props say.
 */
export function FilterSelect({
  label,
  options,
  anyLabel = 'Any',
  ...select
}: {
  label: string;
  options: readonly FilterOption[];
  anyLabel?: string | null;
} & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <label className="flex flex-col gap-1 text-xs text-muted-foreground">
      {label}
      <select className={fieldClass} {...select}>
        {anyLabel === null ? null : <option value="">{anyLabel}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A labelled filter input (text, date). */
export function FilterInput({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="flex flex-col gap-1 text-xs text-muted-foreground">
      {label}
      <input className={fieldClass} {...input} />
    </label>
  );
}
