import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { verifyRequestDetailed, type DocumentLoader, type KeyCache } from '@fedify/fedify';
import { hostOf, type PeerPolicy } from './net/peer-policy.ts';
import { claimedSignatures, missingComponents, signatureValues } from './signature-policy.ts';

/** How long a seen signature is remembered: longer than the ±15 minute window it could be replayed in. */
const REPLAY_TTL_SECONDS = 1800;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface InboundGuardDeps {
  policy: PeerPolicy;
  /** Unprefixed Redis connection; seen signatures live under `<redisPrefix>sig:`. */
  redis: Redis;
  redisPrefix: string;
  keyCache: KeyCache;
  /** The loaders that fetch a sender's key (as the instance actor, for authorized-fetch peers). */
  loaders: () => Promise<{ documentLoader: DocumentLoader; contextLoader: DocumentLoader }>;
  log: { debug(obj: object, msg?: string): void };
  /** This instance's department actor id: a Follow of it from a host not yet a peer is a link request. */
  departmentActor?: () => string;
}

/** Link requests one host that is not a peer may send per hour. */
const LINK_REQUESTS_PER_HOUR = 10;

export type GuardVerdict = { ok: true } | { ok: false; status: 400 | 401 | 403; error: string };

function refuse(status: 400 | 401 | 403, error: string): GuardVerdict {
  return { ok: false, status, error };
}

/** Whether a `__proto__`, `constructor` or `prototype` key appears anywhere (walked without recursion). */
export function hasForbiddenKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
      continue;
    }
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.has(key)) return true;
      stack.push((current as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/** An id written as a string or as `{ id }`. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id;
    return typeof id === 'string' ? id : null;
  }
  return null;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function asArray(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Why a Create/Update's embedded object cannot be the actor's: its id on another origin, or an
 * attributedTo other than the actor. Null when every embedded object is the actor's.
 */
export function foreignEmbeddedObject(activity: Record<string, unknown>, actor: string): string | null {
  const types = asArray(activity.type);
  if (!types.includes('Create') && !types.includes('Update')) return null;
  const actorOrigin = originOf(actor);
  for (const object of asArray(activity.object)) {
    if (!object || typeof object !== 'object' || Array.isArray(object)) continue;
    const id = (object as Record<string, unknown>).id;
    if (id !== undefined && (typeof id !== 'string' || originOf(id) !== actorOrigin)) return 'the object belongs to another origin than its actor';
    for (const author of asArray((object as Record<string, unknown>).attributedTo)) {
      const authorId = idOf(author);
      if (!authorId || !sameUrl(authorId, actor)) return "the object is attributed to someone other than the activity's actor";
    }
  }
  return null;
}

/**
 * The one exception to the allowlist (docs/connectors-design.md §2): a department's link request — a
 * Follow of our department actor, by an actor on the signing host, POSTed to the shared inbox or the
 * department actor's inbox — from a host that is not blocked, at most LINK_REQUESTS_PER_HOUR an hour.
 * It lets the host through for the handshake (key and actor fetch, our answer); everything after this
 * check (verification, replay, key owner) still applies.
 */
async function admitsLinkRequest(deps: InboundGuardDeps, request: Request, activity: Record<string, unknown>, host: string | null): Promise<boolean> {
  const department = deps.departmentActor?.();
  if (!department || !host || (await deps.policy.isBlocked(host))) return false;
  const path = new URL(request.url).pathname;
  if (path !== '/inbox' && path !== `${new URL(department).pathname}/inbox`) return false;
  if (activity.type !== 'Follow') return false;
  const object = idOf(activity.object);
  const actor = idOf(activity.actor);
  if (!object || !sameUrl(object, department) || !actor || hostOf(actor) !== host) return false;
  const counter = `${deps.redisPrefix}link-requests:${host}`;
  const count = await deps.redis.incr(counter);
  if (count === 1) await deps.redis.expire(counter, 3600);
  if (count > LINK_REQUESTS_PER_HOUR) return false;
  await deps.policy.allowForLinkRequest(host);
  return true;
}

/**
 * The inbox guard run before Fedify sees a POST (docs/federation-design.md §6), in the design's order:
 * body JSON without prototype keys (400); a signature present (401) covering the required
 * components (401); keyId host allowed (403); Fedify's verification with a 15-minute window (401);
 * not a replay (401); key owner = actor (401); embedded objects the actor's own (400).
 * The caller has checked Host and the content type already. Nothing but the replay marker is stored.
 */
export function createInboundGuard(deps: InboundGuardDeps): (request: Request, body: Buffer) => Promise<GuardVerdict> {
  return async (request, body) => {
    let activity: unknown;
    try {
      activity = JSON.parse(body.toString('utf8'));
    } catch {
      return refuse(400, 'The body is not JSON');
    }
    if (!activity || typeof activity !== 'object' || Array.isArray(activity)) return refuse(400, 'The body is not a JSON object');
    if (hasForbiddenKey(activity)) return refuse(400, 'The body has a forbidden key');

    const signatures = claimedSignatures(request.headers);
    if (!signatures) return refuse(401, 'A valid HTTP signature is required');
    for (const signature of signatures) {
      const missing = missingComponents(signature, request.method);
      if (missing) return refuse(401, `A valid HTTP signature is required: ${missing}`);
    }
    for (const signature of signatures) {
      const host = hostOf(signature.keyId);
      if ((await deps.policy.decide(host, { handshake: false })) === 'allow') continue;
      if (!(await admitsLinkRequest(deps, request, activity as Record<string, unknown>, host))) return refuse(403, 'This instance does not federate with yours');
    }

    const { documentLoader, contextLoader } = await deps.loaders();
    let key: Awaited<ReturnType<typeof verifyRequestDetailed>>;
    try {
      key = await verifyRequestDetailed(request, { documentLoader, contextLoader, timeWindow: { minutes: 15 }, keyCache: deps.keyCache });
    } catch (err) {
      deps.log.debug({ err, url: request.url }, 'inbox signature not verified');
      return refuse(401, 'A valid HTTP signature is required');
    }
    if (!key.verified) {
      deps.log.debug({ reason: key.reason.type, url: request.url }, 'inbox signature not verified');
      return refuse(401, 'A valid HTTP signature is required');
    }

    // Each signature value is remembered on its own, decoded, so a respelled header is still a replay.
    const values = signatureValues(request.headers);
    if (values.length === 0) return refuse(401, 'A valid HTTP signature is required');
    const marks = deps.redis.pipeline();
    for (const value of values) {
      marks.set(`${deps.redisPrefix}sig:${createHash('sha256').update(value).digest('hex')}`, '1', 'EX', REPLAY_TTL_SECONDS, 'NX');
    }
    const results = (await marks.exec()) ?? [];
    if (results.some(([error, reply]) => error !== null || reply !== 'OK')) return refuse(401, 'This signature was seen before');

    const actor = idOf((activity as Record<string, unknown>).actor);
    const owner = key.key.ownerId?.href ?? null;
    if (!actor || !owner || !sameUrl(owner, actor)) return refuse(401, "The signing key does not belong to the activity's actor");
    // A key document names its owner itself: a peer could publish a key claiming an actor of another
    // host. The key, its owner (the actor) and the activity's id must all live on one origin.
    if (key.key.id === null || originOf(key.key.id.href) !== originOf(actor)) return refuse(401, "The signing key does not belong to the activity's actor");
    const activityId = idOf((activity as Record<string, unknown>).id);
    // An id on another origin could take the place of that origin's real activity in the inbound log.
    if (activityId !== null && originOf(activityId) !== originOf(actor)) return refuse(400, "The activity's id is not on its actor's origin");

    const foreign = foreignEmbeddedObject(activity as Record<string, unknown>, actor);
    if (foreign) return refuse(400, `Refused: ${foreign}`);
    return { ok: true };
  };
}
