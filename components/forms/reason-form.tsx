'use client';

import { useId } from 'react';
import { inputClass } from '@/components/forms/field';

/** A decision with a reason: the hidden fields name what is decided, the buttons (children) how. */
export function ReasonForm({
  label,
  action,
  hidden,
  children,
}: {
  label: string;
  action: (payload: FormData) => void;
  hidden: Record<string, string>;
  children: React.ReactNode;
}) {
  const id = useId();
  return (
    <form action={action} className="flex flex-wrap items-end gap-2">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="flex min-w-72 flex-1 flex-col gap-1">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <input id={id} name="reason" required minLength={3} className={inputClass} />
      </div>
      {children}
    </form>
  );
}
