import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import { EventBus } from './events/event-bus.ts';
import { AccountsStore } from './accounts/accounts.store.ts';
import { AccountsService } from './accounts/accounts.service.ts';
import { FollowsStore } from './follows/follows.store.ts';
import { FollowsService } from './follows/follows.service.ts';
import { OAuthStore } from './oauth/oauth.store.ts';
import { OAuthService } from './oauth/oauth.service.ts';
import { InvitesStore } from './invites/invites.store.ts';
import { InvitesService } from './invites/invites.service.ts';
import { RegistrationService } from './invites/registration.service.ts';
import { RegistrationModeStore } from './invites/registration-mode.store.ts';
import { RegistrationModeService } from './invites/registration-mode.service.ts';
import { AdminService } from './admin/admin.service.ts';
import { StatusesStore } from './statuses/statuses.store.ts';
import { StatusRelationsStore } from './statuses/status-relations.store.ts';
import { StatusesService } from './statuses/statuses.service.ts';
import { StatusInteractionsService } from './statuses/status-interactions.service.ts';
import { RemoteTombstones } from './statuses/remote-tombstones.ts';
import { cachedApplicationLookup } from './statuses/status-applications.ts';
import { HealthService } from './health/health.service.ts';
import { InstanceService } from './instance/instance.service.ts';
import { HashtagsStore } from './search/hashtags.store.ts';
import { HashtagsService } from './search/hashtags.service.ts';
import { SearchService } from './search/search.service.ts';
import { RemoteDirectory } from './search/remote-directory.ts';
import { registerSearchHandlers } from './search/search.handlers.ts';
import { StreamPublisher } from './streaming/publisher.ts';
import { StreamingService } from './streaming/streaming.service.ts';
import { registerStreamingHandlers } from './streaming/streaming.handlers.ts';
import { FeedStore } from './timelines/feed-store.ts';
import { TimelinesService } from './timelines/timelines.service.ts';
import { registerTimelineHandlers } from './timelines/timelines.handlers.ts';
import { NotificationsStore } from './notifications/notifications.store.ts';
import { NotificationsService } from './notifications/notifications.service.ts';
import { registerNotificationHandlers } from './notifications/notifications.handlers.ts';
import { MarkersStore } from './notifications/markers.store.ts';
import { MarkersService } from './notifications/markers.service.ts';
import { PeersStore } from './peers/peers.store.ts';
import { PeersService } from './peers/peers.service.ts';
import { InboundLogStore } from './federation-state/inbound-log.store.ts';
import { ActorKeysStore } from './federation-state/actor-keys.store.ts';
import { DeadLettersStore } from './federation-state/dead-letters.store.ts';
import { FederationStateService } from './federation-state/federation-state.service.ts';
import { createDeadJobRetrier } from '@kith/federation';
import { DepartmentsService } from './departments/departments.service.ts';
import { AuditStore } from './audit/audit.store.ts';
import { AuditService } from './audit/audit.service.ts';
import { LinksStore } from './links/links.store.ts';
import { LinksService } from './links/links.service.ts';
import { NetworkService } from './links/network.service.ts';
import { CompanyAdoptionService } from './analytics/company-adoption.ts';
import { CompanyNewsStore } from './company-news/company-news.store.ts';
import { RelayService } from './company-news/relay.service.ts';
import { ProposalsStore } from './proposals/proposals.store.ts';
import { ProposalsService } from './proposals/proposals.service.ts';
import { MediaStore } from './media/media.store.ts';
import { MediaFiles } from './media/media-files.ts';
import { MediaService } from './media/media.service.ts';
import { SessionsStore } from './sessions/sessions.store.ts';
import { SessionsService } from './sessions/sessions.service.ts';
import { OnboardingStore } from './onboarding/onboarding.store.ts';
import { OnboardingService } from './onboarding/onboarding.service.ts';
import { PushKeysStore } from './push/push-keys.store.ts';
import { PushSubscriptionsStore } from './push/push-subscriptions.store.ts';
import { PushDeliveryQueue } from './push/push-delivery-queue.ts';
import { PushService } from './push/push.service.ts';
import { registerPushHandlers } from './push/push.handlers.ts';
import { vapidSubject } from './push/vapid-subject.ts';
import { UsageEventsStore } from './analytics/usage-events.store.ts';
import { UsageDaysStore } from './analytics/usage-days.store.ts';
import { UsageDaysCache } from './analytics/usage-days-cache.ts';
import { UsageRecorder } from './analytics/usage-recorder.ts';
import { UsageClients } from './analytics/usage-client.ts';
import { UsageRetention } from './analytics/usage-retention.ts';
import { AnalyticsService } from './analytics/analytics.service.ts';
import { AnalyticsSettingsStore } from './analytics/analytics-settings.store.ts';
import { AnalyticsSettingsService } from './analytics/analytics-settings.service.ts';
import { AchievementsStore } from './achievements/achievements.store.ts';
import { AchievementsService } from './achievements/achievements.service.ts';
import { registerAchievementHandlers } from './achievements/achievements.handlers.ts';

/** Connections the services run on; created by main.ts (or the test harness, or the CLI). */
export interface Infra {
  config: Config;
  db: Db;
  /** Key-prefixed connection for this instance's keys. */
  redis: Redis;
  /** Unprefixed connection for BullMQ and pub/sub, which namespace keys themselves. */
  redisConnection: Redis;
  log: FastifyBaseLogger;
}

export interface Services {
  events: EventBus;
  accounts: AccountsService;
  follows: FollowsService;
  oauth: OAuthService;
  invites: InvitesService;
  registration: RegistrationService;
  /** The registration mode in force: an admin's choice, else REGISTRATION_MODE. */
  registrationMode: RegistrationModeService;
  admin: AdminService;
  statuses: StatusesService;
  statusInteractions: StatusInteractionsService;
  /** Remote status uris deleted by their authors (a Delete that overtook its Create). */
  remoteTombstones: RemoteTombstones;
  health: HealthService;
  instance: InstanceService;
  hashtags: HashtagsService;
  search: SearchService;
  /** Accounts and statuses of other instances (federation's lookup is attached in kith.ts). */
  remoteDirectory: RemoteDirectory;
  streaming: StreamingService;
  timelines: TimelinesService;
  notifications: NotificationsService;
  markers: MarkersService;
  peers: PeersService;
  federationState: FederationStateService;
  /** Uploads (GridFS) and the attachments of statuses. */
  media: MediaService;
  /** The web app's cookie sessions. */
  sessions: SessionsService;
  /** The web app's first-run checklist. */
  onboarding: OnboardingService;
  /** Web Push (Mastodon's push API) and the sending of notifications to subscriptions. */
  push: PushService;
  /** The department actor (docs/connectors-design.md §1). */
  departments: DepartmentsService;
  /** The connectors' audit log (§6). */
  audit: AuditService;
  /** Links between department actors (§2). */
  links: LinksService;
  /** The company network map (§3). */
  network: NetworkService;
  /** Adoption across the company network: our report beside the members' (issue 6, item 3). */
  companyAdoption: CompanyAdoptionService;
  /** Company news and its relaying between departments (§5). */
  relay: RelayService;
  /** Proposals and the connectors' review queue (§4). */
  proposals: ProposalsService;
  /** Usage events (issue 6): buffered in memory, written in batches with their daily rollup. */
  usage: UsageRecorder;
  /** The daily usage rollup (usage_days), read by the adoption figures. */
  usageDays: UsageDaysStore;
  /** Raw usage events (usage_events), kept for the retention period. */
  usageEvents: UsageEventsStore;
  /** Client labels of callers, for usage events. */
  usageClients: UsageClients;
  /** Deletes raw usage events past the retention period (started by kith.ts when RUN_JOBS). */
  usageRetention: UsageRetention;
  /** Adoption figures: dashboard, inactive accounts, CSV, the shared report, active-user gauges (issue 6). */
  analytics: AnalyticsService;
  /** Usage retention and the achievements switch, set by admins. */
  analyticsSettings: AnalyticsSettingsService;
  /** Achievements on profiles (issue 6, item 5). */
  achievements: AchievementsService;
}

interface Indexed {
  ensureIndexes(): Promise<void>;
}

/** Every service, wired together, and a way to create their indexes; starts no worker. */
export interface Composition {
  services: Services;
  ensureIndexes(): Promise<void>;
}

/** Builds every service and registers their event handlers. */
export function createServices(infra: Infra): Composition {
  const { config, db, redis, redisConnection, log } = infra;
  const events = new EventBus(redisConnection, `${config.redisPrefix}bull`, log);
  const stores: Indexed[] = [];
  const indexed = <T extends Indexed>(store: T): T => (stores.push(store), store);

  // Services in dependency order; a service gets the services it calls, never another domain's store.
  const accounts = new AccountsService(indexed(new AccountsStore(db, redis)), events, { publicUrl: config.publicUrl, domain: config.domain });
  const follows = new FollowsService(indexed(new FollowsStore(db)), accounts, redis, events);
  const oauth = new OAuthService(indexed(new OAuthStore(db)), accounts, redis);
  const sessions = new SessionsService(indexed(new SessionsStore(db)), accounts, redis);
  // The department service is built below; the step asks it only when a checklist is read.
  const onboarding = new OnboardingService(indexed(new OnboardingStore(db)), accounts, async (accountId) =>
    follows.isFollowing(accountId, (await departments.departmentAccount())._id),
  async () => new Set(await follows.followerIds((await departments.departmentAccount())._id)));
  const invites = new InvitesService(indexed(new InvitesStore(db)));
  const registrationMode = new RegistrationModeService(indexed(new RegistrationModeStore(db)), redis, config.registrationMode);
  const registration = new RegistrationService(() => registrationMode.effective(), accounts, invites, oauth);
  const admin = new AdminService(accounts);
  const remoteDirectory = new RemoteDirectory(accounts, config.domain);
  const media = new MediaService({
    store: indexed(new MediaStore(db)), files: new MediaFiles(db), publicUrl: config.publicUrl,
    limits: { maxImageBytes: config.mediaMaxImageMb * 1024 * 1024, maxFileBytes: config.mediaMaxFileMb * 1024 * 1024 },
  });
  // Application names, kept in memory: statuses name them, usage events are counted by them.
  const applications = cachedApplicationLookup((id) => oauth.getApp(id));
  const statusesStore = indexed(new StatusesStore(db, redis));
  const statusRelations = indexed(new StatusRelationsStore(db));
  const statuses = new StatusesService({
    store: statusesStore,
    relations: statusRelations,
    accounts,
    follows,
    events,
    redis,
    origin: { publicUrl: config.publicUrl, domain: config.domain },
    applications,
    remote: remoteDirectory,
    media,
  });
  const statusInteractions = new StatusInteractionsService({ statuses, store: statusesStore, relations: statusRelations, accounts, events });
  const remoteTombstones = indexed(new RemoteTombstones(db));

  const health = new HealthService(db, [redis, redisConnection]);
  const pushKeys = indexed(new PushKeysStore(db));
  const instance = new InstanceService(config, accounts, () => pushKeys.vapidPublicKey(), () => registrationMode.effective());
  const hashtags = new HashtagsService(indexed(new HashtagsStore(db, redis)));
  const search = new SearchService({
    accounts, follows, statuses, hashtags, domain: config.domain, publicUrl: config.publicUrl, remote: remoteDirectory,
  });
  const notifications = new NotificationsService({
    store: indexed(new NotificationsStore(db)), accounts, statuses, events, redis, origin: { publicUrl: config.publicUrl, domain: config.domain },
  });
  const markers = new MarkersService(indexed(new MarkersStore(db)));
  const federationState = new FederationStateService({
    inbound: indexed(new InboundLogStore(db)), keys: indexed(new ActorKeysStore(db)), deadLetters: indexed(new DeadLettersStore(db)),
    retryJob: createDeadJobRetrier(redisConnection, config.redisPrefix),
  });
  const peers = new PeersService({ store: indexed(new PeersStore(db)), mode: config.federationMode, redisConnection, redisPrefix: config.redisPrefix, log });
  const departments = new DepartmentsService(accounts, config.instanceName);
  const audit = new AuditService(indexed(new AuditStore(db)));
  const links = new LinksService({
    store: indexed(new LinksStore(db)), accounts, follows, peers, departments, remoteDirectory, audit, linkPeering: config.linkPeering, domain: config.domain, log,
  });
  const network = new NetworkService({ accounts, links, departments, peers, federationState, redis, publicUrl: config.publicUrl, log });
  // Our own report comes from the analytics service (built below); it is asked only when the view is read.
  const companyAdoption = new CompanyAdoptionService({
    ownReport: (period) => services.analytics.report(period), network, departments, redis, publicUrl: config.publicUrl, log,
  });
  const relay = new RelayService({
    store: indexed(new CompanyNewsStore(db)), accounts, statuses, statusInteractions, departments, links, audit, events, redis,
    origin: { publicUrl: config.publicUrl, domain: config.domain }, log,
  });
  const proposals = new ProposalsService({ store: indexed(new ProposalsStore(db)), statuses, relay, audit });
  const usageEvents = indexed(new UsageEventsStore(db));
  const usageDays = indexed(new UsageDaysStore(db, new UsageDaysCache(redis)));
  const usage = new UsageRecorder({ events: usageEvents, days: usageDays, log });
  const usageClients = new UsageClients(applications);
  const analyticsSettings = new AnalyticsSettingsService(indexed(new AnalyticsSettingsStore(db)), { retentionDays: config.usageRetentionDays });
  const usageRetention = new UsageRetention({ events: usageEvents, settings: analyticsSettings, log });
  const analytics = new AnalyticsService({ accounts, onboarding, departments, days: usageDays, redis });
  const streaming = new StreamingService({
    publisher: new StreamPublisher(redisConnection, config.redisPrefix), statuses, redis: redisConnection, redisPrefix: config.redisPrefix, log,
    renderNotification: (notificationId, accountId) => notifications.render(notificationId, accountId),
  });
  const timelines = new TimelinesService({ feeds: new FeedStore(redis), statuses, follows, accounts, streams: streaming, log });

  // Side effects of domain events are registered here, after every service exists.
  registerSearchHandlers(events, statuses, hashtags);
  registerStreamingHandlers(events, streaming);
  registerTimelineHandlers(events, timelines);
  registerNotificationHandlers(events, { notifications, statuses, statusInteractions, accounts, follows });
  const push = new PushService({
    subscriptions: indexed(new PushSubscriptionsStore(db)),
    keys: pushKeys,
    queue: new PushDeliveryQueue(redisConnection, `${config.redisPrefix}bull`, log),
    notifications,
    follows,
    credentials: { token: (secret) => oauth.authenticate(secret), session: async (secret) => (await sessions.authenticate(secret))?.auth ?? null },
    rules: { allowInsecureLoopback: config.pushAllowInsecureEndpoints },
    vapidSubject: vapidSubject(config),
    log,
  });
  registerPushHandlers(events, push);
  const achievements = new AchievementsService({
    store: indexed(new AchievementsStore(db)), accounts, statuses, follows, enabled: () => analyticsSettings.achievementsEnabled(),
  });
  registerAchievementHandlers(events, achievements);
  events.on('status.deleted', 'statuses.remove-boosts', ({ statusId }) => statuses.removeBoostsOf(statusId));
  events.on('status.deleted', 'media.release', ({ statusId }) => media.releaseForStatus(statusId));

  const services: Services = {
    events,
    accounts,
    follows,
    oauth,
    invites,
    registration,
    registrationMode,
    admin,
    statuses,
    statusInteractions,
    remoteTombstones,
    health,
    instance,
    hashtags,
    search,
    remoteDirectory,
    streaming,
    timelines,
    notifications,
    markers,
    peers,
    federationState,
    media,
    sessions,
    onboarding,
    push,
    departments,
    audit,
    links,
    network,
    companyAdoption,
    relay,
    proposals,
    achievements,
    usage,
    usageDays,
    usageEvents,
    usageClients,
    usageRetention,
    analytics,
    analyticsSettings,
  };

  return {
    services,
    async ensureIndexes() {
      for (const store of stores) await store.ensureIndexes();
      // The department actor exists from the first start on (docs/connectors-design.md §1).
      await departments.ensureAccount();
    },
  };
}
