import type { Redis } from 'ioredis';
import type { Filter } from 'mongodb';
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { toAccountEntity, type Origin } from '../accounts/accounts.serialize.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { Viewer } from '../statuses/status-visibility.ts';
import { NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page } from '../shared/pagination.ts';
import { groupKeyFor } from './notification-groups.ts';
import { STATUS_TYPES, toNotificationEntity, type NotificationEntity } from './notifications.serialize.ts';
import type { NotificationQuery, NotificationRecord, NotificationsStore, NotificationType } from './notifications.store.ts';

export interface NotificationsDeps {
  store: NotificationsStore;
  accounts: AccountsService;
  statuses: StatusesService;
  events: EventBus;
  /** Key-prefixed connection (notification groups). */
  redis: Redis;
  origin: Origin;
}

/** What caused a notification. */
export interface NewNotification {
  /** Who is notified. */
  accountId: string;
  type: NotificationType;
  fromAccountId: string;
  statusId: string | null;
  /** Tells apart notifications that may repeat for one status (each edit notifies again). */
  version?: string;
}

/** A page of notification entities and the ids to page by. */
export interface NotificationPage {
  notifications: NotificationEntity[];
  pageIds: string[];
}

/** Notifications: created from domain events (notifications.handlers.ts), read and dismissed through the API. */
export class NotificationsService {
  private readonly store: NotificationsStore;
  private readonly accounts: AccountsService;
  private readonly statuses: StatusesService;
  private readonly events: EventBus;
  private readonly redis: Redis;
  private readonly origin: Origin;

  constructor(deps: NotificationsDeps) {
    this.store = deps.store;
    this.accounts = deps.accounts;
    this.statuses = deps.statuses;
    this.events = deps.events;
    this.redis = deps.redis;
    this.origin = deps.origin;
  }

  /**
   * Stores a notification and emits notification.created, unless it would notify someone of their
   * own action, the recipient is not a (non-suspended) account of this instance, or the same
   * notification exists already (a retried job). Returns the new record, or null.
   */
  async notify(input: NewNotification): Promise<NotificationRecord | null> {
    if (input.accountId === input.fromAccountId) return null;
    const recipient = await this.accounts.find(input.accountId);
    if (!recipient || recipient.domain !== null || recipient.suspended) return null;
    const now = new Date();
    const record: NotificationRecord = {
      _id: newId(now),
      accountId: input.accountId,
      type: input.type,
      fromAccountId: input.fromAccountId,
      statusId: input.statusId,
      dedupeKey: [input.accountId, input.type, input.fromAccountId, input.statusId ?? '-', input.version ?? ''].join(':'),
      groupKey: await groupKeyFor(this.redis, input.accountId, input.type, input.statusId, now),
      createdAt: now,
    };
    if (!(await this.store.insert(record))) return null;
    await this.events.emit('notification.created', { notificationId: record._id, accountId: record.accountId });
    return record;
  }

  /** Deletes notifications whose cause went away (an unfollow, a deleted status or boost). Returns how many. */
  withdraw(filter: Filter<NotificationRecord>): Promise<number> {
    return this.store.deleteWhere(filter);
  }

  /**
   * One page of an account's notifications, newest first. Notifications about statuses that are gone
   * or that the account may no longer see, or from accounts that are gone, are left out.
   */
  async page(accountId: string, query: NotificationQuery, page: Page): Promise<NotificationPage> {
    const records = await this.store.page(accountId, query, page);
    return { notifications: await this.serializeMany(records, accountId), pageIds: records.map((r) => r._id) };
  }

  /** One of the account's notifications; NotFound for another's, an unknown one, or one whose status is gone. */
  async get(accountId: string, id: string): Promise<NotificationEntity> {
    const record = await this.store.findOwn(accountId, id);
    const [entity] = record ? await this.serializeMany([record], accountId) : [];
    if (!entity) throw new NotFound();
    return entity;
  }

  /** Renders a notification for its recipient (the streaming "notification" payload), or null when it is gone. */
  async render(notificationId: string, accountId: string): Promise<NotificationEntity | null> {
    const record = await this.store.findOwn(accountId, notificationId);
    if (!record) return null;
    return (await this.serializeMany([record], accountId))[0] ?? null;
  }

  /** Dismisses one of the account's notifications; NotFound when it has none with this id. */
  async dismiss(accountId: string, id: string): Promise<void> {
    if (!(await this.store.deleteOwn(accountId, id))) throw new NotFound();
  }

  /** Dismisses every notification of the account. */
  async clear(accountId: string): Promise<void> {
    await this.store.deleteAllOf(accountId);
  }

  /** How many notifications match (newer than `afterId`, the read marker, when given), counting at most `limit`. */
  unreadCount(accountId: string, query: NotificationQuery, limit: number): Promise<number> {
    return this.store.count(accountId, query, limit);
  }

  /** Notification entities for one recipient, in order, loading accounts and statuses in batches. */
  async serializeMany(records: readonly NotificationRecord[], recipientId: string): Promise<NotificationEntity[]> {
    if (records.length === 0) return [];
    const viewer: Viewer = { _id: recipientId, domain: null };
    const statusIds = [...new Set(records.map((r) => r.statusId).filter((id): id is string => id !== null))];
    const [senders, statusEntities] = await Promise.all([
      this.accounts.getMany([...new Set(records.map((r) => r.fromAccountId))]),
      (async () => {
        const visible = await this.statuses.filterVisible(await this.statuses.getMany(statusIds), viewer);
        const entities = await this.statuses.serializeMany(visible, viewer);
        return new Map(entities.map((e) => [e.id, e]));
      })(),
    ]);
    const senderById = new Map(senders.filter((a) => !a.suspended).map((a) => [a._id, toAccountEntity(a, this.origin)]));
    const entities: NotificationEntity[] = [];
    for (const record of records) {
      const sender = senderById.get(record.fromAccountId);
      const status = record.statusId ? (statusEntities.get(record.statusId) ?? null) : null;
      if (!sender || (STATUS_TYPES.has(record.type) && !status)) continue;
      entities.push(toNotificationEntity(record, sender, status));
    }
    return entities;
  }
}
