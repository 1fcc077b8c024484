// The Prometheus metrics of one Kith instance: a prom-client Registry of its own (tests run several
// instances in one process, so the global default registry is never used). Request metrics are counted
// in memory by the HTTP hook; everything else is read when Prometheus scrapes, never per request.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { QUEUE_STATES, type QueueCounts } from './queue-metrics.ts';

export interface ActiveCounts {
  dau: number;
  wau: number;
  mau: number;
  registered: number;
}

interface WarnLog {
  warn(obj: object, msg?: string): void;
}

/** Where the scrape-time figures come from. */
export interface MetricsSources {
  queueCounts(): Promise<Map<string, QueueCounts>>;
  /** Dead letters not retried yet (one count query). */
  deadLetters(): Promise<number>;
  /** Failed outbound delivery attempts of this process so far (a running total). */
  deliveryFailures(): number;
  activeCounts(): Promise<ActiveCounts>;
  /** Usage events the recorder dropped in this process so far (a running total). */
  usageDropped(): number;
  log: WarnLog;
}

/** Active accounts change by the day; a scrape every 15 s reads usage rollups at most once a minute. */
const ACTIVE_COUNTS_TTL_MS = 60_000;

/** Request durations in seconds, up to the 30 s request timeout. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class KithMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route'>;
  private readonly sources: MetricsSources;
  private active: { at: number; counts: Promise<ActiveCounts> } | null = null;

  constructor(sources: MetricsSources) {
    this.sources = sources;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'kith_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'], registers,
    });
    this.durations = new Histogram({
      name: 'kith_http_request_duration_seconds', help: 'Time to answer HTTP requests, by method and route pattern.',
      labelNames: ['method', 'route'], buckets: DURATION_BUCKETS, registers,
    });

    const self = this;
    new Gauge({
      name: 'kith_queue_jobs', help: 'Jobs in the background queues, by queue and state (waiting, active, delayed, failed).',
      labelNames: ['queue', 'state'], registers,
      async collect() {
        this.reset();
        const counts = await self.safely('queue depths', () => sources.queueCounts());
        for (const [queue, byState] of counts ?? []) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, byState[state]);
        }
      },
    });
    new Gauge({
      name: 'kith_delivery_dead_letters', help: 'Federation deliveries given up on and not retried by an admin yet.', registers,
      async collect() {
        this.reset();
        const count = await self.safely('dead letters', () => sources.deadLetters());
        if (count !== null) this.set(count);
      },
    });
    runningTotal('kith_delivery_failures_total', 'Failed outbound federation delivery attempts in this process (each retry counts).', sources.deliveryFailures, registers);
    runningTotal('kith_usage_events_dropped_total', 'Usage events the recorder dropped in this process because its buffer was full (MongoDB down or too slow).', sources.usageDropped, registers);
    new Gauge({
      name: 'kith_active_accounts', help: 'Local accounts active today (day), in the last 7 days (week) and the last 30 days (month), UTC.',
      labelNames: ['window'], registers,
      async collect() {
        this.reset();
        const counts = await self.activeCounts();
        if (!counts) return;
        this.set({ window: 'day' }, counts.dau);
        this.set({ window: 'week' }, counts.wau);
        this.set({ window: 'month' }, counts.mau);
      },
    });
    new Gauge({
      name: 'kith_registered_accounts', help: 'Local people accounts, not suspended.', registers,
      async collect() {
        this.reset();
        const counts = await self.activeCounts();
        if (counts) this.set(counts.registered);
      },
    });
  }

  /** Counts one answered request; `route` is the route pattern (never the raw URL, to bound the label values). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Active accounts, read at most once a minute (both gauges share one read). */
  private async activeCounts(): Promise<ActiveCounts | null> {
    const now = Date.now();
    if (!this.active || now - this.active.at >= ACTIVE_COUNTS_TTL_MS) {
      const entry = { at: now, counts: Promise.resolve().then(() => this.sources.activeCounts()) };
      this.active = entry;
      // A failed read is not cached: the next scrape tries again.
      entry.counts.catch(() => {
        if (this.active === entry) this.active = null;
      });
    }
    return this.safely('active accounts', () => this.active!.counts);
  }

  /** A scrape-time read; a failure leaves its metric out (and is logged) instead of failing the whole scrape. */
  private async safely<T>(what: string, read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      this.sources.log.warn({ err }, `metrics: could not read ${what}`);
      return null;
    }
  }
}

/** A counter mirroring a running total kept elsewhere: it rises by what the total rose since the last scrape. */
function runningTotal(name: string, help: string, total: () => number, registers: Registry[]): void {
  let seen = 0;
  new Counter({
    name, help, registers,
    collect() {
      const now = total();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}
