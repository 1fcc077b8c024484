// Relaying company news between departments (docs/connectors-design.md §5). A status becomes company
// news here once (unique statusUri) — approved here or arriving from a linked department — and then:
// our department actor boosts it with visibility `local` (its members see it once, at home; it never
// federates as a boost), and the relay Announce goes to our linked departments not on its path. An
// arrival over a link with policy `auto` whose hashtags match and whose daily cap is not reached goes
// on at once; any other waits in the connectors' queue (`incoming`). Every step is in the audit log.
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { RelayArrival, RelayNotice, RelayOut, RemoteInbox } from '@kith/federation';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { StatusInteractionsService } from '../statuses/status-interactions.service.ts';
import type { StatusRecord } from '../statuses/status-record.ts';
import { statusUri } from '../statuses/statuses.serialize.ts';
import type { DepartmentsService } from '../departments/departments.service.ts';
import type { ActiveLink, LinksService } from '../links/links.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { EventBus } from '../events/event-bus.ts';
import { Conflict, Forbidden, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { CompanyNewsRecord, CompanyNewsStore } from './company-news.store.ts';

/** News that arrived over a link and waits for a connector (the proposals service queues it). */
export interface IncomingNews {
  statusId: string;
  statusUri: string;
  path: string[];
  linkId: string;
  noteHtml: string;
  why: string;
}

export interface RelayDeps {
  store: CompanyNewsStore;
  accounts: AccountsService;
  statuses: StatusesService;
  statusInteractions: StatusInteractionsService;
  departments: DepartmentsService;
  links: LinksService;
  audit: AuditService;
  /** `news.relayed` once a status becomes company news here (achievements). */
  events: EventBus;
  /** Key-prefixed connection (the daily caps' counters). */
  redis: Redis;
  origin: { publicUrl: string; domain: string };
  log: FastifyBaseLogger;
}

const DAY_SECONDS = 24 * 60 * 60;

export class RelayService {
  private readonly deps: RelayDeps;
  private send: (out: RelayOut) => Promise<void> = async () => {};
  private queueIncoming: (news: IncomingNews) => Promise<void> = async () => {};

  constructor(deps: RelayDeps) {
    this.deps = deps;
  }

  /** Connects federation's sender of relay Announces (kith.ts). */
  attachSender(send: (out: RelayOut) => Promise<void>): void {
    this.send = send;
  }

  /** Connects the connectors' queue for arrivals that need a review (the proposals service). */
  onIncoming(queue: (news: IncomingNews) => Promise<void>): void {
    this.queueIncoming = queue;
  }

  /** Our department actor's id. */
  async ownActorUri(): Promise<string> {
    return `${this.deps.origin.publicUrl}/users/${(await this.deps.departments.departmentAccount()).username}`;
  }

  /** The ActivityPub id of a status here. */
  async uriOf(status: StatusRecord): Promise<string> {
    const author = await this.deps.accounts.get(status.accountId);
    return statusUri(status, author, this.deps.origin);
  }

  findByUri(uri: string): Promise<CompanyNewsRecord | null> {
    return this.deps.store.findByUri(uri);
  }

  async isCompanyNews(uri: string): Promise<boolean> {
    return (await this.deps.store.findByUri(uri)) !== null;
  }

  /**
   * A connector approved a proposal: the status becomes company news here and is relayed to every
   * linked department. Conflict when it is company news already.
   */
  async publish(status: StatusRecord, by: { connector: AccountRecord; proposedBy: string | null; noteHtml: string }): Promise<CompanyNewsRecord> {
    const uri = await this.uriOf(status);
    const record = this.newRecord(status._id, uri, [], by.noteHtml, by.proposedBy, by.connector._id);
    if (!(await this.deps.store.insert(record))) throw new Conflict('Validation failed: This status is company news already');
    await this.newsCreated(record);
    await this.boost(record);
    await this.relayOnward(record, [], by.connector);
    return record;
  }

  /** A connector approved news waiting in the queue: it goes on to our other links. */
  async approveIncoming(statusUri: string, path: string[], connector: AccountRecord, noteHtml: string): Promise<void> {
    const record = await this.deps.store.findByUri(statusUri);
    if (!record) throw new NotFound();
    if (noteHtml !== '' && noteHtml !== record.noteHtml) await this.deps.store.update(record._id, { noteHtml, approvedBy: connector._id });
    else await this.deps.store.update(record._id, { approvedBy: connector._id });
    await this.relayOnward({ ...record, noteHtml: noteHtml || record.noteHtml }, path, connector);
  }

  /** A relay from a linked department (federation ports). */
  async receive(arrival: RelayArrival): Promise<void> {
    const link = (await this.deps.links.activeLinks()).find((l) => l.actorUri === arrival.senderUri);
    if (!link) throw new Forbidden('Relays are accepted from linked departments only');
    const sender = { remote: arrival.senderUri, handle: link.name };
    const status = (await this.deps.statuses.getIncludingDeleted([arrival.statusId])).get(arrival.statusId);
    if (!status || status.deletedAt || (status.visibility !== 'public' && status.visibility !== 'unlisted')) throw new Forbidden('Only public and unlisted statuses are company news');
    const path = [...arrival.origins, arrival.senderUri];
    // The status's own uri, not the sender's spelling of it (a case variant of ours must not make a second record).
    const statusUri = await this.uriOf(status);
    const record = this.newRecord(arrival.statusId, statusUri, [path], arrival.noteHtml, null, null);
    if (!(await this.deps.store.insert(record))) {
      // Here already: the path is remembered, nobody sees it again, and it goes nowhere else.
      await this.deps.store.addPath(statusUri, path);
      await this.deps.audit.record(sender, 'received', statusUri, `again, via ${await this.pathText(path)}`);
      return;
    }
    await this.deps.audit.record(sender, 'received', statusUri, `via ${await this.pathText(path)}`);
    await this.newsCreated(record);
    await this.boost(record);
    const onward = await this.onwardTargets(path);
    if (onward.length === 0) return;
    const why = await this.autoRelayRefusal(link, status.tags);
    if (why === null) {
      await this.deps.store.update(record._id, { approvedBy: 'auto' });
      await this.relayOnward(record, path, await this.deps.departments.departmentAccount(), 'auto');
      return;
    }
    await this.queueIncoming({ statusId: arrival.statusId, statusUri, path, linkId: link.linkId, noteHtml: arrival.noteHtml, why });
  }

  /** The notice to pass on after company news changed here, once per version (federation ports). */
  async noticeFor(statusId: string, change: 'update' | 'delete'): Promise<RelayNotice | null> {
    const record = await this.deps.store.findByStatusId(statusId);
    if (!record || record.relayedTo.length === 0) return null;
    const status = (await this.deps.statuses.getIncludingDeleted([statusId])).get(statusId);
    if (!status) return null;
    const version = change === 'delete' || status.deletedAt ? 'deleted' : (status.editedAt ?? status.createdAt).toISOString();
    if (!(await this.deps.store.claimNotice(record._id, version))) return null;
    const targets = (await this.deps.links.activeLinks()).filter((l) => record.relayedTo.includes(l.actorUri)).map(inboxOf);
    return { statusUri: record.statusUri, change: version === 'deleted' ? 'delete' : 'update', version, targets };
  }

  /** Company news records, for the timeline. */
  page(page: Parameters<CompanyNewsStore['page']>[0]): Promise<CompanyNewsRecord[]> {
    return this.deps.store.page(page);
  }

  /** Our linked departments that a relay along `path` has not passed yet. */
  private async onwardTargets(path: readonly string[]): Promise<ActiveLink[]> {
    return (await this.deps.links.activeLinks()).filter((l) => !path.includes(l.actorUri));
  }

  /** Why news arriving over `link` is not relayed on by itself, or null when it is (policy, §2). */
  private async autoRelayRefusal(link: ActiveLink, tags: readonly string[]): Promise<string | null> {
    const { approval, hashtags, dailyCap } = link.policy;
    if (approval !== 'auto') return 'the link’s policy queues news for review';
    const lower = tags.map((t) => t.toLowerCase());
    if (hashtags.length > 0 && !hashtags.some((h) => lower.includes(h))) return `no hashtag of ${hashtags.map((h) => `#${h}`).join(' ')}`;
    if (dailyCap !== null) {
      const key = `relay-cap:${link.linkId}:${new Date().toISOString().slice(0, 10)}`;
      const count = await this.deps.redis.incr(key);
      if (count === 1) await this.deps.redis.expire(key, 2 * DAY_SECONDS);
      if (count > dailyCap) {
        await this.deps.redis.decr(key);
        return `the link’s daily cap of ${dailyCap} is reached`;
      }
    }
    return null;
  }

  /** Sends the relay Announce to our links not on `path`; records and audits it. */
  private async relayOnward(record: CompanyNewsRecord, path: string[], by: AccountRecord, how = ''): Promise<void> {
    const targets = await this.onwardTargets(path);
    if (targets.length === 0) return;
    await this.send({ relayId: record._id, statusUri: record.statusUri, noteHtml: record.noteHtml, origins: path, targets: targets.map(inboxOf) });
    await this.deps.store.addRelayed(record._id, targets.map((t) => t.actorUri), new Date());
    const names = targets.map((t) => t.name).join(', ');
    await this.deps.audit.record(by, 'relayed', record.statusUri, `${how ? `${how}: ` : ''}to ${names}`);
  }

  // Emitted right after the record is stored, the one write that makes the status company news here, so a
  // later step that fails (boost, relay) cannot lose it; a status of ours relayed back to us arrives here too.
  private async newsCreated(record: CompanyNewsRecord): Promise<void> {
    await this.deps.events.emit('news.relayed', { statusId: record.statusId, at: record.createdAt.toISOString() });
  }

  /** Our department actor's local boost: its members see the news once, in their home timelines. */
  private async boost(record: CompanyNewsRecord): Promise<void> {
    const department = await this.deps.departments.departmentAccount();
    const boost = await this.deps.statusInteractions.reblog(department, record.statusId, 'local');
    await this.deps.store.update(record._id, { boostId: boost._id });
  }

  /** "sales → engineering" for a path of department actor ids. */
  async pathText(path: readonly string[]): Promise<string> {
    return (await this.departmentsOf(path)).map((d) => d.department).join(' → ');
  }

  /** The departments of a path, by name and host. */
  async departmentsOf(path: readonly string[]): Promise<{ department: string; host: string; actor: string }[]> {
    return Promise.all(path.map(async (actor) => {
      const account = await this.deps.accounts.findByUri(actor);
      return { department: account?.displayName || account?.username || actor, host: new URL(actor).host, actor };
    }));
  }

  private newRecord(statusId: string, uri: string, paths: string[][], noteHtml: string, proposedBy: string | null, approvedBy: string | null): CompanyNewsRecord {
    const now = new Date();
    return {
      _id: newId(now), statusUri: uri, statusId, paths, noteHtml, proposedBy, approvedBy, boostId: null,
      relayedTo: [], relayedAt: null, noticeVersion: null, createdAt: now,
    };
  }
}

function inboxOf(link: ActiveLink): RemoteInbox {
  return { actorUri: link.actorUri, inboxUrl: link.inboxUrl, sharedInboxUrl: link.sharedInboxUrl };
}
