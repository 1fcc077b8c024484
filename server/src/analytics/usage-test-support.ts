// What the usage recording tests share: reading what was recorded, and the rollup the raw events imply.
import { expect } from 'vitest';
import type { TestInstance } from '../../test/harness.ts';
import { usageKey, type UsageDayRecord, type UsageEventRecord } from './usage.types.ts';

/** Writes what is buffered, then returns the account's raw events, oldest first. */
export async function recorded(kith: TestInstance, accountId: string): Promise<UsageEventRecord[]> {
  await kith.services.usage.flush();
  return kith.services.usageEvents.list({ account: accountId });
}

/** Runs `action`, then returns the account's events it added. */
export async function recordedDuring(kith: TestInstance, accountId: string, action: () => Promise<unknown>): Promise<UsageEventRecord[]> {
  const before = (await recorded(kith, accountId)).length;
  await action();
  return (await recorded(kith, accountId)).slice(before);
}

/** The rollup rows the raw events imply, computed independently of the recorder. */
export function expectedRollup(events: readonly UsageEventRecord[]): Map<string, Omit<UsageDayRecord, '_id' | 'department'>> {
  const rows = new Map<string, Omit<UsageDayRecord, '_id' | 'department'>>();
  for (const e of events) {
    const key = `${e.day}:${e.account}`;
    const row = rows.get(key) ?? { day: e.day, account: e.account, events: 0, features: {}, clients: {}, devices: {}, follows: 0, crossFollows: 0, replies: 0, crossReplies: 0 };
    rows.set(key, row);
    row.events++;
    row.features[e.feature] = (row.features[e.feature] ?? 0) + 1;
    row.clients[usageKey(e.client)] = (row.clients[usageKey(e.client)] ?? 0) + 1;
    row.devices[e.device] = (row.devices[e.device] ?? 0) + 1;
    if (e.feature === 'follow') (row.follows++, e.crossInstance && row.crossFollows++);
    if (e.feature === 'reply') (row.replies++, e.crossInstance && row.crossReplies++);
  }
  return rows;
}

/** Asserts that the usage_days rows of the accounts equal what their raw events imply. */
export async function expectRollupMatchesEvents(kith: TestInstance, accountIds: readonly string[]): Promise<void> {
  await kith.services.usage.flush();
  for (const account of accountIds) {
    const events = await kith.services.usageEvents.list({ account });
    const rows = await kith.services.usageDays.ofAccount(account);
    const expected = expectedRollup(events);
    expect(rows.map((r) => r._id).sort(), account).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      const { _id, department: _department, ...counts } = row;
      expect(counts, _id).toEqual(expected.get(_id));
    }
  }
}
