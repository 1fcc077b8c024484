import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { toAccountEntity } from '../accounts/accounts.serialize.ts';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { NotFound } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toTagEntity } from './hashtags.serialize.ts';
import { BoolParam, isTrue } from '../shared/schemas.ts';

const Id = Type.String({ maxLength: 32 });
// Mastodon caps search results at 40 and clamps rather than failing; Kith rejects nonsense instead.
const Limit = Type.Integer({ minimum: 1, maximum: 40 });
const Offset = Type.Integer({ minimum: 0, maximum: 10_000 });

const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 500 }),
  type: Type.Optional(Type.Union([Type.Literal('accounts'), Type.Literal('hashtags'), Type.Literal('statuses')])),
  resolve: Type.Optional(BoolParam),
  following: Type.Optional(BoolParam),
  account_id: Type.Optional(Id),
  exclude_unreviewed: Type.Optional(BoolParam),
  max_id: Type.Optional(Id),
  min_id: Type.Optional(Id),
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
});

const AccountSearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 500 }),
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
  resolve: Type.Optional(BoolParam),
  following: Type.Optional(BoolParam),
});


/** Search (v2 and accounts) and the hashtag lookup. */
export async function searchRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };

  app.get('/api/v2/search', {
    schema: { tags: ['search'], summary: 'Search accounts, hashtags and statuses; with resolve, find them on other instances by handle or URL', querystring: SearchQuery },
    preHandler: requireScope('read:search'),
  }, async (request) => {
    const query = request.query;
    const viewer = currentAccount(request);
    const limit = query.limit ?? 20;
    const results = await services.search.search(viewer, {
      q: query.q,
      type: query.type,
      resolve: isTrue(query.resolve),
      following: isTrue(query.following),
      accountId: query.account_id,
      limit,
      offset: query.offset ?? 0,
      page: { maxId: query.max_id || null, minId: query.min_id || null, sinceId: null, limit },
    });
    return {
      accounts: results.accounts.map((a) => toAccountEntity(a, origin)),
      statuses: await services.statuses.serializeMany(results.statuses, viewer),
      hashtags: results.hashtags.map((t) => toTagEntity(t, config.publicUrl)),
    };
  });

  app.get('/api/v1/accounts/search', {
    schema: { tags: ['search', 'accounts'], summary: 'Find accounts by name, title, department or location', querystring: AccountSearchQuery },
    preHandler: requireScope('read:accounts'),
  }, async (request) => {
    const query = request.query;
    const accounts = await services.search.searchAccounts(currentAccount(request), query.q, {
      limit: query.limit ?? 40,
      offset: query.offset ?? 0,
      following: isTrue(query.following),
      resolve: isTrue(query.resolve),
    });
    return accounts.map((a) => toAccountEntity(a, origin));
  });

  app.get('/api/v1/tags/:name', {
    schema: { tags: ['search'], summary: 'A hashtag and its use over the last week', params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }) },
    preHandler: requireScope('read'),
  }, async (request) => {
    const tag = await services.hashtags.get(request.params.name);
    if (!tag) throw new NotFound();
    return toTagEntity(tag, config.publicUrl);
  });
}
