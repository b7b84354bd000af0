export type { AuditAction, AuditDetailsByAction } from './actions';
export { appendAuditEvent, appendAuditEvents, SYSTEM_ACTOR, type AuditActor, type AuditEventInput } from './append';
export { GENESIS_HASH } from './canonical';
export { verifyAuditChain, type ChainVerification } from './verify';
export {
  listAgentEvents,
  listAgentEventsSince,
  listTimeline,
  parseTimelineQuery,
  type TimelineEvent,
  type TimelineQuery,
} from './queries';
