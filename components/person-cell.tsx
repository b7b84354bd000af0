import { SpriteIcon } from '@/components/ui/sprite-icon';

/** A person in a table cell: inactive and missing are marked with a word and an icon. */
export function PersonCell({
  person,
  missing = 'Unassigned',
}: {
  person: { name: string | null; active: boolean } | null;
  missing?: string;
}) {
  if (!person) {
    return (
      <span className="inline-flex items-center gap-1 text-danger">
        <SpriteIcon name="circle-alert" className="size-3.5" />
        {missing}
      </span>
    );
  }
  if (!person.active) {
    return (
      <span className="inline-flex items-center gap-1 text-danger">
        <SpriteIcon name="user-x" className="size-3.5" />
        {person.name} (inactive)
      </span>
    );
  }
  return <span>{person.name}</span>;
}
