import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { authRateLimit } from '../oauth/auth-rate-limit.ts';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { sessionIdOf } from './sessions.serialize.ts';

const ChangePasswordBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1000 }),
    new_password: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

/**
 * POST /api/v1/kith/password: a new password for the signed-in account. Whoever knew the old one may still
 * be signed in elsewhere, so every other web session and every access token ends; the caller's own stays.
 */
export async function passwordRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.post('/api/v1/kith/password', {
    schema: { tags: ['kith', 'sessions'], summary: 'Change your password; ends your other sessions and revokes your access tokens', body: ChangePasswordBody },
    // Checking the current password must cost as much as signing in.
    config: { rateLimit: authRateLimit(config) },
    preHandler: requireScope('write:accounts'),
  }, async (request) => {
    const account = currentAccount(request);
    await services.accounts.changePassword(account._id, request.body.current_password, request.body.new_password);
    const tokenId = request.auth!.tokenId;
    const sessionId = sessionIdOf(tokenId);
    await services.sessions.revokeAllExcept(account._id, sessionId);
    await services.oauth.revokeAllForAccount(account._id, sessionId === null ? tokenId : null);
    return {};
  });
}
