import { registerAgent } from '@/lib/agents/commands';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

let n = 0;

/** Registers a PROPOSED agent through the domain function. */
export async function makeAgent(actor: Actor, overrides: Record<string, unknown> = {}) {
  n += 1;
  const slug = `agent-${n}-${Math.random().toString(36).slice(2, 7)}`;
  const { id } = await registerAgent(actor, { slug, name: `Agent ${n}`, kind: 'CI_AGENT', environments: ['PROD'], riskTier: 'HIGH', ...overrides });
  return getDb().agent.findUniqueOrThrow({ where: { id } });
}
