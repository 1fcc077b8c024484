import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Unauthorized } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toApplicationEntity, toCredentialApplicationEntity } from './oauth.serialize.ts';

const CreateAppBody = Type.Object(
  {
    // Optional here so that a missing field gets Mastodon's 422 "Validation failed" from the service.
    client_name: Type.Optional(Type.String({ maxLength: 1000 })),
    redirect_uris: Type.Optional(Type.Union([Type.String({ maxLength: 20_000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 20 })])),
    scopes: Type.Optional(Type.String({ maxLength: 2000 })),
    website: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: true },
);

/** Mastodon's apps API: register a client application, and check an app's token. */
export async function appsRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.post('/api/v1/apps', {
    schema: { tags: ['apps'], summary: 'Register a client application', body: CreateAppBody, security: [] },
  }, async (request) => {
    const body = request.body;
    const { app: created, clientSecret } = await services.oauth.createApp({
      name: body.client_name ?? '',
      redirectUris: body.redirect_uris ?? '',
      scopes: body.scopes,
      website: body.website,
    });
    return toCredentialApplicationEntity(created, clientSecret, await services.push.vapidPublicKey());
  });

  app.get('/api/v1/apps/verify_credentials', {
    schema: { tags: ['apps'], summary: "The calling token's application" },
    // Any valid token will do, an app's or a user's: this only confirms the app's credentials work.
    preHandler: async (request) => {
      if (!request.auth) throw new Unauthorized();
    },
  }, async (request) => toApplicationEntity(await services.oauth.getApp(request.auth!.appId ?? ''), await services.push.vapidPublicKey()));
}
