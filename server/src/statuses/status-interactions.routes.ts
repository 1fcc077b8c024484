import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { toAccountEntity } from '../accounts/accounts.serialize.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { currentAccount, requireScope, viewerOf } from '../plugins/auth.ts';
import { PageQuerySchema, setLinkHeader, toPage } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import type { StatusRecord } from './status-record.ts';
import { IdParams } from '../shared/schemas.ts';

const ReblogBody = Type.Object(
  { visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private'), Type.Literal('local')])) },
  { additionalProperties: true },
);

type Action = (account: AccountRecord, id: string) => Promise<StatusRecord>;

/** Favourite, boost, bookmark and pin statuses, and the lists that come of it. */
export async function statusInteractionsRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };
  const interactions = services.statusInteractions;

  // Each action answers with the status as the actor now sees it (counters and flags updated).
  const actions: [path: string, summary: string, scope: string, action: Action][] = [
    ['favourite', 'Favourite a status', 'write:favourites', (a, id) => interactions.favourite(a, id)],
    ['unfavourite', 'Take a favourite back', 'write:favourites', (a, id) => interactions.unfavourite(a, id)],
    ['unreblog', 'Take a boost back', 'write:statuses', (a, id) => interactions.unreblog(a, id)],
    ['bookmark', 'Bookmark a status', 'write:bookmarks', (a, id) => interactions.bookmark(a, id)],
    ['unbookmark', 'Remove a bookmark', 'write:bookmarks', (a, id) => interactions.unbookmark(a, id)],
    ['pin', 'Pin one of your statuses to your profile (at most 5)', 'write:accounts', (a, id) => interactions.pin(a, id)],
    ['unpin', 'Unpin a status from your profile', 'write:accounts', (a, id) => interactions.unpin(a, id)],
  ];
  for (const [path, summary, scope, action] of actions) {
    app.post(`/api/v1/statuses/:id/${path}`, {
      schema: { tags: ['statuses'], summary, params: IdParams },
      preHandler: requireScope(scope),
    }, async (request) => {
      const account = currentAccount(request);
      return services.statuses.serialize(await action(account, request.params.id), account);
    });
  }

  app.post('/api/v1/statuses/:id/reblog', {
    schema: { tags: ['statuses'], summary: 'Boost a status; the answer is the boost, with the status under "reblog"', params: IdParams, body: ReblogBody },
    preHandler: requireScope('write:statuses'),
    // Most clients send no body at all; validate that as an empty one.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request) => {
    const account = currentAccount(request);
    const boost = await interactions.reblog(account, request.params.id, request.body.visibility);
    return services.statuses.serialize(boost, account);
  });

  for (const [path, summary, list] of [
    ['favourited_by', 'Accounts that favourited a status', 'favouritedBy'],
    ['reblogged_by', 'Accounts that boosted a status', 'rebloggedBy'],
  ] as const) {
    app.get(`/api/v1/statuses/:id/${path}`, {
      schema: { tags: ['statuses'], summary, params: IdParams, querystring: PageQuerySchema },
      preHandler: requireScope('read:statuses'),
    }, async (request, reply) => {
      const { items, pageIds } = await interactions[list](request.params.id, viewerOf(request), toPage(request.query, 40, 80));
      setLinkHeader(request, reply, config.publicUrl, pageIds);
      return items.map((a) => toAccountEntity(a, origin));
    });
  }

  for (const [path, summary, scope, list] of [
    ['/api/v1/favourites', 'Statuses you favourited, newest favourite first', 'read:favourites', 'favourites'],
    ['/api/v1/bookmarks', 'Statuses you bookmarked, newest bookmark first', 'read:bookmarks', 'bookmarks'],
  ] as const) {
    app.get(path, {
      schema: { tags: ['statuses'], summary, querystring: PageQuerySchema },
      preHandler: requireScope(scope),
    }, async (request, reply) => {
      const account = currentAccount(request);
      const { items, pageIds } = await interactions[list](account, toPage(request.query, 20, 40));
      setLinkHeader(request, reply, config.publicUrl, pageIds);
      return services.statuses.serializeMany(items, viewerOf(request));
    });
  }
}
