import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { RateLimited } from '../shared/errors.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isRead(request: FastifyRequest): boolean {
  return READ_METHODS.has(request.method);
}

/**
 * Whom a request counts against: the signed-in account, else the app token, else the client address.
 * Only ids go into the key (never the token itself), so every spelling of one token's header shares one
 * allowance, and reads and writes have separate ones. Valid only once the auth plugin has run.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const auth = request.auth;
  const who = auth?.account ? `account:${auth.account._id}` : auth ? `token:${auth.tokenId}` : `ip:${request.ip}`;
  return `${isRead(request) ? 'read' : 'write'}:${who}`;
}

/**
 * Registers @fastify/rate-limit, which applies the per-route limits (`config: { rateLimit: authRateLimit(config) }`),
 * and returns the general limit (READ_RATE_LIMIT and WRITE_RATE_LIMIT per 5 minutes) as a hook for the auth
 * plugin to run as soon as it knows the caller. The plugin's own preHandler route hook would run after each
 * route's requireScope, so requests refused for a missing token would never count.
 */
export async function installRateLimits(app: FastifyInstance, config: Config, redis: Redis): Promise<preHandlerAsyncHookHandler> {
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: 'ratelimit:',
    timeWindow: '5 minutes',
    max: (request) => (isRead(request) ? config.readRateLimit : config.writeRateLimit),
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) => new RateLimited(`Too many requests; try again in ${context.after}`),
  });
  const limit = app.rateLimit();
  return async function generalRateLimit(request, reply) {
    // A route with its own limit (or `false`) is left to the plugin's route hook.
    if (request.routeOptions.config?.rateLimit !== undefined) return;
    await limit.call(this, request, reply);
  };
}
