// Fedify's queued outbox message (`OutboxMessage`, declared opaque by Fedify 2.3.6): the few fields Kith
// reads or resets. Pinned by delivery.test.ts, since Fedify may change them without notice.

/** The fields of a queued Fedify message Kith relies on; everything else is passed through untouched. */
interface OutboxFields {
  type?: unknown;
  inbox?: unknown;
  activityId?: unknown;
  started?: unknown;
  attempt?: unknown;
  circuitHeld?: unknown;
  circuitHeldSince?: unknown;
}

/** The inbox URL of an outbox message, or null for other messages (inbox, fanout) and malformed ones. */
export function deliveryInbox(message: unknown): URL | null {
  const m = message as OutboxFields | null;
  if (m?.type !== 'outbox' || typeof m.inbox !== 'string') return null;
  try {
    return new URL(m.inbox);
  } catch {
    return null;
  }
}

/** The `host[:port]` an outbox message goes to (Fedify's circuit key is `url.host` too), or null. */
export function deliveryHost(message: unknown): string | null {
  return deliveryInbox(message)?.host ?? null;
}

/** The activity id of a message, when it names one. */
export function messageActivityId(message: unknown): string | null {
  const m = message as OutboxFields | null;
  return typeof m?.activityId === 'string' ? m.activityId : null;
}

/**
 * The message as a fresh first attempt, for an admin retry: Fedify's clock (`started`, read by the retry
 * policy) and attempt count restart, and a circuit hold is forgotten, or Fedify would drop it again at once
 * as expired (`circuit-breaker-ttl`).
 */
export function asFreshAttempt(message: unknown, now: Date): unknown {
  if (!message || typeof message !== 'object' || Array.isArray(message)) return message;
  const { circuitHeld: _held, circuitHeldSince: _since, ...rest } = message as Record<string, unknown> & OutboxFields;
  if (typeof (rest as OutboxFields).started !== 'string') return rest;
  return { ...rest, started: now.toISOString(), attempt: 0 };
}
