import type { Collection, Db } from 'mongodb';
import { pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

/**
 * A status that is company news here (collection "company_news", docs/connectors-design.md §5): one
 * record per status uri (unique index), however many ways it arrived.
 */
export interface CompanyNewsRecord {
  /** A snowflake: the company news timeline pages by it. */
  _id: string;
  /** The relayed status's ActivityPub id; unique. */
  statusUri: string;
  /** Its id here. */
  statusId: string;
  /** Every path it arrived by: the department actors before us, in order; `[]` when approved here. The first is shown. */
  paths: string[][];
  /** The note that travels with it (sanitized HTML); empty when none. */
  noteHtml: string;
  /** Who proposed it here (local account id), or null. */
  proposedBy: string | null;
  /** The local connector who approved relaying it from here, `auto` (link policy), or null (only received). */
  approvedBy: string | null;
  /** Our department actor's local boost of it. */
  boostId: string | null;
  /** The department actors we relayed it to (edits and deletions follow these edges). */
  relayedTo: string[];
  relayedAt: Date | null;
  /** The last change (edit time or `deleted`) passed on along relayedTo. */
  noticeVersion: string | null;
  createdAt: Date;
}

export class CompanyNewsStore {
  private readonly collection: Collection<CompanyNewsRecord>;

  constructor(db: Db) {
    this.collection = db.collection<CompanyNewsRecord>('company_news');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { statusUri: 1 }, name: 'status_uri', unique: true },
      { key: { statusId: 1 }, name: 'status_id' },
    ]);
  }

  /** Inserts the record; false when the status is company news here already (the unique index decides). */
  async insert(record: CompanyNewsRecord): Promise<boolean> {
    try {
      await this.collection.insertOne(record);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  findByUri(statusUri: string): Promise<CompanyNewsRecord | null> {
    return this.collection.findOne({ statusUri });
  }

  findByStatusId(statusId: string): Promise<CompanyNewsRecord | null> {
    return this.collection.findOne({ statusId });
  }

  /** Adds one more path it arrived by. */
  async addPath(statusUri: string, path: string[]): Promise<void> {
    await this.collection.updateOne({ statusUri }, { $push: { paths: path } });
  }

  async update(id: string, set: Partial<CompanyNewsRecord>): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: set });
  }

  /** Records the departments a relay went to. */
  async addRelayed(id: string, actors: string[], at: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $addToSet: { relayedTo: { $each: actors } }, $set: { relayedAt: at } });
  }

  /** Claims passing on `version` of a change: true once per version. */
  async claimNotice(id: string, version: string): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, noticeVersion: { $ne: version } }, { $set: { noticeVersion: version } });
    return result.modifiedCount === 1;
  }

  /** A page of records in the page's read order. */
  page(page: Page): Promise<CompanyNewsRecord[]> {
    const bounds = pageFilter(page);
    return this.collection.find(bounds ? { _id: bounds } : {}).sort({ _id: pageSortDirection(page) }).limit(page.limit).toArray();
  }
}
