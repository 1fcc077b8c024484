import type { StatusRecord } from '../statuses/status-record.ts';
import { queryPrefixes } from '../shared/search-terms.ts';
import { HASHTAG_PATTERN, isTagName, normalizeTag } from '../statuses/hashtag-names.ts';
import type { DayUsage, HashtagRecord, HashtagsStore } from './hashtags.store.ts';

/** A tag with its last seven days of use, newest day first (Mastodon's Tag history). */
export interface HashtagView {
  name: string;
  displayName: string;
  id: string | null;
  history: DayUsage[];
}

/** What a tag is known by; HashtagRecord, or a tag nobody used yet (no id). */
type TagIdentity = Pick<HashtagRecord, '_id' | 'displayName'> & { id: string | null };

const DAY_SECONDS = 24 * 3600;
const HISTORY_DAYS = 7;
// Statuses whose tags everyone on the instance may see. Tags of private and direct statuses are
// neither recorded nor counted: search and the tag lookup would otherwise tell anyone they exist.
const COUNTED = new Set<StatusRecord['visibility']>(['public', 'unlisted', 'local']);

/** The start (Unix seconds, UTC) of the day `at` falls on. */
export function dayOf(at: Date): number {
  return Math.floor(at.getTime() / 1000 / DAY_SECONDS) * DAY_SECONDS;
}

/** The hashtags in use on this instance: recorded from statuses, searched by prefix, with daily usage. */
export class HashtagsService {
  private readonly store: HashtagsStore;

  constructor(store: HashtagsStore) {
    this.store = store;
  }

  /**
   * Records the tags of a new or edited public, unlisted or local status (the status.created /
   * status.updated handler; idempotent). Private and direct statuses leave no trace.
   */
  async recordStatus(status: StatusRecord): Promise<void> {
    if (status.reblogOfId || status.deletedAt || status.tags.length === 0 || !COUNTED.has(status.visibility)) return;
    const usedAt = status.editedAt ?? status.createdAt;
    await Promise.all(status.tags.map((tag) => this.store.upsert(tag, displayNameIn(status.text, tag), usedAt)));
    await this.store.recordUse(status.tags, dayOf(status.createdAt), status._id, status.accountId);
  }

  /** Takes a deleted status out of the daily counts (the status.deleted handler; idempotent). */
  async forgetStatus(status: StatusRecord): Promise<void> {
    if (status.reblogOfId || status.tags.length === 0) return;
    await this.store.forgetUse(status.tags, dayOf(status.createdAt), status._id);
  }

  /** Tags whose name starts with each word of the query ("#" ignored), most recently used first. */
  async search(query: string, limit: number, offset: number): Promise<HashtagView[]> {
    const prefixes = queryPrefixes(query);
    if (prefixes.length === 0) return [];
    const exactName = normalizeTag(query.trim());
    const found = await this.store.search(prefixes, limit + (offset === 0 ? 1 : 0), offset);
    // The tag typed in full comes first, as in Mastodon.
    if (offset === 0) {
      const exact = found.findIndex((t) => t._id === exactName);
      if (exact > 0) found.unshift(...found.splice(exact, 1));
    }
    return this.withHistory(found.slice(0, limit));
  }

  /**
   * One tag by name (with or without "#"); a valid name nobody used yet is still a tag, with an
   * empty history (Mastodon answers the same). Null for a name that cannot be a hashtag.
   */
  async get(name: string, now = new Date()): Promise<HashtagView | null> {
    const raw = name.replace(/^#/, '');
    if (!isTagName(raw)) return null;
    const normalized = normalizeTag(raw);
    const record = (await this.store.findByNames([normalized])).get(normalized);
    const [view] = await this.withHistory([record ?? { _id: normalized, id: null, displayName: raw }], now);
    return view ?? null;
  }

  private async withHistory(tags: readonly TagIdentity[], now = new Date()): Promise<HashtagView[]> {
    const today = dayOf(now);
    const days = Array.from({ length: HISTORY_DAYS }, (_, i) => today - i * DAY_SECONDS);
    const usage = await this.store.usage(tags.map((t) => t._id), days);
    return tags.map((t) => ({
      name: t._id,
      displayName: t.displayName,
      id: t.id,
      history: usage.get(t._id) ?? days.map((day) => ({ day, uses: 0, accounts: 0 })),
    }));
  }
}

/** The tag as the author wrote it (first occurrence whose normalized form matches), else the normalized name. */
export function displayNameIn(text: string, tag: string): string {
  for (const match of text.matchAll(HASHTAG_PATTERN)) {
    if (normalizeTag(match[1]!) === tag) return match[1]!;
  }
  return tag;
}
