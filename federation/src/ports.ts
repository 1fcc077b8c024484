import type { webcrypto } from 'node:crypto';

/**
 * Ports: the contract between `federation/` (which declares them) and `server/` (which implements them in
 * server/src/federation-ports.ts). No JSON-LD crosses this boundary: only plain data. See
 * docs/federation-design.md §3.
 */

/** Who may see a status. `local` never leaves the instance. */
export type Visibility = 'public' | 'unlisted' | 'private' | 'direct' | 'local';

/** A local account as the federation layer needs it to render a Person. */
export interface LocalActor {
  /** The account's database id (hex ObjectId). */
  accountId: string;
  /** The local username, without `@` or host. */
  username: string;
  /** The display name, plain text. */
  displayName: string;
  /** The profile note, already rendered and sanitized HTML. */
  noteHtml: string;
  /** Job title; rendered as the "Title" PropertyValue. Empty when unset. */
  title: string;
  /** Department; rendered as the "Department" PropertyValue. Empty when unset. */
  department: string;
  /** Location; rendered as the "Location" PropertyValue. Empty when unset. */
  location: string;
  /** The user's own profile fields, in order, as plain text (rendered as PropertyValues after the three above). */
  fields: { name: string; value: string }[];
  /** Whether follows need approval (`manuallyApprovesFollowers`). */
  locked: boolean;
  /** Whether the account is automated (rendered as a `Service` rather than a `Person`). */
  bot: boolean;
  /** Whether the actor is a department (rendered as a `Group`, docs/connectors-design.md §1); absent = false. */
  group?: boolean;
  /** Whether the account opts into discovery. */
  discoverable: boolean;
  /** A suspended account is served as a Tombstone (410). */
  suspended: boolean;
  /** Absolute URL of the avatar, or null. */
  avatarUrl: string | null;
  /** Absolute URL of the header image, or null. */
  headerUrl: string | null;
  /** When the account was created. */
  createdAt: Date;
}

/** A remote actor, already mapped from its Person document, ready to be stored as an account. */
export interface RemoteActorInput extends Omit<LocalActor, 'accountId' | 'suspended' | 'discoverable' | 'createdAt'> {
  /** The actor's id (ActivityPub IRI); the unique key for remote accounts. */
  uri: string;
  /** The actor's human-facing profile URL, or null. */
  url: string | null;
  /** The actor's normalized `host[:port]`. */
  host: string;
  /** The actor's personal inbox URL. */
  inboxUrl: string;
  /** The actor's shared inbox URL, or null. */
  sharedInboxUrl: string | null;
  /** The actor's followers collection URL, or null. */
  followersUrl: string | null;
}

/** A remote actor as stored here: its account, inboxes and when its document was last fetched. */
export interface KnownRemoteActor {
  accountId: string;
  uri: string;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  followersUrl: string | null;
  /** When the actor document was last fetched (or received in an Update); null when never recorded. */
  fetchedAt: Date | null;
  /** Suspended here, or deleted by its own Delete: its activities are refused. */
  suspended: boolean;
  /** A Group: another instance's department actor (docs/connectors-design.md §1). */
  group?: boolean;
}

/** A delivery target: a remote actor and its inboxes. */
export interface RemoteInbox {
  /** The remote actor's id. */
  actorUri: string;
  /** The remote actor's personal inbox. */
  inboxUrl: string;
  /** The remote actor's shared inbox, or null. */
  sharedInboxUrl: string | null;
}

/** An attachment of a Note: an Image or a Document with its alt text, at an absolute http(s) URL. */
export interface NoteAttachment {
  /** `image` becomes an Image, anything else a Document. */
  kind: 'image' | 'document';
  url: string;
  /** The MIME type, or null when a remote Note gave none. */
  mediaType: string | null;
  /** Alt text, plain text (the object's `name`); empty when none. */
  description: string;
  width: number | null;
  height: number | null;
}

/** A local status as the federation layer needs it to render a Note. */
export interface LocalNote {
  /** The status id. */
  statusId: string;
  /** The author's local username. */
  authorUsername: string;
  /** Rendered, sanitized HTML content. */
  contentHtml: string;
  /** Content warning, plain text; empty when none. */
  spoilerText: string;
  /** Whether media is marked sensitive. */
  sensitive: boolean;
  /** Who may see it. */
  visibility: Visibility;
  /** ISO 639 language code, or null. */
  language: string | null;
  /** The id (IRI) of the status it replies to, or null. */
  inReplyToUri: string | null;
  /** Hashtag names, without `#`. */
  tags: string[];
  /** Mentioned accounts: their actor IRI and `user@host` acct. */
  mentions: { uri: string; acct: string }[];
  /** When it was posted. */
  createdAt: Date;
  /** When it was last edited, or null. */
  editedAt: Date | null;
  /** When it was deleted, or null (then it is served as a Tombstone). */
  deletedAt: Date | null;
  /** For a boost, the IRI of the boosted status; otherwise null. */
  reblogOfUri: string | null;
  /** Its attachments, in order (absent: none). */
  attachments?: NoteAttachment[];
}

/** A remote Note, mapped and sanitized, ready to be stored as a status. */
export interface RemoteNoteInput {
  /** The Note's id (IRI); the unique key for remote statuses. */
  uri: string;
  /** The Note's human-facing URL, or null. */
  url: string | null;
  /** The local account id of the (already upserted) remote author. */
  authorId: string;
  /** Content HTML, already sanitized by mappers/sanitize-in.ts. */
  contentHtml: string;
  /** Content warning, plain text; empty when none. */
  spoilerText: string;
  /** Whether it is marked sensitive. */
  sensitive: boolean;
  /** Visibility derived from its addressing. */
  visibility: Visibility;
  /** ISO 639 language code, or null. */
  language: string | null;
  /** The IRI it replies to, or null. */
  inReplyToUri: string | null;
  /** Actor IRIs of mentioned accounts. */
  mentionUris: string[];
  /** Hashtag names, without `#`. */
  tags: string[];
  /** When it was published. */
  published: Date;
  /** When it was last updated, or null. */
  updated: Date | null;
  /** Its attachments (at most 4, http(s) URLs, never fetched); absent when none. */
  attachments?: NoteAttachment[];
}

/**
 * A relay Announce that arrived from a linked department (docs/connectors-design.md §5): the relayed
 * status is stored here already (fetched from its origin); `origins` are the department actors it
 * passed before the sender, in order.
 */
export interface RelayArrival {
  activityUri: string;
  senderUri: string;
  statusId: string;
  statusUri: string;
  origins: string[];
  /** The note that travels with it, sanitized HTML; empty when none. */
  noteHtml: string;
}

/** A relay to send: our department actor Announces `statusUri` to `targets` (other departments). */
export interface RelayOut {
  /** Unique per relay of a status by this instance; the Announce's id ends with it. */
  relayId: string;
  statusUri: string;
  noteHtml: string;
  /** The department actors before us, in order. */
  origins: string[];
  targets: RemoteInbox[];
}

/** An edit or deletion of company news to pass along the relay edges (docs/connectors-design.md §5). */
export interface RelayNotice {
  statusUri: string;
  change: 'update' | 'delete';
  /** What changed, as a stable token (the edit time, or `deleted`): one notice per version. */
  version: string;
  targets: RemoteInbox[];
}

/** One page of a collection: item IRIs and the cursor of the next page (null on the last page). */
export type Page = Promise<{ uris: string[]; next: string | null }>;

/** A key pair as JSON Web Keys, as stored by the server. */
export type JwkPair = { publicKey: webcrypto.JsonWebKey; privateKey: webcrypto.JsonWebKey };

/** An entry of the peer list (the allowlist); the server owns storage, admin API and CLI. */
export interface PeerEntry {
  /** Normalized `host[:port]` (lower case, default ports dropped), matched exactly. */
  host: string;
  /** `http` or `https`: the scheme used to reach the peer (loopback test peers use http). */
  scheme: 'http' | 'https';
  /** `allow` makes the host a peer; `block` refuses it in every mode (a block always wins). */
  state: 'allow' | 'block';
  /** Optional CIDR the peer's addresses must fall within (open mode, private addresses). */
  cidr?: string | null;
}

/** The domain-event payloads the federation layer subscribes to (a structural copy of the server's). */
export interface FederationEvents {
  /** A local status was posted. */
  'status.created': { statusId: string };
  /** A local status was edited. */
  'status.updated': { statusId: string };
  /** A local status was deleted. */
  'status.deleted': { statusId: string };
  /** A follow was created (pending when the target is locked). */
  'follow.created': { followerId: string; targetId: string; pending: boolean };
  /** A pending follow was accepted. */
  'follow.accepted': { followerId: string; targetId: string };
  /** A follow ended; `reason` says whether the target rejected it or the follower unfollowed. */
  'follow.removed': { followerId: string; targetId: string; reason?: 'rejected' | 'unfollowed' };
  /** A status was favourited. */
  'favourite.created': { accountId: string; statusId: string };
  /** A favourite was removed. */
  'favourite.removed': { accountId: string; statusId: string };
  /** A local account's profile changed. */
  'account.updated': { accountId: string };
}

/**
 * Everything the federation layer needs from the server.
 *
 * A port refuses what the rules forbid (unknown record, not allowed, invalid input) by throwing an
 * error with a 4xx `statusCode`; the inbox marks such an activity done instead of retrying it.
 */
export interface FederationPorts {
  /** Accounts, local and remote. */
  actors: {
    /** The local, non-remote account with this username, or null. */
    findLocal(username: string): Promise<LocalActor | null>;
    /** The account whose actor IRI is `uri` (local ones by their generated IRI); no network access. */
    idByUri(uri: string): Promise<{ accountId: string; local: boolean } | null>;
    /** Creates or updates a remote account by `uri` (sparse unique index); returns its account id. */
    upsertRemote(actor: RemoteActorInput): Promise<string>;
    /** The stored remote account whose actor IRI is `uri`, or null; no network access. */
    knownRemote(uri: string): Promise<KnownRemoteActor | null>;
    /** A remote actor deleted itself: its account is suspended, its statuses deleted, its follows removed both ways. */
    removeRemote(accountId: string): Promise<void>;
    /** The inboxes of a local account's remote followers: delivery targets. */
    remoteFollowerInboxes(accountId: string): Promise<RemoteInbox[]>;
    /** The inboxes of the given accounts that are remote (local ones are skipped). */
    inboxesOf(accountIds: readonly string[]): Promise<RemoteInbox[]>;
    /** The username of a local account by id; null for a remote or unknown one (events carry only ids). */
    localUsername(accountId: string): Promise<string | null>;
  };
  /** Signing keys. */
  keys: {
    /** The RSA and Ed25519 key pairs of an owner (an account id or `~instance`), created on first use. */
    keyPairs(ownerId: string): Promise<{ rsa: JwkPair; ed25519: JwkPair }>;
  };
  /** Follow relationships. */
  follows: {
    /** Records a remote Follow of a local account; `accepted` unless the target is locked. */
    receiveFollow(followerId: string, targetId: string, activityUri: string): Promise<'accepted' | 'pending'>;
    /** Applies a remote Accept/Reject of our follow, or an Undo of theirs. */
    remoteAnswer(followerId: string, targetId: string, answer: 'accept' | 'reject' | 'undo'): Promise<void>;
    /** A page of the actor IRIs following `accountId`; `cursor` null for the first page. */
    followersPage(accountId: string, cursor: string | null, limit: number): Page;
    /** A page of the actor IRIs `accountId` follows; `cursor` null for the first page. */
    followingPage(accountId: string, cursor: string | null, limit: number): Page;
    /** Accepted follower and following counts. */
    counts(accountId: string): Promise<{ followers: number; following: number }>;
  };
  /** Statuses. */
  statuses: {
    /** A local status by id, or null (also null for remote statuses). */
    getLocal(statusId: string): Promise<LocalNote | null>;
    /** Creates or edits a remote status by uri, through the same service path as local posts; returns its id. */
    receiveNote(note: RemoteNoteInput): Promise<string>;
    /**
     * Deletes the remote status `uri` if `actorId` is its author; false when not the author (no change).
     * The uri is remembered as deleted by `actorId` even when unknown (a Delete that overtook its Create),
     * and `receiveNote` refuses it from then on (403).
     */
    receiveDelete(uri: string, actorId: string): Promise<boolean>;
    /** The status whose IRI is `uri`, local or remote, or null. */
    idByUri(uri: string): Promise<{ statusId: string; authorId: string } | null>;
    /** The IRI and author of a status by id, local (its generated IRI) or remote; null when unknown. */
    uriOf(statusId: string): Promise<{ uri: string; authorId: string } | null>;
  };
  /** Likes and boosts from remote actors. */
  interactions: {
    /** Records a remote Like. */
    receiveLike(actorId: string, statusId: string, activityUri: string): Promise<void>;
    /** Removes a remote Like. */
    undoLike(actorId: string, statusId: string): Promise<void>;
    /** Records a remote Announce (boost) of a status, with the visibility its addressing gives it. */
    receiveAnnounce(actorId: string, statusId: string, activityUri: string, published: Date, visibility: 'public' | 'unlisted' | 'private'): Promise<void>;
    /** Removes a remote Announce by its activity IRI. */
    undoAnnounce(actorId: string, activityUri: string): Promise<void>;
  };
  /** Idempotency of inbound activities (collection `federation_inbound`, unique `_id`). */
  inboundLog: {
    /** Claims an activity: `new` first time, `retry` if a previous attempt did not finish, `done` if processed. */
    claim(activityId: string, type: string): Promise<'new' | 'retry' | 'done'>;
    /** Marks an activity as processed. */
    done(activityId: string): Promise<void>;
  };
  /** Deliveries given up on. */
  deadLetters: {
    /** Records a failed delivery (never the payload, which may hold private keys). */
    /** `jobId` is the kept failed job in `queue` (the admin retry's handle); '' when there is none. */
    record(d: { activityId: string | null; inbox: string; host: string; reason: string; jobId: string; queue?: string }): Promise<void>;
  };
  /** The server's EventBus, typed structurally. */
  events: {
    /** Subscribes a named, durable handler to a domain event. */
    on<K extends keyof FederationEvents>(e: K, name: string, h: (p: FederationEvents[K]) => Promise<void>): void;
  };
  /** This instance's department actor and its links (docs/connectors-design.md §1–2). */
  departments: {
    /** The username of the department actor (a Group), e.g. `sales`. */
    username(): string;
    /** Whether `actorUri` is the department actor of an active link. */
    isLinked(actorUri: string): Promise<boolean>;
    /** The actor ids of the linked departments (served as `/users/{slug}/links`). */
    linkedActors(): Promise<string[]>;
    /** The hosts of the company network beyond our links (§3): allowed for signed GETs, not as peers. */
    networkHosts(): Promise<string[]>;
  };
  /** Company news relayed between departments (docs/connectors-design.md §5). */
  relay: {
    /** A relay from a linked department arrived: record it (once per status), boost it locally, relay onward by policy. */
    receive(arrival: RelayArrival): Promise<void>;
    /** Whether the status `uri` is company news here (notices about anything else are refused). */
    isCompanyNews(uri: string): Promise<boolean>;
    /**
     * The notice to send after company news changed here (status.updated / status.deleted), claimed
     * once per version; null when the status is not company news, was relayed nowhere, or this
     * version was passed on already.
     */
    noticeFor(statusId: string, change: 'update' | 'delete'): Promise<RelayNotice | null>;
  };
  /** Adoption analytics shared with the company network (issue 6, item 3; docs/connectors-design.md §8). */
  adoption: {
    /**
     * This instance's aggregate report for a period of whole UTC days (the server's AdoptionReport):
     * counts, shares and names of departments, features and clients, never a person. Federation serves
     * only its declared fields (lookup/adoption-report.ts) and only to network members.
     */
    report(period: { from: string; to: string }): Promise<unknown>;
  };
  /** The peer list (allowlist and blocks). */
  peers: {
    /** All peer entries. */
    list(): Promise<PeerEntry[]>;
    /** Calls `cb` whenever the list changes (in any process). */
    onChange(cb: () => void): void;
  };
}
