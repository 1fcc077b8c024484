import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';

/** Deliveries given up on, for admins (newest first; never the payload). */
export async function federationStateRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.get('/api/v1/kith/federation/dead_letters', {
    schema: {
      tags: ['kith', 'admin', 'federation'],
      summary: 'Deliveries given up on (admins)',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
    },
    preHandler: requireScope('admin:read'),
  }, async (request) => {
    const letters = await services.federationState.listDeadLetters(currentAccount(request), request.query.limit ?? 100);
    return letters.map((d) => ({
      id: d._id, activity_id: d.activityId, inbox: d.inbox, host: d.host, reason: d.reason, job_id: d.jobId, created_at: d.createdAt.toISOString(),
    }));
  });
}
