import type { MarkerRecord, MarkersStore, MarkerTimeline } from './markers.store.ts';

/** Read markers (Mastodon's /api/v1/markers): where an account stopped reading home and notifications. */
export class MarkersService {
  private readonly store: MarkersStore;

  constructor(store: MarkersStore) {
    this.store = store;
  }

  /** The account's saved markers among these timelines. */
  get(accountId: string, timelines: readonly MarkerTimeline[]): Promise<MarkerRecord[]> {
    return timelines.length === 0 ? Promise.resolve([]) : this.store.find(accountId, [...new Set(timelines)]);
  }

  /** Saves the markers given (timeline → last read id); returns them as saved. */
  async save(accountId: string, lastRead: Partial<Record<MarkerTimeline, string>>): Promise<MarkerRecord[]> {
    const saved: MarkerRecord[] = [];
    for (const [timeline, id] of Object.entries(lastRead) as [MarkerTimeline, string][]) {
      saved.push(await this.store.save(accountId, timeline, id));
    }
    return saved;
  }

  /** The notifications marker's last read id, or null when the account never saved one. */
  async lastReadNotification(accountId: string): Promise<string | null> {
    const [marker] = await this.store.find(accountId, ['notifications']);
    return marker?.lastReadId ?? null;
  }
}
