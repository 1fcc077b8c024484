import { Type } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KithError } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { appsRoutes } from './apps.routes.ts';
import { authorizeRoutes } from './authorize.routes.ts';
import { authRateLimit } from './auth-rate-limit.ts';
import { OAuthProblem } from './oauth-errors.ts';
import { toTokenEntity } from './oauth.serialize.ts';

const Field = Type.Optional(Type.String({ maxLength: 4096 }));

// Every field is optional in the schema: the OAuth library reports a missing one in OAuth's own terms.
const TokenBody = Type.Object(
  {
    grant_type: Field,
    code: Field,
    client_id: Field,
    client_secret: Field,
    redirect_uri: Field,
    scope: Field,
    code_verifier: Field,
  },
  { additionalProperties: true },
);

const RevokeBody = Type.Object({ token: Field, client_id: Field, client_secret: Field }, { additionalProperties: true });

/** The string fields of a form or JSON body (anything else is dropped, never passed to the library). */
function stringFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') fields[key] = value;
  }
  return fields;
}

/**
 * Errors of the token endpoints in OAuth's shape ({"error", "error_description"}). A route's own error
 * handler replaces the app's, so the other cases (rate limit, body size, failures) are answered here too.
 */
function oauthErrorHandler(error: FastifyError | OAuthProblem, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof OAuthProblem) return reply.status(error.status).send(error.toBody());
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return reply.status(400).send({ error: 'invalid_request', error_description: `Invalid ${fastifyError.validationContext ?? 'request'}: ${error.message}` });
  }
  if (error instanceof KithError) return reply.status(error.statusCode).send({ error: error.message });
  const status = fastifyError.statusCode ?? 500;
  // The rate limiter throws a plain object carrying its message in `error`.
  if (status === 429) return reply.status(429).send({ error: (error as { error?: string }).error ?? 'Too many requests' });
  if (status >= 400 && status < 500) return reply.status(status).send({ error: 'invalid_request', error_description: fastifyError.message || 'Bad request' });
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({ error: 'server_error', error_description: 'Internal server error' });
}

/** OAuth 2.0: the token and revoke endpoints, plus the apps API and the authorization page. */
export async function oauthRoutes(instance: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { config, services } = deps;
  const app = typed(instance);
  await instance.register(appsRoutes, deps);
  await instance.register(authorizeRoutes, deps);

  app.post('/oauth/token', {
    schema: { tags: ['oauth'], summary: 'Obtain a token (authorization_code with PKCE, or client_credentials)', body: TokenBody, security: [] },
    config: { rateLimit: authRateLimit(config) },
    errorHandler: oauthErrorHandler,
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request, reply) => {
    // Some older clients put the parameters in the query string; the body wins where both have one.
    const params = { ...stringFields(request.query), ...stringFields(request.body) };
    const token = await services.oauth.exchange(params, request.headers.authorization);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return toTokenEntity(token);
  });

  app.post('/oauth/revoke', {
    schema: { tags: ['oauth'], summary: 'Revoke a token issued to this client', body: RevokeBody, security: [] },
    config: { rateLimit: authRateLimit(config) },
    errorHandler: oauthErrorHandler,
  }, async (request) => {
    const body = request.body;
    await services.oauth.revoke(body.client_id, body.client_secret, body.token);
    return {};
  });
}
