import { CircuitBreaker, type KvKey, type KvStore } from '@fedify/fedify';
import type { BullMqMessageQueue } from '../queue/bullmq-queue.ts';

/** Fedify's default KV prefix for circuit state (`kvPrefixes.circuitBreaker`); state is `[...prefix, url.host]`. */
export const CIRCUIT_KV_PREFIX: KvKey = ['_fedify', 'circuit'];

/**
 * Closes a host's delivery circuit from outside Fedify's send loop, when the host shows it is up: a
 * request from it whose signature verified. Fedify closes it itself after a successful delivery. Either
 * way, deliveries held or backing off for that host (delayed `outbox:<host>` jobs) are made due at once.
 */
export class DeliveryCircuits {
  private readonly breaker: CircuitBreaker;
  private readonly outbox: BullMqMessageQueue;
  private readonly log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };

  constructor(options: { kv: KvStore; outbox: BullMqMessageQueue; log: DeliveryCircuits['log'] }) {
    // Fedify's own class (exported since 2.3.0) on the federation's KV and prefix: the same state it reads.
    this.breaker = new CircuitBreaker({ kv: options.kv, prefix: CIRCUIT_KV_PREFIX });
    this.outbox = options.outbox;
    this.log = options.log;
  }

  /** The host's circuit state as Fedify stores it, or undefined when it has none (closed). */
  state(host: string) {
    return this.breaker.getState(host);
  }

  /** The host answered: closes its circuit if open or half-open, then releases what was held for it. */
  async hostIsUp(host: string): Promise<void> {
    const change = await this.breaker.recordSuccess(host);
    if (!change) return;
    this.log.info({ host, from: change.previousState, to: change.newState }, 'federation circuit closed by a verified request');
    await this.release(host);
  }

  /** Makes the host's delayed deliveries due now; returns how many. */
  release(host: string): Promise<number> {
    const name = `outbox:${host}`;
    return this.outbox.promoteDelayed((jobName) => jobName === name);
  }
}
