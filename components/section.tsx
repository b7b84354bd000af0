import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';

/** A titled card that names its region for screen readers (the heading's id). */
export function Section({
  title,
  icon: Icon,
  children,
  id,
  actions,
}: {
  title: ReactNode;
  icon?: LucideIcon;
  children: ReactNode;
  id: string;
  actions?: ReactNode;
}) {
  return (
    <Card aria-labelledby={id}>
      <CardHeader className={actions ? 'flex flex-row items-center justify-between gap-2' : undefined}>
        <CardTitle id={id} className="flex items-center gap-2">
          {Icon ? <Icon aria-hidden className="size-4 text-muted-foreground" /> : null}
          {title}
        </CardTitle>
        {actions}
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

/** A section's placeholder while its data streams in. */
export function SectionSkeleton({ title }: { title: string }) {
  return (
    <Card aria-busy="true" aria-label={`${title}: loading`}>
      <CardHeader>
        <CardTitle className="text-muted-foreground">{title}</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-2">
        <div className="h-4 w-2/3 animate-pulse rounded bg-muted" />
        <div className="h-4 w-1/2 animate-pulse rounded bg-muted" />
      </CardContent>
    </Card>
  );
}
