import type { ReactNode } from 'react';

/** A labelled form field with its errors, announced and tied to the input. */
export function Field({
  id,
  label,
  hint,
  errors,
  className = '',
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
  /** Extra classes for the field's box (its span in a grid, say). */
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-xs text-danger">
          {errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

/** aria attributes linking an input to its hint and errors. */
export function describedBy(id: string, options: { hint?: boolean; errors?: string[] }) {
  const ids = [options.hint ? `${id}-hint` : null, options.errors?.length ? `${id}-error` : null].filter(Boolean);
  return {
    'aria-describedby': ids.length ? ids.join(' ') : undefined,
    'aria-invalid': options.errors?.length ? true : undefined,
  };
}

export const inputClass = 'h-9 w-full rounded-md border border-input bg-background px-3 text-sm';
