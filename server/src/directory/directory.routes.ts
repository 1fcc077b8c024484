import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { toAccountEntity } from '../accounts/accounts.serialize.ts';
import { requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { BoolParam, isTrue } from '../shared/schemas.ts';

// Mastodon's parameters; Kith rejects nonsense instead of clamping it.
const DirectoryQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 80 })),
  order: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('new')])),
  local: Type.Optional(BoolParam),
});

/** Mastodon's profile directory: the people an employee can find and follow, colleagues here first. */
export async function directoryRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };

  app.get('/api/v1/directory', {
    schema: {
      tags: ['accounts'],
      summary: 'Discoverable accounts: this instance\'s first, then known ones elsewhere, by recent activity (order=active) or newest (order=new)',
      querystring: DirectoryQuery,
    },
    // An intranet's directory is for its members only, unlike Mastodon's public one.
    preHandler: requireScope('read:accounts'),
  }, async (request) => {
    const query = request.query;
    const accounts = await services.accounts.directoryPage({
      order: query.order ?? 'active',
      localOnly: isTrue(query.local),
      offset: query.offset ?? 0,
      limit: query.limit ?? 40,
    });
    return accounts.map((a) => toAccountEntity(a, origin));
  });
}
