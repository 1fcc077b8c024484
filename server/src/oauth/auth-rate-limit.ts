import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

/**
 * The per-route rate limit of the endpoints that check passwords, hand out tokens or answer anonymous
 * probes (sign-in, token, sign-up, invite check): AUTH_RATE_LIMIT requests per address per 5 minutes,
 * whatever token the caller sends. Used as a route's `config: { rateLimit: authRateLimit(config) }`;
 * it replaces the general limit there, and counts on arrival, before the request is parsed or authenticated.
 */
export function authRateLimit(config: Config) {
  return {
    hook: 'onRequest' as const,
    max: config.authRateLimit,
    timeWindow: '5 minutes',
    keyGenerator: (request: FastifyRequest) => `auth:${request.ip}`,
  };
}
