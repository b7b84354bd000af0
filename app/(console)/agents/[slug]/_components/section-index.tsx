/** The agent page's sections, so a person reaches "Credentials" without scrolling past everything. */
export const AGENT_SECTIONS = [
  ['owners', 'Owners'],
  ['escalation', 'Escalation'],
  ['lifecycle', 'Lifecycle'],
  ['findings', 'Findings'],
  ['purposes', 'Purposes'],
  ['credentials', 'Credentials'],
  ['issuance', 'Issuance gate'],
  ['exceptions', 'Exceptions'],
  ['delegation', 'Delegation'],
  ['reviews', 'Reviews'],
  ['timeline', 'Timeline'],
  ['edit', 'Edit details'],
] as const;

export type AgentSectionId = (typeof AGENT_SECTIONS)[number][0];

export function SectionIndex({ hidden = [] }: { hidden?: AgentSectionId[] }) {
  return (
    <nav
      aria-label="Sections of this agent"
      className="sticky top-0 z-10 -mx-1 flex gap-1 overflow-x-auto border-b bg-background/95 px-1 py-1 backdrop-blur"
    >
      {AGENT_SECTIONS.filter(([id]) => !hidden.includes(id)).map(([id, label]) => (
        <a
          key={id}
          href={`#${id}`}
          className={
            'rounded-md px-2.5 py-1.5 whitespace-nowrap text-muted-foreground hover:bg-accent ' +
            'hover:text-foreground'
          }
        >
          {label}
        </a>
      ))}
    </nav>
  );
}
