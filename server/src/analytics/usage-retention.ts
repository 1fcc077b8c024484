// Raw usage events are kept for the retention period an admin sets (else USAGE_RETENTION_DAYS); the
// daily rollup, counts only, stays. Pruned at start and every hour by the process that runs jobs.
import type { FastifyBaseLogger } from 'fastify';
import type { AnalyticsSettingsService } from './analytics-settings.service.ts';
import type { UsageEventsStore } from './usage-events.store.ts';
import { usageDay } from './usage.types.ts';

const EVERY_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

export class UsageRetention {
  private readonly events: UsageEventsStore;
  private readonly settings: AnalyticsSettingsService;
  private readonly log: FastifyBaseLogger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(deps: { events: UsageEventsStore; settings: AnalyticsSettingsService; log: FastifyBaseLogger }) {
    this.events = deps.events;
    this.settings = deps.settings;
    this.log = deps.log;
  }

  /** The first day whose raw events are kept at `now`: today (UTC) minus the retention period. */
  async firstKeptDay(now = new Date()): Promise<string> {
    const days = await this.settings.retentionDays();
    return usageDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - days * DAY_MS));
  }

  /** Deletes the raw events of the days before the retention period; returns how many went. */
  async prune(now = new Date()): Promise<number> {
    return this.events.deleteBefore(await this.firstKeptDay(now));
  }

  /** Prunes now and every hour until stop() (the timer never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    const run = () => {
      this.running = this.prune().then(
        (deleted) => { if (deleted > 0) this.log.info({ deleted }, 'usage events past the retention period deleted'); },
        (error: unknown) => this.log.error({ err: error }, 'usage retention failed'),
      );
    };
    run();
    this.timer = setInterval(run, EVERY_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for a prune under way (before the connections close). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
