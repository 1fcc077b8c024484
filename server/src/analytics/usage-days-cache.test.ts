// The Redis cache of past days' rollup rows: it is really used (a change made behind its back does not show),
// a write through the recorder makes the day's cached rows stale at once, and today's rows always come from
// MongoDB.
import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';
import { usageDay, type UsageDayRecord, type UsageEvent } from './usage.types.ts';

let kith: TestInstance;
let client: MongoClient;
let days: Collection<UsageDayRecord>;

beforeAll(async () => {
  kith = await startTestInstance();
  client = await MongoClient.connect(inject('mongoUrl'));
  days = client.db(kith.config.mongodbDatabase).collection<UsageDayRecord>('usage_days');
});

afterAll(async () => {
  await client?.close();
  await kith?.close();
});

const PAST = '2025-03-10';
const event = (accountId: string, at: Date): UsageEvent => ({ accountId, department: 'Ops', feature: 'post', client: 'Web', device: 'desktop', at });
const eventsOf = async (day: string) => (await kith.services.usageDays.between(day, day)).reduce((sum, r) => sum + r.events, 0);

describe('cached rollup rows', () => {
  it('serves a past day from Redis until a write to that day, which shows at once', async () => {
    const { usage, usageDays } = kith.services;
    for (let i = 0; i < 6; i++) usage.record(event(`acct${i % 3}`, new Date(`${PAST}T0${i}:00:00Z`)));
    await usage.flush();
    expect(await eventsOf(PAST)).toBe(6);
    expect((await usageDays.between(PAST, PAST)).map((r) => r.account).sort()).toEqual(['acct0', 'acct1', 'acct2']);

    // Changed behind the cache's back: the cached rows still answer, so the cache is what is read.
    await days.updateOne({ _id: `${PAST}:acct0` }, { $inc: { events: 100 } });
    expect(await eventsOf(PAST)).toBe(6);

    // A write through the recorder bumps the day's version: everything written since shows.
    usage.record(event('acct3', new Date(`${PAST}T12:00:00Z`)));
    await usage.flush();
    expect(await eventsOf(PAST)).toBe(107);
    expect(await usageDays.between(PAST, PAST, 'Ops')).toHaveLength(4);
    expect(await usageDays.between(PAST, PAST, 'Sales')).toHaveLength(0);
  });

  it('never caches today', async () => {
    const today = usageDay(new Date());
    kith.services.usage.record(event('now', new Date()));
    await kith.services.usage.flush();
    // The day may have turned since the event: read the day the row is on.
    const row = (await days.findOne({ account: 'now' }))!;
    if (row.day !== today) return;
    const before = await eventsOf(today);
    await days.updateOne({ _id: row._id }, { $inc: { events: 5 } });
    expect(await eventsOf(today)).toBe(before + 5);
  });
});
