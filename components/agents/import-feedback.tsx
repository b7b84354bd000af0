import { CircleAlert } from 'lucide-react';

/** A refused check or import, in the server's words. */
export function ImportError({ message }: { message: string }) {
  return (
    <p role="alert" className="inline-flex items-start gap-1 text-sm text-danger">
      <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" /> {message}
    </p>
  );
}

/** Long work's progress, batch by batch as each commits: "Applied 500 of 2,000 rows…". */
export function ImportProgress({
  label,
  verb,
  noun,
  done,
  total,
}: {
  label: string;
  verb: string;
  noun: string;
  done: number;
  total: number;
}) {
  return (
    <div className="flex flex-col gap-1">
      <progress className="w-full" aria-label={label} value={done} max={Math.max(total, 1)} />
      <p role="status" className="text-sm text-muted-foreground">
        {verb} {done.toLocaleString('en')} of {total.toLocaleString('en')} {noun}…
      </p>
    </div>
  );
}
