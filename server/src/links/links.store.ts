import type { Collection, Db } from 'mongodb';

/**
 * Where a link stands (docs/connectors-design.md §2):
 * `awaiting_peering` — LINK_PEERING=admin and the other host is not a peer yet: waits for an admin;
 * `requested` — we asked, our Follow is out; `requested_by_them` — they asked, in our connectors' queue;
 * `active` — both department actors follow each other; `declined`, `unlinked` — ended.
 */
export type LinkState = 'awaiting_peering' | 'requested' | 'requested_by_them' | 'active' | 'declined' | 'unlinked';
export const LINK_STATES: readonly LinkState[] = ['awaiting_peering', 'requested', 'requested_by_them', 'active', 'declined', 'unlinked'];

/** Per-link relay policy (§2, used by the relay code of §5). */
export interface LinkPolicy {
  /** `auto`: news arriving over this link is relayed onward without review; `queue`: connectors review it. */
  approval: 'queue' | 'auto';
  /** Relay onward only news carrying one of these hashtags (lower case, no `#`); empty = all. */
  hashtags: string[];
  /** Relays per UTC day over this link, onward; null = no cap. */
  dailyCap: number | null;
}

export const DEFAULT_LINK_POLICY: LinkPolicy = { approval: 'queue', hashtags: [], dailyCap: null };

/** A link between our department actor and another instance's (collection "kith_links"), one per remote department. */
export interface LinkRecord {
  _id: string;
  /** The other department actor's id (IRI); unique. */
  remoteActorUri: string;
  /** Its normalized host[:port]. */
  remoteHost: string;
  remoteScheme: 'http' | 'https';
  /** Its account here, once looked up (null while waiting for peering before the lookup). */
  remoteAccountId: string | null;
  /** Its display name (the other INSTANCE_NAME), or the handle asked for. */
  remoteName: string;
  remoteInboxUrl: string | null;
  remoteSharedInboxUrl: string | null;
  state: LinkState;
  /** Who asked first: us (`outgoing`) or them (`incoming`). */
  direction: 'outgoing' | 'incoming';
  /** The local connector who asked, or `remote:<actor uri>` when they asked. */
  requestedBy: string;
  /** The local connector who accepted their request; `remote:<uri>` when they accepted ours. */
  acceptedBy: string | null;
  /** The local account or `remote:<uri>` that declined or unlinked it. */
  endedBy: string | null;
  /** The reason given with a decline. */
  reason: string;
  createdAt: Date;
  updatedAt: Date;
  /** When it became active; null until then. */
  since: Date | null;
  policy: LinkPolicy;
}

export class LinksStore {
  private readonly collection: Collection<LinkRecord>;

  constructor(db: Db) {
    this.collection = db.collection<LinkRecord>('kith_links');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { remoteActorUri: 1 }, name: 'remote_actor', unique: true },
      { key: { state: 1 }, name: 'state' },
    ]);
  }

  find(id: string): Promise<LinkRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  findByActor(remoteActorUri: string): Promise<LinkRecord | null> {
    return this.collection.findOne({ remoteActorUri });
  }

  findByAccount(remoteAccountId: string): Promise<LinkRecord | null> {
    return this.collection.findOne({ remoteAccountId });
  }

  /** Inserts a link, or replaces the ended one of the same remote actor (a link can be asked for again). */
  async put(record: LinkRecord): Promise<LinkRecord> {
    const { _id, ...rest } = record;
    const after = await this.collection.findOneAndUpdate(
      { remoteActorUri: record.remoteActorUri },
      { $set: rest, $setOnInsert: { _id } },
      { upsert: true, returnDocument: 'after' },
    );
    return after ?? record;
  }

  /** Changes a link if it is still in one of `from` states; null when it was not (someone else moved it). */
  async update(id: string, from: readonly LinkState[], set: Partial<LinkRecord>): Promise<LinkRecord | null> {
    return this.collection.findOneAndUpdate({ _id: id, state: { $in: [...from] } }, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' });
  }

  list(states: readonly LinkState[] | null): Promise<LinkRecord[]> {
    return this.collection.find(states ? { state: { $in: [...states] } } : {}).sort({ _id: -1 }).limit(1000).toArray();
  }
}
