'use client';

import '@xyflow/react/dist/style.css';
import { Controls, MarkerType, Position, ReactFlow, type Edge, type Node } from '@xyflow/react';
import Link from 'next/link';
import { useMemo } from 'react';
import type { DelegationGraph as Graph } from '@/lib/delegation/queries';
import { AGENT_STATUS, wordOf } from '@/lib/vocabulary';

const COLUMN = 230;
const ROW = 70;

/**
 * An agent's delegation neighbourhood: agents that may act for it on the left, agents it may act for on the right,
 * an arrow for each grant ("acts for"), dashed while it waits for approval. Read-only; each node links to its agent.
 */
export function DelegationGraph({ graph, centre }: { graph: Graph; centre: string }) {
  const { nodes, edges } = useMemo(() => {
    const rows = new Map<number, number>();
    const nodes: Node[] = [...graph.nodes]
      .sort((a, b) => a.column - b.column || a.slug.localeCompare(b.slug))
      .map((n) => {
        const row = rows.get(n.column) ?? 0;
        rows.set(n.column, row + 1);
        return {
          id: n.id,
          position: { x: n.column * COLUMN, y: row * ROW },
          sourcePosition: Position.Right,
          targetPosition: Position.Left,
          draggable: false,
          connectable: false,
          style: {
            fontSize: 12,
            ...(n.id === centre ? { border: '2px solid var(--primary)', fontWeight: 600 } : {}),
            ...(n.status === 'ACTIVE' ? {} : { borderStyle: 'dashed', color: 'var(--muted-foreground)' }),
          },
          data: {
            label: (
              <Link href={`/agents/${n.slug}`} className="font-mono underline-offset-2 hover:underline">
                {n.slug}
                {n.status === 'ACTIVE' ? '' : ` (${wordOf(AGENT_STATUS, n.status)})`}
              </Link>
            ),
          },
        };
      });
    const edges: Edge[] = graph.edges.map((e) => ({
      id: e.id,
      source: e.from,
      target: e.to,
      label: `${e.tasks.join(', ')}${e.pending ? ' · waiting' : ''}`,
      labelStyle: { fontSize: 10 },
      markerEnd: { type: MarkerType.ArrowClosed },
      style: e.pending ? { strokeDasharray: '5 4' } : undefined,
    }));
    return { nodes, edges };
  }, [graph, centre]);
  return (
    <figure className="flex flex-col gap-1">
      <div className="h-72 w-full rounded-md border" data-testid="delegation-graph">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          minZoom={0.3}
          className="custodian-flow"
          aria-label="Delegation graph"
        >
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <figcaption className="text-xs text-muted-foreground">
        An arrow reads “acts for”: agents on the left may act for this one; it may act for those on the right. Dashed:
        waiting for approval.
      </figcaption>
    </figure>
  );
}
