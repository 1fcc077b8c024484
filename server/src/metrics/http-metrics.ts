import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { KithMetrics } from './metrics.registry.ts';

/** The route label of requests no route matched (404s): one value, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts every answered request and its duration by method, route pattern (`/api/v1/statuses/:id`, never
 * the raw URL) and status, in memory. Register it before the routes, so its hook applies to all of them.
 */
export const httpMetricsPlugin = fp<{ metrics: KithMetrics }>(async (app: FastifyInstance, { metrics }) => {
  app.addHook('onResponse', async (request, reply) => {
    // reply.elapsedTime: milliseconds since Fastify received the request.
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });
});
