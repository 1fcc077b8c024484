import type { Redis } from 'ioredis';
import { createExponentialBackoffPolicy, createFederation, type Federation, type RetryPolicy } from '@fedify/fedify';
import type { FederationPorts } from './ports.ts';
import { INSTANCE_ACTOR, type KithCtx } from './context.ts';
import { RedisKvStore } from './kv/redis-kv-store.ts';
import { BullMqMessageQueue, type DeadLetter } from './queue/bullmq-queue.ts';
import { KeyRing } from './keys.ts';
import { PeerPolicy, type FederationMode } from './net/peer-policy.ts';
import { documentLoaderFactories } from './net/document-loaders.ts';
import { registerActors } from './dispatchers/actors.ts';
import { registerNodeInfo, type NodeInfoSource } from './dispatchers/nodeinfo.ts';
import { registerInbox } from './inbox/index.ts';
import { registerOutbox } from './outbox.ts';

export type { KithCtx, VerifiedSigner } from './context.ts';
export { INSTANCE_ACTOR } from './context.ts';
export type { FederationMode } from './net/peer-policy.ts';
export type { NodeInfoSource } from './dispatchers/nodeinfo.ts';
export { generateKeyPairs } from './keys.ts';
export { federationPlugin } from './fastify-adapter.ts';
export * from './ports.ts';
export { actorToRemoteActorInput } from './mappers/person-to-remote-actor.ts';

/** The logger shape federation needs (pino's, Fastify's). */
export interface FederationLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What federation needs to know about the instance. */
export interface KithFederationConfig {
  /** The instance's origin, e.g. `http://127.0.0.1:3102`; every id and signature is built on it. */
  publicUrl: string;
  /** `host[:port]` of publicUrl; requests for another Host are refused. */
  domain: string;
  /** The instance's Redis prefix, e.g. `kith:alpha:`; Fedify's keys and queues live under it. */
  redisPrefix: string;
  /** The instance's name (for logs). */
  instanceName: string;
  /** allowlist (the default) or open. */
  federationMode: FederationMode;
}

export interface KithFederationDeps {
  config: KithFederationConfig;
  /** Unprefixed Redis connection (the KvStore and BullMQ prefix keys themselves). */
  redisConnection: Redis;
  ports: FederationPorts;
  log: FederationLog;
  /** NodeInfo figures; without it NodeInfo reports zeros. */
  nodeInfo?: NodeInfoSource;
}

/** Everything the inbox listeners and the outbox (federation/src/inbox, outbox.ts) register against. */
export interface KithFederationParts {
  federation: Federation<KithCtx>;
  ports: FederationPorts;
  keys: KeyRing;
  policy: PeerPolicy;
  config: KithFederationConfig;
  log: FederationLog;
}

/** A registrar for listeners or subscriptions, called once while the federation is built. */
export type FederationRegistrar = (parts: KithFederationParts) => void;

/** The running federation of one instance. */
export interface KithFederation extends KithFederationParts {
  queues: { inbox: BullMqMessageQueue; outbox: BullMqMessageQueue; fanout: BullMqMessageQueue };
  /** The unprefixed Redis connection (the inbox guard keeps seen signatures under the instance prefix). */
  redis: Redis;
  /** Starts Fedify's queue workers (where RUN_JOBS is true); stopQueue() stops them. */
  startQueue(): void;
  /** Stops the workers, letting running jobs finish; then closes the queues. */
  close(): Promise<void>;
  /** Resolves once no federation job is waiting or running (delayed retries excluded): for tests. */
  idle(): Promise<void>;
}

const RETRY_WINDOW_HOURS = 72;
const backoff = createExponentialBackoffPolicy({ maxAttempts: Number.MAX_SAFE_INTEGER, maxDelay: { hours: 6 } });
/** Fedify's retry policy with a 72 h cut-off (BullMQ's backoff applies the same window to native retries). */
export const retryFor72h: RetryPolicy = (context) => (context.elapsedTime.total('hour') >= RETRY_WINDOW_HOURS ? null : backoff(context));

/**
 * Builds one instance's Fedify federation: Redis KV and BullMQ queues under the instance's prefix,
 * the allowlist-guarded loaders, actors, keys, collections and NodeInfo, plus whatever `registrars`
 * add (inbox listeners, outbox). Queues start only through `startQueue()`.
 */
export function createKithFederation(deps: KithFederationDeps, registrars: readonly FederationRegistrar[] = []): KithFederation {
  const { config, ports, log, redisConnection } = deps;
  const policy = new PeerPolicy({ peers: ports.peers, mode: config.federationMode, ownDomain: config.domain });
  const keys = new KeyRing(ports.keys);
  const deadLetter = (letter: DeadLetter) => ports.deadLetters.record(letter);
  const queue = (name: string) =>
    new BullMqMessageQueue({ connection: redisConnection, prefix: `${config.redisPrefix}bull`, name, onDeadLetter: deadLetter });
  const queues = { inbox: queue('fedify-inbox'), outbox: queue('fedify-outbox'), fanout: queue('fedify-fanout') };

  const federation = createFederation<KithCtx>({
    kv: new RedisKvStore(redisConnection, `${config.redisPrefix}fedify:`),
    queue: queues,
    manuallyStartQueue: true,
    origin: config.publicUrl,
    ...documentLoaderFactories(policy),
    signatureTimeWindow: { minutes: 15 },
    skipSignatureVerification: false,
    firstKnock: 'rfc9421',
    outboxRetryPolicy: retryFor72h,
    inboxRetryPolicy: retryFor72h,
    circuitBreaker: {
      failureThreshold: 5,
      failureWindow: { minutes: 10 },
      heldActivityTtl: { hours: RETRY_WINDOW_HOURS },
      onStateChange: (host, from, to) => log.info({ host, from, to }, 'federation circuit'),
    },
    onOutboxError: (error, activity) => log.warn({ err: error, id: activity?.id?.href }, 'delivery failed'),
  });
  federation.setOutboxPermanentFailureHandler(async (_ctx, v) => {
    await ports.deadLetters.record({ activityId: v.activity.id?.href ?? null, inbox: v.inbox.href, host: v.inbox.host, reason: `${v.reason} ${v.statusCode}`, jobId: '' });
  });

  registerActors(federation, { ports, keys, policy, domain: config.domain });
  registerNodeInfo(federation, deps.nodeInfo ?? { version: '0.1.0', openRegistrations: () => false, usage: async () => ({ users: 0, localPosts: 0 }) });
  // The shared inbox fetches senders' keys as the instance actor (authorized-fetch peers need a signature).
  registerInbox(federation, { ports, log }).setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }));
  // Subscribes to the EventBus in every process (emit needs the handler names); only RUN_JOBS runs them.
  registerOutbox(federation, { ports, publicUrl: config.publicUrl, allowsUrl: (url) => policy.allowsUrl(url) });

  const parts: KithFederationParts = { federation, ports, keys, policy, config, log };
  for (const register of registrars) register(parts);

  let controller: AbortController | null = null;
  let running: Promise<void> | null = null;
  return {
    ...parts,
    queues,
    redis: redisConnection,
    startQueue() {
      if (controller) return;
      controller = new AbortController();
      running = federation.startQueue({ signer: null }, { signal: controller.signal }).catch((err: unknown) => {
        log.error({ err }, 'federation queue stopped');
      });
    },
    async close() {
      controller?.abort();
      await running;
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
    async idle() {
      for (const q of Object.values(queues)) await q.idle();
    },
  };
}

/** The instance actor's identifier, for `ctx.getDocumentLoader({ identifier })` and `sendActivity`. */
export const instanceActor = INSTANCE_ACTOR;
