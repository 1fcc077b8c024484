import { webcrypto, type JsonWebKey } from 'node:crypto';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { DeadJobRetrier } from '@kith/federation';
import { Conflict, Forbidden, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { ActorKeysStore, JwkKeyPair } from './actor-keys.store.ts';
import type { DeadLetterRecord, DeadLettersStore } from './dead-letters.store.ts';
import type { InboundLogStore } from './inbound-log.store.ts';

export type { JwkKeyPair } from './actor-keys.store.ts';

/** What a dead letter records. */
export type NewDeadLetter = Omit<DeadLetterRecord, '_id' | 'createdAt' | 'retriedAt'>;

async function exportPair(pair: webcrypto.CryptoKeyPair): Promise<JwkKeyPair> {
  const [publicKey, privateKey] = await Promise.all([webcrypto.subtle.exportKey('jwk', pair.publicKey), webcrypto.subtle.exportKey('jwk', pair.privateKey)]);
  // WebCrypto's JWK type and node:crypto's (the ports') describe the same JSON.
  return { publicKey: publicKey as JsonWebKey, privateKey: privateKey as JsonWebKey };
}

/** New RSA-2048 (RSASSA-PKCS1-v1_5, SHA-256) and Ed25519 key pairs, as Fedify's generateCryptoKeyPair makes them. */
async function generateKeys(): Promise<{ rsa: JwkKeyPair; ed25519: JwkKeyPair }> {
  const [rsa, ed25519] = await Promise.all([
    webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']),
    webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as unknown as Promise<webcrypto.CryptoKeyPair>,
  ]);
  return { rsa: await exportPair(rsa), ed25519: await exportPair(ed25519) };
}

export interface FederationStateDeps {
  inbound: InboundLogStore;
  keys: ActorKeysStore;
  deadLetters: DeadLettersStore;
  /** Puts a dead letter's failed queue job back to work (federation's createDeadJobRetrier). */
  retryJob: DeadJobRetrier;
}

/**
 * What federation keeps besides accounts and statuses: which inbound activities were processed (so a
 * redelivered one is processed once), the actors' signing keys, and the deliveries given up on.
 */
export class FederationStateService {
  private readonly inbound: InboundLogStore;
  private readonly keys: ActorKeysStore;
  private readonly deadLetters: DeadLettersStore;
  private readonly retryJob: DeadJobRetrier;

  constructor(deps: FederationStateDeps) {
    this.retryJob = deps.retryJob;
    this.inbound = deps.inbound;
    this.keys = deps.keys;
    this.deadLetters = deps.deadLetters;
  }

  /**
   * Claims an inbound activity by id: 'new' the first time, 'retry' when an earlier attempt claimed it
   * but did not finish (a crash; go on, the unique indexes downstream keep it single), 'done' when it was processed.
   */
  async claim(activityId: string, type: string): Promise<'new' | 'retry' | 'done'> {
    if (await this.inbound.insertProcessing(activityId, type)) return 'new';
    return (await this.inbound.find(activityId))?.state === 'done' ? 'done' : 'retry';
  }

  /** Marks a claimed inbound activity processed. */
  async done(activityId: string): Promise<void> {
    await this.inbound.markDone(activityId);
  }

  /** The RSA and Ed25519 key pairs of an owner (an account id or "~instance"), created and stored on first use. */
  async keyPairs(ownerId: string): Promise<{ rsa: JwkKeyPair; ed25519: JwkKeyPair }> {
    const stored = await this.keys.find(ownerId);
    if (stored) return { rsa: stored.rsa, ed25519: stored.ed25519 };
    // Two processes may generate at once: the first insert wins and both use its keys.
    const kept = await this.keys.insertFirst({ _id: ownerId, ...(await generateKeys()), createdAt: new Date() });
    return { rsa: kept.rsa, ed25519: kept.ed25519 };
  }

  /** Records a delivery given up on. */
  async recordDeadLetter(letter: NewDeadLetter): Promise<void> {
    await this.deadLetters.insert({ _id: newId(), ...letter, createdAt: new Date(), retriedAt: null });
  }

  /** Dead letters no admin retried yet (for /metrics: one count query per scrape). */
  countDeadLetters(): Promise<number> {
    return this.deadLetters.countUnretried();
  }

  /** The newest dead letters first, for an admin (or the CLI, `actor` null). */
  async listDeadLetters(actor: AccountRecord | null = null, limit = 100): Promise<DeadLetterRecord[]> {
    if (actor !== null && actor.role !== 'admin') throw new Forbidden();
    return this.deadLetters.list(limit);
  }

  /**
   * Retries a dead letter once, for an admin (or the CLI, `actor` null): its failed job goes back to the
   * queue as a fresh first attempt. 404 for an unknown letter; 409 when it was retried already or has no
   * job left to retry. A retry that fails again records a new letter.
   */
  async retryDeadLetter(actor: AccountRecord | null, id: string): Promise<DeadLetterRecord> {
    if (actor !== null && actor.role !== 'admin') throw new Forbidden();
    const letter = await this.deadLetters.find(id);
    if (!letter) throw new NotFound('No dead letter with this id');
    if (letter.retriedAt) throw new Conflict('This dead letter was retried already');
    if (!letter.jobId || !letter.queue) throw new Conflict('This dead letter has no queue job to retry');
    const at = new Date();
    if (!(await this.deadLetters.claimRetry(id, at))) throw new Conflict('This dead letter was retried already');
    const outcome = await this.retryJob(letter.queue, letter.jobId).catch(async (error: unknown) => {
      await this.deadLetters.unclaimRetry(id, at);
      throw error;
    });
    if (outcome !== 'retried') {
      await this.deadLetters.unclaimRetry(id, at);
      throw new Conflict(outcome === 'missing' ? 'The queue job of this dead letter no longer exists' : 'The queue job of this dead letter is not failed (it is already being retried)');
    }
    return { ...letter, retriedAt: at };
  }
}
