/**
 * How many rows a list holds, in words, with the exact number in `data-count`
 * so a dashboard figure can be checked against the list it opens.
 */
export function ListCount({
  total,
  capped = false,
  noun,
  plural = `${noun}s`,
  suffix,
  className,
}: {
  total: number;
  capped?: boolean;
  noun: string;
  plural?: string;
  suffix?: string;
  className?: string;
}) {
  return (
    <span data-testid="list-count" data-count={capped ? undefined : total} className={className}>
      {capped ? 'More than ' : ''}
      {total.toLocaleString('en')} {total === 1 && !capped ? noun : plural}
      {suffix ? ` ${suffix}` : ''}
    </span>
  );
}
