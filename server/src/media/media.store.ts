import type { Collection, Db } from 'mongodb';
import type { MediaRecord } from './media-record.ts';

/** MongoDB queries for attachments (collection "media_attachments"). */
export class MediaStore {
  readonly media: Collection<MediaRecord>;

  constructor(db: Db) {
    this.media = db.collection<MediaRecord>('media_attachments');
  }

  async ensureIndexes(): Promise<void> {
    await this.media.createIndexes([
      // The serving route finds files by their URL key.
      { key: { key: 1 }, name: 'key_unique', unique: true, partialFilterExpression: { key: { $type: 'string' } } },
      { key: { statusId: 1 }, name: 'status_id' },
      // The sweep of media nobody attached.
      { key: { pendingSince: 1 }, name: 'pending_since' },
    ]);
  }

  insert(record: MediaRecord): Promise<unknown> {
    return this.media.insertOne(record);
  }

  get(id: string): Promise<MediaRecord | null> {
    return this.media.findOne({ _id: id });
  }

  getByKey(key: string): Promise<MediaRecord | null> {
    return this.media.findOne({ key });
  }

  getMany(ids: readonly string[]): Promise<MediaRecord[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.media.find({ _id: { $in: [...ids] } }).toArray();
  }

  forStatus(statusId: string): Promise<MediaRecord[]> {
    return this.media.find({ statusId }).toArray();
  }

  /** Sets fields of the account's media that is still waiting for a status; null when there is none. */
  updatePending(id: string, accountId: string, set: Partial<Pick<MediaRecord, 'description' | 'focus'>>): Promise<MediaRecord | null> {
    return this.media.findOneAndUpdate({ _id: id, accountId, statusId: null }, { $set: set }, { returnDocument: 'after' });
  }

  /** Attaches those of `ids` that are the account's and free; returns how many were. */
  async attach(ids: readonly string[], accountId: string, statusId: string): Promise<number> {
    const result = await this.media.updateMany(
      { _id: { $in: [...ids] }, accountId, statusId: null, key: { $type: 'string' } },
      { $set: { statusId, pendingSince: null } },
    );
    return result.modifiedCount;
  }

  /** Makes the given media of a status wait for a status again (all of it without ids). */
  async detach(statusId: string, ids?: readonly string[]): Promise<void> {
    const filter = ids ? { statusId, _id: { $in: [...ids] } } : { statusId };
    await this.media.updateMany(filter, { $set: { statusId: null, pendingSince: new Date() } });
  }

  /** Local media waiting for a status since before `before`, at most `limit`. */
  pendingBefore(before: Date, limit: number): Promise<MediaRecord[]> {
    return this.media.find({ statusId: null, pendingSince: { $lt: before } }).limit(limit).toArray();
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.media.deleteMany({ _id: { $in: [...ids] } });
  }
}
