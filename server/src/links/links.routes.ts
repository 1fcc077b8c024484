import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toLinkEntity } from './links.serialize.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,32}$' }) });
const tags = ['kith', 'connectors'];

/** Department links (docs/connectors-design.md §2): ask, accept, decline, unlink, policies, the admin's peering approval. */
export async function linksRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const { links } = services;

  app.get('/api/v1/kith/links', {
    schema: {
      tags, summary: 'Links of this department; state=pending is the connectors’ queue of requests',
      querystring: Type.Object({ state: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('pending'), Type.Literal('active')])) }, { additionalProperties: false }),
    },
    preHandler: requireScope('read'),
  }, async (request) => (await links.list(currentAccount(request), request.query.state ?? 'all')).map(toLinkEntity));

  app.get('/api/v1/kith/links/:id', {
    schema: { tags, summary: 'One link', params: IdParams },
    preHandler: requireScope('read'),
  }, async (request) => toLinkEntity(await links.get(request.params.id)));

  app.post('/api/v1/kith/links', {
    schema: {
      tags, summary: 'Ask another department to link (connectors): target = slug@host[:port] or the department actor’s URL',
      body: Type.Object({
        target: Type.String({ minLength: 3, maxLength: 500 }),
        scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
      }, { additionalProperties: false }),
    },
    preHandler: requireScope('write'),
  }, async (request) => toLinkEntity(await links.request(currentAccount(request), request.body)));

  app.post('/api/v1/kith/links/:id/accept', {
    schema: { tags, summary: 'Accept a department’s link request (connectors)', params: IdParams },
    preHandler: requireScope('write'),
  }, async (request) => toLinkEntity(await links.accept(currentAccount(request), request.params.id)));

  app.post('/api/v1/kith/links/:id/decline', {
    schema: {
      tags, summary: 'Decline a department’s link request (connectors)', params: IdParams,
      body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false })),
    },
    preHandler: requireScope('write'),
  }, async (request) => toLinkEntity(await links.decline(currentAccount(request), request.params.id, request.body?.reason ?? '')));

  app.delete('/api/v1/kith/links/:id', {
    schema: { tags, summary: 'Unlink, or withdraw a request (connectors)', params: IdParams },
    preHandler: requireScope('write'),
  }, async (request) => toLinkEntity(await links.unlink(currentAccount(request), request.params.id)));

  app.post('/api/v1/kith/links/:id/approve_peering', {
    schema: { tags, summary: 'Let a link waiting under LINK_PEERING=admin add its peer (admins)', params: IdParams },
    preHandler: requireScope('admin:write'),
  }, async (request) => toLinkEntity(await links.approvePeering(currentAccount(request), request.params.id)));

  app.put('/api/v1/kith/links/:id/policy', {
    schema: {
      tags, summary: 'Set a link’s relay policy (connectors)', params: IdParams,
      body: Type.Object({
        approval: Type.Optional(Type.Union([Type.Literal('queue'), Type.Literal('auto')])),
        hashtags: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
        daily_cap: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()])),
      }, { additionalProperties: false }),
    },
    preHandler: requireScope('write'),
  }, async (request) => toLinkEntity(await links.setPolicy(currentAccount(request), request.params.id, request.body)));
}
