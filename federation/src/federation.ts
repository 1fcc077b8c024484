import type { Redis } from 'ioredis';
import { createExponentialBackoffPolicy, createFederation, type Federation, type RetryPolicy } from '@fedify/fedify';
import type { FederationPorts } from './ports.ts';
import { INSTANCE_ACTOR, type KithCtx } from './context.ts';
import { RedisKvStore } from './kv/redis-kv-store.ts';
import { BullMqMessageQueue, markRunningJobDead, type DeadLetter } from './queue/bullmq-queue.ts';
import { HostSlots } from './delivery/host-slots.ts';
import { DeliveryCircuits } from './delivery/circuits.ts';
import { KeyRing } from './keys.ts';
import { PeerPolicy, type FederationMode } from './net/peer-policy.ts';
import { documentLoaderFactories } from './net/document-loaders.ts';
import { OutboundGuard } from './net/outbound-guard.ts';
import { installOutboundRouter, runOutbound } from './net/outbound-context.ts';
import { registerActors } from './dispatchers/actors.ts';
import { registerNotes } from './dispatchers/notes.ts';
import { registerDepartmentLinks } from './dispatchers/department-links.ts';
import { fetchLinkedActors } from './lookup/department-links.ts';
import { createAdoptionReportHandler, type AdoptionReportHandler } from './dispatchers/adoption-report.ts';
import { fetchAdoptionReport, type SharedAdoptionReport, type SharedPeriod } from './lookup/adoption-report.ts';
import { createRemoteLookup, type RemoteLookup } from './lookup/remote-lookup.ts';
import { registerNodeInfo, type NodeInfoSource } from './dispatchers/nodeinfo.ts';
import { registerInbox } from './inbox/index.ts';
import { registerOutbox } from './outbox.ts';
import { registerRelay, type RelaySend } from './relay/relay-outbox.ts';

export type { KithCtx, VerifiedSigner } from './context.ts';
export { INSTANCE_ACTOR } from './context.ts';
export type { FederationMode } from './net/peer-policy.ts';
export type { NodeInfoSource } from './dispatchers/nodeinfo.ts';
export { generateKeyPairs } from './keys.ts';
export { createDeadJobRetrier, FEDERATION_QUEUES, type DeadJobRetrier, type DeadJobRetry } from './queue/dead-jobs.ts';
export type { DeliveryCircuits } from './delivery/circuits.ts';
export type { HostSlots } from './delivery/host-slots.ts';
export { federationPlugin } from './fastify-adapter.ts';
export * from './ports.ts';
export { actorToRemoteActorInput } from './mappers/person-to-remote-actor.ts';
// The address classification, for the server's other outbound requests to client-given URLs (Web Push).
export { specialPurpose, literalAddressOf } from './net/address-rules.ts';
export type { RemoteLookup, LookupResult } from './lookup/remote-lookup.ts';
export { InvalidAdoptionReport, SHARED_REPORT_KEYS, type SharedAdoptionReport, type SharedDepartmentAdoption, type SharedPeriod } from './lookup/adoption-report.ts';

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
  /** Per-host delivery circuits: closed again by a verified request from the host (the inbox adapter calls it). */
  circuits: DeliveryCircuits;
  /** The per-host cap on deliveries in flight, shared by every process of the instance. */
  hostSlots: HostSlots;
  /** The unprefixed Redis connection (the inbox guard keeps seen signatures under the instance prefix). */
  redis: Redis;
  /** Finds remote accounts and statuses by handle or URL (signed GETs, allowed hosts only) and stores them. */
  lookup: RemoteLookup;
  /** Another department's linked actors, from its `/users/{slug}/links` collection (signed GET, allowed hosts only). */
  linkedActorsOf(actorUri: string): Promise<string[]>;
  /** Another department's aggregate adoption report (`<actor>/adoption`, signed GET, validated; issue 6 item 3). */
  adoptionReportOf(actorUri: string, period: SharedPeriod): Promise<SharedAdoptionReport>;
  /** Serves our own report to network members; the adapter asks it before Fedify (null: not a report URL). */
  serveAdoptionReport: AdoptionReportHandler;
  /** Sends a relay Announce by our department actor (docs/connectors-design.md §5). */
  relay: RelaySend;
  /**
   * Runs `fn` in this instance's outbound context: every request it makes goes through the instance's
   * outbound guard (net/outbound-guard.ts). server/ wraps any federation call that may fetch in it.
   */
  runOutbound<T>(fn: () => T): T;
  /** Starts Fedify's queue workers (where RUN_JOBS is true); stopQueue() stops them. */
  startQueue(): void;
  /** Stops the workers, letting running jobs finish; then closes the queues. */
  close(): Promise<void>;
  /** Resolves once no federation job is waiting or running (delayed retries excluded): for tests. */
  idle(): Promise<void>;
  /** Outbound delivery attempts that failed in this process since it started (each retry counts): for /metrics. */
  deliveryFailures(): number;
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
  const policy = new PeerPolicy({
    peers: ports.peers, mode: config.federationMode, ownDomain: config.domain, handshakes: { redis: redisConnection, prefix: config.redisPrefix },
    networkMembers: () => ports.departments.networkHosts(),
  });
  // Outbound requests of this instance go through its own guard, picked by the process-wide router.
  installOutboundRouter();
  const outbound = new OutboundGuard(policy);
  const inOutbound = <T>(fn: () => T): T => runOutbound(outbound, fn);
  const keys = new KeyRing(ports.keys);
  const deadLetter = (letter: DeadLetter) => ports.deadLetters.record(letter);
  const hostSlots = new HostSlots({ redis: redisConnection, redisPrefix: config.redisPrefix });
  const queue = (name: string, slots?: HostSlots) =>
    new BullMqMessageQueue({ connection: redisConnection, prefix: `${config.redisPrefix}bull`, name, onDeadLetter: deadLetter, hostSlots: slots });
  const queues = { inbox: queue('fedify-inbox'), outbox: queue('fedify-outbox', hostSlots), fanout: queue('fedify-fanout') };
  const kv = new RedisKvStore(redisConnection, `${config.redisPrefix}fedify:`);
  let deliveryFailures = 0;
  const circuits = new DeliveryCircuits({ kv, outbox: queues.outbox, log });

  const federation = createFederation<KithCtx>({
    kv,
    queue: queues,
    manuallyStartQueue: true,
    origin: config.publicUrl,
    ...documentLoaderFactories(policy, outbound),
    signatureTimeWindow: { minutes: 15 },
    skipSignatureVerification: false,
    firstKnock: 'rfc9421',
    outboxRetryPolicy: retryFor72h,
    inboxRetryPolicy: retryFor72h,
    circuitBreaker: {
      failureThreshold: 5,
      failureWindow: { minutes: 10 },
      heldActivityTtl: { hours: RETRY_WINDOW_HOURS },
      onStateChange: async (host, from, to) => {
        log.info({ host, from, to }, 'federation circuit');
        // A delivery got through: what was held for the host goes now, not at its hold's end.
        if (to === 'closed') await circuits.release(host);
      },
    },
    onOutboxError: (error, activity) => {
      deliveryFailures++;
      log.warn({ err: error, id: activity?.id?.href }, 'delivery failed');
    },
  });
  federation.setOutboxPermanentFailureHandler(async (_ctx, v) => {
    // Fedify gave up (404/410, or held past the circuit TTL): the job fails for good and is kept, retryable;
    // the queue records the letter with its job id.
    const reason = v.reason === 'http' ? `http ${v.statusCode}` : v.reason;
    if (markRunningJobDead(reason)) return;
    await ports.deadLetters.record({ activityId: v.activity.id?.href ?? null, inbox: v.inbox.href, host: v.inbox.host, reason, jobId: '', queue: '' });
  });

  registerActors(federation, { ports, keys, policy, domain: config.domain });
  registerNotes(federation, { ports, policy });
  registerDepartmentLinks(federation, { ports, policy });
  registerNodeInfo(federation, deps.nodeInfo ?? { version: '0.1.0', openRegistrations: () => false, usage: async () => ({ users: 0, localPosts: 0 }) });
  // The shared inbox fetches senders' keys as the instance actor (authorized-fetch peers need a signature).
  registerInbox(federation, { ports, log }).setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }));
  // Subscribes to the EventBus in every process (emit needs the handler names); only RUN_JOBS runs them.
  registerOutbox(federation, { ports, publicUrl: config.publicUrl, allowsUrl: (url) => policy.allowsDelivery(url) });
  const relay = registerRelay(federation, { ports, publicUrl: config.publicUrl, allowsUrl: (url) => policy.allowsDelivery(url) });

  const parts: KithFederationParts = { federation, ports, keys, policy, config, log };
  for (const register of registrars) register(parts);

  let controller: AbortController | null = null;
  let running: Promise<void> | null = null;
  return {
    ...parts,
    queues,
    redis: redisConnection,
    circuits,
    hostSlots,
    lookup: outboundLookup(createRemoteLookup(parts), inOutbound),
    linkedActorsOf: (actorUri) => inOutbound(() => fetchLinkedActors(federation, config.publicUrl, actorUri)),
    adoptionReportOf: (actorUri, period) => inOutbound(() => fetchAdoptionReport(federation, config.publicUrl, actorUri, period)),
    serveAdoptionReport: createAdoptionReportHandler({ ports, log }),
    relay,
    runOutbound: inOutbound,
    startQueue() {
      if (controller) return;
      controller = new AbortController();
      // The workers are created in here, so they and every job they run inherit the outbound context.
      running = inOutbound(() => federation.startQueue({ signer: null }, { signal: controller!.signal })).catch((err: unknown) => {
        log.error({ err }, 'federation queue stopped');
      });
    },
    async close() {
      controller?.abort();
      await running;
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await outbound.close();
    },
    async idle() {
      for (const q of Object.values(queues)) await q.idle();
    },
    deliveryFailures: () => deliveryFailures,
  };
}

/** The lookups, each run in the instance's outbound context (WebFinger calls the global fetch). */
function outboundLookup(lookup: RemoteLookup, inOutbound: <T>(fn: () => T) => T): RemoteLookup {
  return {
    account: (handleOrUrl) => inOutbound(() => lookup.account(handleOrUrl)),
    status: (url) => inOutbound(() => lookup.status(url)),
    url: (url) => inOutbound(() => lookup.url(url)),
  };
}

/** The instance actor's identifier, for `ctx.getDocumentLoader({ identifier })` and `sendActivity`. */
export const instanceActor = INSTANCE_ACTOR;
