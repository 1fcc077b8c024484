// Retention and the recorder's writes against the MongoDB stand-in: raw events past the period are deleted and
// the rollup stays; an admin's change of the period takes effect; concurrent flushes lose nothing; a full
// buffer drops and counts; the bulk upsert with dotted $inc adds up across batches; with MongoDB unreachable,
// flushes never pile up (one running, one queued at most).
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { UsageDaysStore } from './usage-days.store.ts';
import { UsageEventsStore } from './usage-events.store.ts';
import { UsageRecorder } from './usage-recorder.ts';
import { expectRollupMatchesEvents } from './usage-test-support.ts';
import { usageKey, type UsageEvent } from './usage.types.ts';

let kith: TestInstance;
let admin: TestUser;

beforeAll(async () => {
  kith = await startTestInstance({ USAGE_RETENTION_DAYS: '30' });
  admin = await kith.createUser('boss', { role: 'admin', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
});

afterAll(async () => {
  await kith?.close();
});

const DAY = 24 * 60 * 60_000;
const NOW = new Date('2025-06-30T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const event = (accountId: string, at: Date, over: Partial<UsageEvent> = {}): UsageEvent => ({
  accountId, department: 'Ops', feature: 'post', client: 'Web', device: 'desktop', at, ...over,
});

describe('the recorder', () => {
  it('adds up bulk upserts with dotted $inc across batches and concurrent flushes', async () => {
    const usage = kith.services.usage;
    const features = ['post', 'reply', 'follow', 'read'] as const;
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 1200; i++) {
      usage.record(event(`acct${i % 7}`, daysAgo(i % 3), { feature: features[i % 4]!, client: i % 2 ? 'Ice.Cubes' : 'Web', crossInstance: i % 5 === 0 }));
      if (i % 100 === 0) flushes.push(usage.flush());
    }
    await Promise.all([...flushes, usage.flush(), usage.flush()]);
    const accounts = Array.from({ length: 7 }, (_, i) => `acct${i}`);
    let total = 0;
    for (const account of accounts) total += await kith.services.usageEvents.count({ account });
    expect(total).toBe(1200);
    await expectRollupMatchesEvents(kith, accounts);
    const rows = await kith.services.usageDays.between(daysAgo(2).toISOString().slice(0, 10), daysAgo(0).toISOString().slice(0, 10));
    expect(rows.reduce((sum, r) => sum + r.events, 0)).toBe(1200);
    expect(rows.every((r) => r.clients[usageKey('Ice.Cubes')]! > 0 && r.department === 'Ops')).toBe(true);
    expect((await kith.services.usageDays.between('2000-01-01', '2000-01-02')).length).toBe(0);
    expect((await kith.services.usageDays.between(daysAgo(0).toISOString().slice(0, 10), daysAgo(0).toISOString().slice(0, 10), 'Nobody')).length).toBe(0);
    const last = await kith.services.usageDays.lastActiveDays(['acct0', 'acct1', 'never']);
    expect(last.get('acct0')).toBe(NOW.toISOString().slice(0, 10));
    expect(last.has('never')).toBe(false);
  });

  it('drops and counts events beyond a full buffer, and never throws when a write fails', async () => {
    const failing = {
      insertMany: async () => { throw new Error('down'); },
    } as unknown as ConstructorParameters<typeof UsageRecorder>[0]['events'];
    const days = { addAll: async () => { throw new Error('down'); } } as unknown as ConstructorParameters<typeof UsageRecorder>[0]['days'];
    const recorder = new UsageRecorder({ events: failing, days, log: kith.kith.app.log, limits: { maxBuffered: 5, flushAt: 1000 } });
    for (let i = 0; i < 8; i++) recorder.record(event('x', NOW));
    expect(recorder.buffered).toBe(5);
    expect(recorder.dropped).toBe(3);
    await expect(recorder.close()).resolves.toBeUndefined();
    expect(recorder.buffered).toBe(0);
  });
});

describe('the recorder with MongoDB unreachable', () => {
  it('runs at most one flush and queues at most one, whatever the timer and callers do', async () => {
    // Nothing listens on port 1: every write waits for server selection, then fails (as with MongoDB down).
    const client = new MongoClient('mongodb://127.0.0.1:1/kith?directConnection=true', { serverSelectionTimeoutMS: 300 });
    const db = client.db();
    const recorder = new UsageRecorder({
      events: new UsageEventsStore(db), days: new UsageDaysStore(db), log: kith.kith.app.log, limits: { flushEveryMs: 2, flushAt: 1_000_000 },
    });
    try {
      recorder.record(event('down', NOW));
      const first = recorder.flush();
      expect(recorder.pendingFlushes).toBe(1);
      // After the microtasks: the first flush has taken its batch and waits for MongoDB.
      await new Promise((resolve) => setImmediate(resolve));
      expect(recorder.buffered).toBe(0);
      // Buffered while it waits: the timer ticks many times meanwhile and must not queue flushes behind it.
      recorder.record(event('down', NOW));
      await first;
      expect(recorder.pendingFlushes).toBe(0);
      expect(recorder.buffered).toBe(1);

      const second = recorder.flush();
      recorder.record(event('down', NOW));
      const queued = recorder.flush();
      expect(queued).not.toBe(second);
      expect(recorder.pendingFlushes).toBe(2);
      for (let i = 0; i < 100; i++) {
        recorder.record(event('down', NOW));
        expect(recorder.flush()).toBe(queued);
      }
      expect(recorder.pendingFlushes).toBe(2);
      await second;
      // The queued flush is now the running one; nothing waits behind it.
      expect(recorder.pendingFlushes).toBe(1);
      // close() waits for it and at most one more.
      const closing = recorder.close();
      expect(recorder.pendingFlushes).toBe(2);
      await closing;
      await queued;
      expect(recorder.pendingFlushes).toBe(0);
      expect(recorder.buffered).toBe(0);
      await expect(recorder.flush()).resolves.toBeUndefined();
    } finally {
      await recorder.close();
      await client.close();
    }
  });
});

describe('retention', () => {
  it('deletes raw events past the period and keeps the rollup; an admin’s change takes effect', async () => {
    const usage = kith.services.usage;
    for (const ago of [0, 10, 29, 30, 31, 45, 200]) usage.record(event('ret', daysAgo(ago)));
    await usage.flush();
    const rollupBefore = await kith.services.usageDays.ofAccount('ret');
    expect(rollupBefore).toHaveLength(7);

    // 30 days (USAGE_RETENTION_DAYS): the events of days before 2025-05-31 go (31, 45 and 200 days ago).
    expect(await kith.services.usageRetention.prune(NOW)).toBe(3);
    expect((await kith.services.usageEvents.list({ account: 'ret' })).map((e) => e.day)).toEqual(['2025-05-31', '2025-06-01', '2025-06-20', '2025-06-30']);
    expect(await kith.services.usageDays.ofAccount('ret')).toEqual(rollupBefore);

    expect((await admin.api.put('/api/v1/kith/admin/analytics/settings', { retention_days: 15 })).status).toBe(200);
    expect(await kith.services.usageRetention.prune(NOW)).toBe(2);
    expect((await kith.services.usageEvents.list({ account: 'ret' })).map((e) => e.day)).toEqual(['2025-06-20', '2025-06-30']);
    expect(await kith.services.usageDays.ofAccount('ret')).toEqual(rollupBefore);
  });
});
