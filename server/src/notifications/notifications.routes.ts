import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { IdBound, idBound, setLinkHeader, toPage } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import type { NotificationQuery, NotificationType } from './notifications.store.ts';
import { IdParams } from '../shared/schemas.ts';

// Mastodon knows more types than Kith creates (poll, admin.sign_up …); asking for them is not an error.
const TypeList = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 });
const Filters = {
  types: Type.Optional(TypeList),
  exclude_types: Type.Optional(TypeList),
  account_id: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
};
const ListQuery = Type.Object({
  ...Filters,
  max_id: Type.Optional(IdBound),
  since_id: Type.Optional(IdBound),
  min_id: Type.Optional(IdBound),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  include_filtered: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 5 })])),
});
const CountQuery = Type.Object({ ...Filters, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) });

// Mastodon: unread_count counts 100 by default and at most 1000.
const COUNT_DEFAULT = 100;
const COUNT_MAX = 1000;

function filters(query: Static<typeof CountQuery>): NotificationQuery {
  return {
    types: query.types as NotificationType[] | undefined,
    excludeTypes: query.exclude_types as NotificationType[] | undefined,
    fromAccountId: query.account_id,
  };
}

/** The signed-in account's notifications. */
export async function notificationsRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const read = requireScope('read:notifications');
  const write = requireScope('write:notifications');

  app.get('/api/v1/notifications', {
    schema: { tags: ['notifications'], summary: 'Notifications of the signed-in account, newest first', querystring: ListQuery },
    preHandler: read,
  }, async (request, reply) => {
    const page = toPage(request.query, 40, 80);
    const result = await services.notifications.page(currentAccount(request)._id, filters(request.query), page);
    setLinkHeader(request, reply, config.publicUrl, result.pageIds);
    return result.notifications;
  });

  app.get('/api/v1/notifications/unread_count', {
    schema: { tags: ['notifications'], summary: 'How many notifications are newer than the notifications read marker (capped)', querystring: CountQuery },
    preHandler: read,
  }, async (request) => {
    const accountId = currentAccount(request)._id;
    const afterId = await services.markers.lastReadNotification(accountId);
    const limit = Math.min(request.query.limit ?? COUNT_DEFAULT, COUNT_MAX);
    const count = await services.notifications.unreadCount(accountId, { ...filters(request.query), afterId: idBound(afterId) ?? undefined }, limit);
    return { count };
  });

  app.get('/api/v1/notifications/:id', {
    schema: { tags: ['notifications'], summary: 'One notification of the signed-in account', params: IdParams },
    preHandler: read,
  }, async (request) => services.notifications.get(currentAccount(request)._id, request.params.id));

  app.post('/api/v1/notifications/clear', {
    schema: { tags: ['notifications'], summary: 'Dismiss every notification of the signed-in account' },
    preHandler: write,
  }, async (request) => {
    await services.notifications.clear(currentAccount(request)._id);
    return {};
  });

  app.post('/api/v1/notifications/:id/dismiss', {
    schema: { tags: ['notifications'], summary: 'Dismiss one notification', params: IdParams },
    preHandler: write,
  }, async (request) => {
    await services.notifications.dismiss(currentAccount(request)._id, request.params.id);
    return {};
  });
}
