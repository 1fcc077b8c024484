import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

/**
 * The per-route rate limit of the endpoints that check passwords or hand out tokens (sign-in, token,
 * sign-up): AUTH_RATE_LIMIT requests per address per 5 minutes, whatever token the caller sends.
 * Used as a route's `config: { rateLimit: authRateLimit(config) }`; it replaces the global limit there.
 */
export function authRateLimit(config: Config) {
  return {
    max: config.authRateLimit,
    timeWindow: '5 minutes',
    keyGenerator: (request: FastifyRequest) => request.ip,
  };
}
