// Fedify's MessageQueue on a real BullMQ/Redis: delivery to the listener, native retries, the 72 h
// cut-off of the backoff, and dead letters.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { BullMqMessageQueue, RETRY_WINDOW_MS, backoffStrategy, type DeadLetter } from './bullmq-queue.ts';

let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  prefix = `test:${randomBytes(4).toString('hex')}:bull`;
});

afterAll(async () => {
  await redis.quit();
});

describe('backoffStrategy', () => {
  it('backs off exponentially with jitter, capped at 6 hours', () => {
    const job = { data: { since: Date.now() } } as never;
    for (let attempt = 1; attempt < 40; attempt++) {
      const delay = backoffStrategy(attempt, 'kith', undefined, job);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(Math.min(6 * 3600_000, 1000 * 2 ** attempt) + 1);
    }
  });

  it('gives up (-1) once 72 hours have passed since the message was queued', () => {
    expect(backoffStrategy(3, 'kith', undefined, { data: { since: Date.now() - RETRY_WINDOW_MS } } as never)).toBe(-1);
    expect(backoffStrategy(3, 'kith', undefined, { data: { since: Date.now() - RETRY_WINDOW_MS + 60_000 } } as never)).toBeGreaterThan(0);
  });
});

describe('BullMqMessageQueue', () => {
  it('hands messages to the listener and stops when the signal aborts', async () => {
    const queue = new BullMqMessageQueue({ connection: redis, prefix, name: 'fedify-test-a' });
    const seen: unknown[] = [];
    let resolveAll!: () => void;
    const allSeen = new Promise<void>((resolve) => (resolveAll = resolve));
    const controller = new AbortController();
    const listening = queue.listen(async (message) => {
      seen.push(message);
      if (seen.length === 3) resolveAll();
    }, { signal: controller.signal });
    await queue.enqueue({ type: 'inbox', id: 'one' });
    await queue.enqueueMany([{ type: 'outbox', id: 'two', inbox: 'http://127.0.0.1:1/inbox' }, { type: 'fanout', id: 'three' }]);
    await allSeen;
    expect(seen.map((m) => (m as { id: string }).id).sort()).toEqual(['one', 'three', 'two']);
    controller.abort();
    await listening;
    expect((await queue.getDepth()).queued).toBe(0);
    await queue.close();
  });

  it('retries a failed message, and dead-letters one whose 72 hours are over', async () => {
    const letters: DeadLetter[] = [];
    let resolveLetter!: () => void;
    const lettered = new Promise<void>((resolve) => (resolveLetter = resolve));
    const queue = new BullMqMessageQueue({
      connection: redis, prefix, name: 'fedify-test-b',
      onDeadLetter: (letter) => {
        letters.push(letter);
        resolveLetter();
      },
    });
    const attempts = new Map<string, number>();
    let resolveRetried!: () => void;
    const retried = new Promise<void>((resolve) => (resolveRetried = resolve));
    const controller = new AbortController();
    const listening = queue.listen(async (message: { id: string }) => {
      const n = (attempts.get(message.id) ?? 0) + 1;
      attempts.set(message.id, n);
      if (message.id === 'flaky' && n === 1) throw new Error('first try fails');
      if (message.id === 'flaky') resolveRetried();
      if (message.id === 'doomed') throw new Error('peer is down');
    }, { signal: controller.signal });

    await queue.enqueue({ type: 'inbox', id: 'flaky' });
    // A message queued 72 h ago (as after an outage): its first failure is its last.
    const raw = (queue as unknown as { queue: { add(name: string, data: unknown, opts: unknown): Promise<unknown> } }).queue;
    await raw.add('outbox:127.0.0.1:9', { message: { type: 'outbox', id: 'doomed', activityId: 'http://a/act/1', inbox: 'http://127.0.0.1:9/inbox' }, since: Date.now() - RETRY_WINDOW_MS }, { attempts: 10_000, backoff: { type: 'kith' }, removeOnComplete: true, removeOnFail: false });
    await lettered;
    expect(letters).toEqual([expect.objectContaining({ activityId: 'http://a/act/1', inbox: 'http://127.0.0.1:9/inbox', host: '127.0.0.1:9', reason: 'peer is down' })]);
    expect(attempts.get('doomed')).toBe(1);
    // BullMQ retries the flaky one after its backoff (at most 2 s for a first retry).
    await retried;
    expect(attempts.get('flaky')).toBe(2);
    expect(letters).toHaveLength(1);
    await queue.idle();
    controller.abort();
    await listening;
    await queue.close();
  });
});
