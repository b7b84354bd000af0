'use client';

import { X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { cn } from '@/components/ui/cn';

export type PickedPerson = { id: string; name: string | null; email?: string | null; active?: boolean };

type Props = {
  /** The form field that carries the chosen person's id. */
  name: string;
  label: string;
  defaultValue?: PickedPerson | null;
  /** `true` (default): active people only; `any`: everyone, e.g. to filter by a leaver. */
  active?: 'true' | 'any';
  /** Hide the label visually (it stays the accessible name). */
  labelHidden?: boolean;
  placeholder?: string;
  className?: string;
  /** Called with the chosen id ('' when cleared), e.g. to write a filter to the URL. */
  onPick?: (id: string, person: PickedPerson | null) => void;
  invalid?: boolean;
  describedBy?: string;
};

const display = (p: PickedPerson | null | undefined) => (p ? (p.name ?? p.email ?? p.id) : '');

/**
 * The one person picker: a typeahead over `/api/people`, so it reaches every
 * person however many there are (a select of the first thousand could not).
 * An ARIA 1.2 combobox: type, move with the arrow keys, Enter to choose,
 * Escape to close.
 */
export function PersonPicker({
  name,
  label,
  defaultValue,
  active = 'true',
  labelHidden,
  placeholder = 'Type a name or e-mail…',
  className,
  onPick,
  invalid,
  describedBy,
}: Props) {
  const id = useId();
  const listId = `${id}-list`;
  const [picked, setPicked] = useState<PickedPerson | null>(defaultValue ?? null);
  const [text, setText] = useState(display(defaultValue));
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<PickedPerson[]>([]);
  const [highlight, setHighlight] = useState(0);
  const [status, setStatus] = useState<'idle' | 'loading' | 'error'>('idle');
  const request = useRef(0);

  useEffect(() => {
    if (!open) return;
    const mine = ++request.current;
    const timer = setTimeout(async () => {
      setStatus('loading');
      try {
        const query = new URLSearchParams({ q: picked && text === display(picked) ? '' : text, active });
        const response = await fetch(`/api/people?${query}`, { headers: { accept: 'application/json' } });
        if (!response.ok) throw new Error(String(response.status));
        const body = (await response.json()) as { people: PickedPerson[] };
        if (mine !== request.current) return;
        setOptions(body.people);
        setHighlight(0);
        setStatus('idle');
      } catch {
        if (mine === request.current) setStatus('error');
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [open, text, active, picked]);

  function choose(person: PickedPerson | null) {
    setPicked(person);
    setText(display(person));
    setOpen(false);
    onPick?.(person?.id ?? '', person);
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!open) setOpen(true);
      else setHighlight((h) => Math.min(h + 1, options.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight((h) => Math.max(h - 1, 0));
    } else if (event.key === 'Enter' && open) {
      event.preventDefault();
      const person = options[highlight];
      if (person) choose(person);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      setOpen(false);
      setText(display(picked));
    }
  }

  const activeOption = open && options[highlight] ? `${id}-opt-${options[highlight]!.id}` : undefined;
  return (
    <div className={cn('relative flex flex-col gap-1 text-xs text-muted-foreground', className)}>
      <label htmlFor={id} className={labelHidden ? 'sr-only' : undefined}>
        {label}
      </label>
      <input type="hidden" name={name} value={picked?.id ?? ''} />
      <div className="relative">
        <input
          id={id}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={activeOption}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          autoComplete="off"
          value={text}
          placeholder={placeholder}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={(event) => {
            // Emptied: clear the choice; otherwise show the chosen person again.
            if (event.target.value.trim() === '' && picked) choose(null);
            else {
              setOpen(false);
              setText(display(picked));
            }
          }}
          onKeyDown={onKeyDown}
          className={
            'h-9 w-full min-w-48 rounded-md border border-input bg-background px-2 pr-8 text-sm text-foreground ' +
            'placeholder:text-muted-foreground'
          }
        />
        {picked ? (
          <button
            type="button"
            aria-label={`Clear ${label}`}
            onClick={() => choose(null)}
            className="absolute top-1/2 right-1 -translate-y-1/2 rounded p-1 text-muted-foreground hover:bg-accent"
          >
            <X aria-hidden className="size-3.5" />
          </button>
        ) : null}
      </div>
      <ul
        id={listId}
        role="listbox"
        aria-label={label}
        hidden={!open}
        className={
          'absolute top-full z-30 mt-1 max-h-64 w-full min-w-56 overflow-auto rounded-md border bg-popover p-1 ' +
          'text-sm text-popover-foreground shadow-md'
        }
      >
        {options.map((person, index) => (
          <li
            key={person.id}
            id={`${id}-opt-${person.id}`}
            role="option"
            aria-selected={index === highlight}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => choose(person)}
            className={cn(
              'cursor-pointer rounded px-2 py-1.5',
              index === highlight ? 'bg-accent text-accent-foreground' : undefined,
            )}
          >
            <span className="font-medium">{display(person)}</span>
            {person.email && person.name ? (
              <span className="ml-2 text-xs text-muted-foreground">{person.email}</span>
            ) : null}
            {person.active === false ? <span className="ml-2 text-xs text-muted-foreground">(inactive)</span> : null}
          </li>
        ))}
        {open && options.length === 0 ? (
          <li role="presentation" className="px-2 py-1.5 text-muted-foreground">
            {status === 'loading' ? 'Searching…' : status === 'error' ? 'Search failed; try again.' : 'Nobody matches.'}
          </li>
        ) : null}
      </ul>
    </div>
  );
}
