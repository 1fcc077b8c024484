import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { authRateLimit } from '../oauth/auth-rate-limit.ts';
import { toTokenEntity } from '../oauth/oauth.serialize.ts';
import { requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { BoolParam } from '../shared/schemas.ts';


const RegisterBody = Type.Object(
  {
    username: Type.String({ maxLength: 100 }),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    password: Type.String({ maxLength: 1000 }),
    agreement: Type.Optional(BoolParam),
    locale: Type.Optional(Type.String({ maxLength: 20 })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    invite_code: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    date_of_birth: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: true },
);

/** Mastodon's sign-up (POST /api/v1/accounts), needing an app token; REGISTRATION_MODE and invites decide who may. */
export async function registrationRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.post('/api/v1/accounts', {
    schema: { tags: ['accounts'], summary: 'Sign up; returns a token for the new account', body: RegisterBody },
    preHandler: requireScope('write:accounts', { user: false }),
    config: { rateLimit: authRateLimit(config) },
  }, async (request) => {
    const body = request.body;
    const token = await services.registration.register(request.auth!, {
      username: body.username,
      email: body.email,
      password: body.password,
      agreement: body.agreement === true || body.agreement === 'true' || body.agreement === '1',
      locale: body.locale,
      reason: body.reason,
      inviteCode: body.invite_code,
    });
    return toTokenEntity(token);
  });
}
