import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import type { DeadLetterRecord } from './dead-letters.store.ts';

/** A dead letter as the API shows it: never the payload, which holds private keys. */
function deadLetterJson(d: DeadLetterRecord) {
  return {
    id: d._id,
    activity_id: d.activityId,
    inbox: d.inbox,
    host: d.host,
    reason: d.reason,
    job_id: d.jobId,
    created_at: d.createdAt.toISOString(),
    retried_at: d.retriedAt ? d.retriedAt.toISOString() : null,
  };
}

/** Deliveries given up on, for admins (newest first; never the payload), and their retry. */
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
    return letters.map(deadLetterJson);
  });

  app.post('/api/v1/kith/federation/dead_letters/:id/retry', {
    schema: {
      tags: ['kith', 'admin', 'federation'],
      summary: 'Retries a delivery given up on, once (admins)',
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-zA-Z_-]{1,64}$' }) }),
    },
    preHandler: requireScope('admin:write'),
  }, async (request) => deadLetterJson(await services.federationState.retryDeadLetter(currentAccount(request), request.params.id)));
}
