import type { FastifyInstance } from 'fastify';
import { requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { IdParams } from '../shared/schemas.ts';
import { toAchievementsEntity } from './achievements.serialize.ts';

/** A profile's achievements (issue 6, item 5). */
export async function achievementsRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  // Readable by whoever may read the profile itself (GET /api/v1/accounts/:id): same scope, same 404s.
  app.get('/api/v1/kith/accounts/:id/achievements', {
    schema: { tags: ['kith', 'accounts'], summary: "An account's achievements (none while the instance has them switched off)", params: IdParams },
    preHandler: requireScope('read:accounts'),
  }, async (request) => toAchievementsEntity(await services.achievements.forAccount(request.params.id)));
}
