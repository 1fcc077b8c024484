import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { PageQuerySchema, setLinkHeader, toPage } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toAccountEntity } from '../accounts/accounts.serialize.ts';
import { toRelationshipEntity } from './follows.serialize.ts';
import { BoolParam, IdParams, toBool } from '../shared/schemas.ts';

const FollowBody = Type.Optional(
  Type.Object({ reblogs: Type.Optional(BoolParam), notify: Type.Optional(BoolParam), languages: Type.Optional(Type.Array(Type.String({ maxLength: 8 }), { maxItems: 50 })) }),
);
const RelationshipsQuery = Type.Object({
  id: Type.Union([Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 80 }), Type.String({ maxLength: 32 })]),
  with_suspended: Type.Optional(BoolParam),
});


/** Follow, unfollow, relationships, followers/following lists and follow requests. */
export async function followsRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };

  app.post('/api/v1/accounts/:id/follow', {
    schema: { tags: ['follows'], summary: 'Follow an account (or ask to, if it is locked)', params: IdParams, body: FollowBody },
    preHandler: requireScope('write:follows'),
  }, async (request) => {
    const body = request.body ?? {};
    const relationship = await services.follows.follow(currentAccount(request)._id, request.params.id, {
      reblogs: toBool(body.reblogs),
      notify: toBool(body.notify),
    });
    return toRelationshipEntity(relationship);
  });

  app.post('/api/v1/accounts/:id/unfollow', {
    schema: { tags: ['follows'], summary: 'Unfollow an account or withdraw a follow request', params: IdParams },
    preHandler: requireScope('write:follows'),
  }, async (request) => toRelationshipEntity(await services.follows.unfollow(currentAccount(request)._id, request.params.id)));

  app.get('/api/v1/accounts/relationships', {
    schema: { tags: ['follows'], summary: 'Relationships of the signed-in account with others', querystring: RelationshipsQuery },
    preHandler: requireScope('read:follows'),
  }, async (request) => {
    const ids = Array.isArray(request.query.id) ? request.query.id : [request.query.id];
    const relationships = await services.follows.relationships(currentAccount(request)._id, [...new Set(ids)]);
    return relationships.map(toRelationshipEntity);
  });

  for (const [path, summary, list] of [
    ['/api/v1/accounts/:id/followers', 'Accounts following this account', 'followersPage'],
    ['/api/v1/accounts/:id/following', 'Accounts this account follows', 'followingPage'],
  ] as const) {
    app.get(path, {
      schema: { tags: ['follows'], summary, params: IdParams, querystring: PageQuerySchema },
      preHandler: requireScope('read:accounts'),
    }, async (request, reply) => {
      const account = await services.accounts.get(request.params.id);
      const { accounts, pageIds } = await services.follows[list](account._id, toPage(request.query, 40, 80));
      setLinkHeader(request, reply, config.publicUrl, pageIds);
      return accounts.map((a) => toAccountEntity(a, origin));
    });
  }

  app.get('/api/v1/follow_requests', {
    schema: { tags: ['follows'], summary: 'Accounts asking to follow the signed-in account', querystring: PageQuerySchema },
    preHandler: requireScope('read:follows'),
  }, async (request, reply) => {
    const { accounts, pageIds } = await services.follows.requestsPage(currentAccount(request)._id, toPage(request.query, 40, 80));
    setLinkHeader(request, reply, config.publicUrl, pageIds);
    return accounts.map((a) => toAccountEntity(a, origin));
  });

  app.post('/api/v1/follow_requests/:id/authorize', {
    schema: { tags: ['follows'], summary: 'Accept a follow request', params: IdParams },
    preHandler: requireScope('write:follows'),
  }, async (request) => toRelationshipEntity(await services.follows.authorize(currentAccount(request)._id, request.params.id)));

  app.post('/api/v1/follow_requests/:id/reject', {
    schema: { tags: ['follows'], summary: 'Decline a follow request', params: IdParams },
    preHandler: requireScope('write:follows'),
  }, async (request) => toRelationshipEntity(await services.follows.reject(currentAccount(request)._id, request.params.id)));
}
