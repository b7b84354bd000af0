import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';

/** A titled card that names its region for screen readers (the heading's id). */
export function Section({ title, icon: Icon, children, id, actions }: { title: ReactNode; icon?: LucideIcon; children: ReactNode; id: string; actions?: ReactNode }) {
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
