import { CalendarCheck } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { ListCount } from '@/components/data-table/list-count';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { ReviewTable } from '@/components/reviews/review-table';
import { cn } from '@/components/ui/cn';
import { requirePageAccess } from '@/lib/auth';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { listReviews, ReviewListQuerySchema } from '@/lib/reviews/queries';
import { REVIEW_VIEWS, type ReviewView } from '@/lib/reviews/schema';

export const metadata: Metadata = { title: 'Reviews' };

const VIEW_LABELS: Record<ReviewView, string> = {
  mine: 'Mine',
  'due-soon': 'Due soon',
  overdue: 'Overdue',
  open: 'All open',
  completed: 'Completed',
};
const EMPTY: Record<ReviewView, string> = {
  mine: 'Nothing waits for you: no open review of an agent you own or are assigned to review.',
  'due-soon': 'No review falls due in the coming days.',
  overdue: 'No review is overdue.',
  open:
    'No review is open. Reviews open ahead of each agent’s scheduled date and when its purpose, tools, ' +
    'environments or owners change.',
  completed: 'No review has been completed yet.',
};

export default async function ReviewsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('agent.read', '/reviews');
  const query = parseSearchParams(ReviewListQuerySchema, await searchParams);
  const { view } = query;
  const { rows, counts, timeZone, next, prev } = await listReviews(actor, query);
  const href = (v: ReviewView) => `/reviews?view=${v}`;
  const total = counts[view];
  return (
    <>
      <PageHeader
        title="Reviews"
        description="Lifecycle reviews make access shrink or end on time. Open ones are listed soonest due first."
        actions={
          <Link href="/reviews/campaigns" className="text-primary underline underline-offset-2">
            Certification campaigns
          </Link>
        }
      />
      <nav aria-label="Review views" className="mb-4 flex flex-wrap border-b">
        {REVIEW_VIEWS.map((v) => (
          <Link
            key={v}
            href={href(v)}
            aria-current={view === v ? 'page' : undefined}
            className={cn(
              'border-b-2 px-3 py-2',
              view === v ? 'border-primary font-medium' : 'border-transparent text-muted-foreground',
              v === 'overdue' && counts.overdue.total > 0 ? 'text-danger' : '',
            )}
          >
            {VIEW_LABELS[v]}{' '}
            <span className="tabular-nums">
              ({counts[v].total.toLocaleString('en')}
              {counts[v].capped ? '+' : ''})
            </span>
          </Link>
        ))}
      </nav>
      <p className="mb-2 text-muted-foreground">
        {VIEW_LABELS[view]}: <ListCount total={total.total} capped={total.capped} noun="review" />
      </p>
      {rows.length === 0 ? (
        <EmptyState icon={CalendarCheck} title={`${VIEW_LABELS[view]}: nothing here`}>
          <p>{EMPTY[view]}</p>
        </EmptyState>
      ) : (
        <>
          <ReviewTable rows={rows} caption={`${VIEW_LABELS[view]} reviews`} timeZone={timeZone} />
          <DataTablePagination shown={rows.length} size={query.size} next={next} prev={prev} />
        </>
      )}
    </>
  );
}
