import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../shared/route-types.ts';

// Probes for load balancers and orchestrators: anonymous, cheap, and outside rate limiting
// (the rate limiter itself needs Redis, so a limited probe could not report Redis being down).
const probeConfig = { rateLimit: false } as const;

/** /healthz (the process is up) and /readyz (MongoDB and Redis answer). */
export async function healthRoutes(app: FastifyInstance, { services }: RouteDeps): Promise<void> {
  app.get('/healthz', {
    schema: { tags: ['operations'], summary: 'Liveness: the process is up', security: [] },
    config: probeConfig,
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: { tags: ['operations'], summary: 'Readiness: MongoDB and Redis answer within a timeout', security: [] },
    config: probeConfig,
  }, async (_request, reply) => {
    const { ready, checks } = await services.health.readiness();
    if (ready) return { status: 'ok', checks };
    const failed = Object.entries(checks).filter(([, result]) => result !== 'ok').map(([name]) => name);
    return reply.status(503).send({ status: 'unavailable', error: `Not ready: ${failed.join(', ')} unreachable`, failed, checks });
  });
}
