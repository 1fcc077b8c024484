// Usage events off the request path: record() only pushes to an in-memory buffer; a flush writes the raw
// events and the daily rollup in two batched writes, when 500 are buffered and every second.
import type { FastifyBaseLogger } from 'fastify';
import type { UsageEventsStore } from './usage-events.store.ts';
import type { UsageDayIncrement, UsageDaysStore } from './usage-days.store.ts';
import { usageDay, usageKey, type UsageEvent, type UsageEventRecord, type UsageSink } from './usage.types.ts';

export const FLUSH_AT = 500;
export const FLUSH_EVERY_MS = 1000;
/** Beyond this many buffered events (MongoDB down or far too slow), new events are dropped and counted. */
export const MAX_BUFFERED = 50_000;

export interface UsageRecorderDeps {
  events: UsageEventsStore;
  days: UsageDaysStore;
  log: FastifyBaseLogger;
  /** Tests and benches set smaller limits. */
  limits?: { flushAt?: number; maxBuffered?: number; flushEveryMs?: number };
}

/** The raw events of a batch as stored. */
export function toEventRecords(batch: readonly UsageEvent[]): UsageEventRecord[] {
  return batch.map((e) => {
    const record: UsageEventRecord = {
      day: usageDay(e.at), at: e.at, account: e.accountId, department: e.department, feature: e.feature, client: e.client, device: e.device,
    };
    if (e.crossInstance !== undefined) record.crossInstance = e.crossInstance;
    return record;
  });
}

/** A batch's counts per (day, account), as the rollup adds them; the department is that of the latest event. */
export function toDayIncrements(batch: readonly UsageEvent[]): UsageDayIncrement[] {
  const byKey = new Map<string, UsageDayIncrement & { latest: number }>();
  for (const e of batch) {
    const day = usageDay(e.at);
    const key = `${day}:${e.accountId}`;
    let row = byKey.get(key);
    if (!row) {
      // Every counter is present on every row, so readers can add them up without checking.
      row = { day, account: e.accountId, department: e.department, latest: -Infinity, inc: { events: 0, follows: 0, crossFollows: 0, replies: 0, crossReplies: 0 } };
      byKey.set(key, row);
    }
    const time = e.at.getTime();
    if (time >= row.latest) {
      row.latest = time;
      row.department = e.department;
    }
    const add = (field: string) => (row.inc[field] = (row.inc[field] ?? 0) + 1);
    add('events');
    add(`features.${e.feature}`);
    add(`clients.${usageKey(e.client)}`);
    add(`devices.${e.device}`);
    if (e.feature === 'follow') {
      add('follows');
      if (e.crossInstance) add('crossFollows');
    } else if (e.feature === 'reply') {
      add('replies');
      if (e.crossInstance) add('crossReplies');
    }
  }
  return [...byKey.values()].map(({ latest: _latest, ...row }) => row);
}

/** The UsageSink of this process (services.usage). */
export class UsageRecorder implements UsageSink {
  private readonly deps: UsageRecorderDeps;
  private readonly flushAt: number;
  private readonly maxBuffered: number;
  private buffer: UsageEvent[] = [];
  /**
   * At most one flush runs and at most one waits behind it: with MongoDB down each write can wait ~30 s for
   * server selection, and a flush per timer tick would pile up without bound (and close() would wait for all).
   * The queued one takes everything buffered when it starts, so every caller that joins it is served.
   */
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Events still being completed after their reply (look-ups under way); a flush waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private droppedTotal = 0;
  private droppedSinceLog = 0;
  private timer: NodeJS.Timeout | null;

  constructor(deps: UsageRecorderDeps) {
    this.deps = deps;
    this.flushAt = deps.limits?.flushAt ?? FLUSH_AT;
    this.maxBuffered = deps.limits?.maxBuffered ?? MAX_BUFFERED;
    this.timer = setInterval(() => {
      // A flush under way (or waiting) will take what is buffered: the timer adds nothing to the queue.
      if (this.running || this.queued) return;
      if (this.buffer.length > 0 || this.droppedSinceLog > 0) void this.flush();
    }, deps.limits?.flushEveryMs ?? FLUSH_EVERY_MS);
    // The timer never keeps a process (a CLI command, a test) alive.
    this.timer.unref();
  }

  /** Events dropped because the buffer was full, since the process started (Prometheus reads it). */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Events buffered and not written yet. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Flushes running or queued: 0, 1 or 2, however slow MongoDB is (tests check the bound). */
  get pendingFlushes(): number {
    return (this.running ? 1 : 0) + (this.queued ? 1 : 0);
  }

  /** Buffers one event (its `at` may be any date: tests and benches record past days); never throws. */
  record(event: UsageEvent): void {
    if (this.buffer.length >= this.maxBuffered) {
      this.droppedTotal++;
      this.droppedSinceLog++;
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length >= this.flushAt && !this.queued) void this.flush();
  }

  /** Lets a flush wait for an event still being completed (the usage hook's look-ups). */
  track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  /**
   * Writes everything buffered (and tracked) before the call; never rejects. With a flush running, the
   * call queues one flush after it, or joins the one already queued (which starts later, so takes all).
   */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.running) {
      const queued = this.running.then(() => {
        this.queued = null;
        return this.start();
      });
      this.queued = queued;
      return queued;
    }
    return this.start();
  }

  /** Stops the timer and writes what is left (shutdown, before the connections close). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private start(): Promise<void> {
    const run: Promise<void> = this.run().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async run(): Promise<void> {
    try {
      // Events still being completed when the flush starts (which covers those of every caller) go in too.
      await Promise.allSettled([...this.inFlight]);
      await this.drain();
    } catch (error) {
      this.deps.log.error({ err: error }, 'usage flush failed');
    }
  }

  private async drain(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    if (this.droppedSinceLog > 0) {
      this.deps.log.warn({ dropped: this.droppedSinceLog }, 'usage events dropped: the buffer was full');
      this.droppedSinceLog = 0;
    }
    if (batch.length === 0) return;
    try {
      await this.deps.events.insertMany(toEventRecords(batch));
    } catch (error) {
      // Some documents may have been written; the rollup is still added, as it is what the dashboard reads.
      this.deps.log.error({ err: error, events: batch.length }, 'usage events could not be written');
    }
    try {
      await this.deps.days.addAll(toDayIncrements(batch));
    } catch (error) {
      // Dropped, not retried: usage figures may lose a batch, the API must never wait for them.
      this.deps.log.error({ err: error, events: batch.length }, 'usage rollup could not be written; the batch is dropped');
    }
  }
}
