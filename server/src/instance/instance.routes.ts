import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { Unauthorized } from '../shared/errors.ts';
import type { RouteDeps } from '../shared/route-types.ts';
import { toKithInstanceEntity, toV1InstanceEntity, toV2InstanceEntity } from './instance.serialize.ts';

/** Any valid token, an app's included: the network is closed, but these lists are about the instance, not a person. */
async function requireToken(request: FastifyRequest): Promise<void> {
  if (!request.auth) throw new Unauthorized('The access token is invalid');
}

/** The instance's description (anonymous, as clients read it before signing in), its lists, and preferences. */
export async function instanceRoutes(app: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const anonymous = { security: [] };

  app.get('/api/v1/instance', {
    schema: { tags: ['instance'], summary: 'This instance (Mastodon V1 Instance)', ...anonymous },
  }, async () => toV1InstanceEntity(await services.instance.info()));

  app.get('/api/v2/instance', {
    schema: { tags: ['instance'], summary: 'This instance (Mastodon Instance)', ...anonymous },
  }, async () => toV2InstanceEntity(await services.instance.info()));

  // The rules are part of the anonymous instance entity anyway; sign-up screens read them before there is a token.
  app.get('/api/v1/instance/rules', {
    schema: { tags: ['instance'], summary: 'The rules of this instance', ...anonymous },
  }, async () => toV2InstanceEntity(await services.instance.info()).rules);

  app.get('/api/v1/instance/peers', {
    schema: { tags: ['instance'], summary: 'Domains this instance knows (none until federation)' },
    preHandler: requireToken,
  }, async () => [] as string[]);

  app.get('/api/v1/instance/activity', {
    schema: { tags: ['instance'], summary: 'Weekly activity (not recorded yet: an empty list)' },
    preHandler: requireToken,
  }, async () => [] as unknown[]);

  app.get('/api/v1/custom_emojis', {
    schema: { tags: ['instance'], summary: 'Custom emojis (Kith has none)' },
    preHandler: requireToken,
  }, async () => [] as unknown[]);

  app.get('/api/v1/preferences', {
    schema: { tags: ['accounts'], summary: "The signed-in account's posting and reading preferences" },
    preHandler: requireScope('read:accounts'),
  }, async (request) => services.instance.preferences(await services.accounts.get(currentAccount(request)._id)));

  app.get('/api/v1/kith/instance', {
    schema: { tags: ['kith'], summary: "Kith's view of this instance: name, registration mode, counts" },
    preHandler: requireToken,
  }, async () => toKithInstanceEntity(await services.instance.info()));
}
