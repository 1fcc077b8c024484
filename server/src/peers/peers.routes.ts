import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toPeerEntity } from './peers.serialize.ts';

const PeerBody = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 300 }),
  state: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('block')])),
  scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
  note: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
const HostParams = Type.Object({ host: Type.String({ minLength: 1, maxLength: 300 }) });

/** The federation allowlist and blocklist of this instance (admins). */
export async function peersRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.get('/api/v1/kith/federation/peers', {
    schema: { tags: ['kith', 'admin', 'federation'], summary: 'Allowed and blocked federation peers (admins)' },
    preHandler: requireScope('admin:read'),
  }, async (request) => (await services.peers.list(currentAccount(request))).map(toPeerEntity));

  app.post('/api/v1/kith/federation/peers', {
    schema: { tags: ['kith', 'admin', 'federation'], summary: 'Allow or block a peer by host[:port] (admins)', body: PeerBody },
    preHandler: requireScope('admin:write'),
  }, async (request) => toPeerEntity(await services.peers.add(currentAccount(request), request.body)));

  app.delete('/api/v1/kith/federation/peers/:host', {
    schema: { tags: ['kith', 'admin', 'federation'], summary: 'Remove a peer entry (admins)', params: HostParams },
    preHandler: requireScope('admin:write'),
  }, async (request) => {
    await services.peers.remove(currentAccount(request), request.params.host);
    return {};
  });
}
