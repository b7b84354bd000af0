import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

/**
 * What is missing and what to do next. `page`: it is the whole page (a 403,
 * 404 or error), so its title is the page's level-one heading.
 */
export function EmptyState({
  icon: Icon,
  title,
  children,
  page = false,
}: {
  icon: LucideIcon;
  title: string;
  children?: ReactNode;
  page?: boolean;
}) {
  return (
    <div
      className={
        'flex flex-col items-center justify-center gap-2 rounded-lg ' + 'border border-dashed px-6 py-12 text-center'
      }
    >
      <Icon aria-hidden className="size-6 text-muted-foreground" />
      {page ? <h1 className="text-lg font-semibold">{title}</h1> : <p className="font-medium">{title}</p>}
      {children ? <div className="max-w-md text-muted-foreground">{children}</div> : null}
    </div>
  );
}
