import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { Unauthorized } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { CreateBody, UpdateBody, parseNewSubscription, parsePushData } from './push-subscription-input.ts';
import type { Subscriber } from './push.service.ts';
import { readSessionCookie, sessionCookie } from '../sessions/session-cookie.ts';

/**
 * The caller's token (or web session), its id and its account. The secret itself is kept because each
 * message checks it is still valid and Mastodon's payload carries the token. The auth plugin took it from
 * the Bearer header (or the access_token parameter), else from the session cookie: read it the same way.
 */
function subscriberOf(request: FastifyRequest, publicUrl: string): Subscriber {
  const auth = request.auth;
  const accountId = currentAccount(request)._id;
  const header = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const query = (request.query as Record<string, unknown> | undefined)?.access_token;
  const accessToken = header?.[1] ?? (typeof query === 'string' ? query : null);
  if (auth && accessToken) return { tokenId: auth.tokenId, credential: 'token', secret: accessToken, accountId };
  const cookieSecret = readSessionCookie(request, sessionCookie(publicUrl));
  if (auth && cookieSecret && auth.tokenId.startsWith('session:')) return { tokenId: auth.tokenId, credential: 'session', secret: cookieSecret, accountId };
  throw new Unauthorized();
}

/** Mastodon's push API: the Web Push subscription of the calling access token (one per token). */
export async function pushRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const rules = { allowInsecureLoopback: config.pushAllowInsecureEndpoints };
  const tags = ['push'];

  app.post('/api/v1/push/subscription', {
    schema: { tags, summary: "Subscribe this token to Web Push (replaces the token's subscription)", body: CreateBody },
    preHandler: requireScope('push'),
  }, async (request) => {
    const subscriber = subscriberOf(request, config.publicUrl);
    return services.push.subscribe(subscriber, parseNewSubscription(request.body, rules));
  });

  app.get('/api/v1/push/subscription', {
    schema: { tags, summary: "This token's Web Push subscription" },
    preHandler: requireScope('push'),
  }, async (request) => services.push.get(subscriberOf(request, config.publicUrl).tokenId));

  app.put('/api/v1/push/subscription', {
    schema: { tags, summary: "Change which notifications this token's subscription pushes", body: UpdateBody },
    preHandler: requireScope('push'),
  }, async (request) => services.push.update(subscriberOf(request, config.publicUrl).tokenId, parsePushData(request.body)));

  app.delete('/api/v1/push/subscription', {
    schema: { tags, summary: "Remove this token's Web Push subscription" },
    preHandler: requireScope('push'),
  }, async (request) => {
    await services.push.unsubscribe(subscriberOf(request, config.publicUrl).tokenId);
    return {};
  });
}
