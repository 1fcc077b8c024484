import type { FastifyInstance } from 'fastify';
import { requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';

/** The company network map (docs/connectors-design.md §3), for every signed-in employee. */
export async function networkRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  typed(instance).get('/api/v1/kith/network', {
    schema: { tags: ['kith', 'connectors'], summary: 'The company network: departments, their links, delivery health' },
    preHandler: requireScope('read'),
  }, async () => services.network.map());
}
