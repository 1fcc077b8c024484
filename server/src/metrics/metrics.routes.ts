import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound } from '../shared/errors.ts';
import type { KithMetrics } from './metrics.registry.ts';

export interface MetricsRoutesOptions {
  /** METRICS_TOKEN; null leaves /metrics absent (404). */
  token: string | null;
  /** Built whenever the token is set. */
  metrics: KithMetrics | null;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the request's `Authorization: Bearer …` is the token, compared in constant time (on equal-length hashes). */
export function bearerMatches(request: FastifyRequest, tokenDigest: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), tokenDigest);
}

/**
 * GET /metrics for Prometheus. Only the operator's METRICS_TOKEN, as a bearer header, opens it: never an
 * OAuth token, the web session cookie or a query parameter. Outside rate limiting (a scrape every 15 s
 * must never be refused) and out of the OpenAPI document.
 */
export async function metricsRoutes(app: FastifyInstance, { token, metrics }: MetricsRoutesOptions): Promise<void> {
  const tokenDigest = token === null ? null : digest(token);
  app.get('/metrics', {
    schema: { hide: true },
    config: { rateLimit: false, ownCredentials: true },
  }, async (request, reply) => {
    // Unset, /metrics answers as an absent route would.
    if (tokenDigest === null || metrics === null) throw new NotFound('Not found');
    if (!bearerMatches(request, tokenDigest)) {
      return reply.status(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'The metrics token is missing or wrong' });
    }
    const text = await metrics.render();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
  });
}
