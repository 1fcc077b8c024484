import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toInviteCheckEntity, toInviteEntity } from './invites.serialize.ts';
import { authRateLimit } from '../oauth/auth-rate-limit.ts';

const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$' }) });

// Bodies are validated without type coercion, so form-encoded numbers are accepted as digit strings.
// Absent means unlimited / never expiring.
const CreateInviteBody = Type.Object(
  {
    max_uses: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.String({ pattern: '^[1-9][0-9]{0,5}$' })])),
    expires_in_days: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 3650 }), Type.String({ pattern: '^[0-9]{1,4}(\\.[0-9]{1,6})?$' })])),
    role: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('connector')])),
  },
  { additionalProperties: false },
);

/** Kith's invite API: admins make and revoke codes; anyone may check one (the sign-up page does). */
export async function invitesRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.post('/api/v1/kith/invites', {
    schema: { tags: ['kith', 'invites'], summary: 'Create an invite code (admins)', body: CreateInviteBody },
    // A POST without a body asks for an invite with every default.
    preValidation: async (request) => {
      request.body ??= {};
    },
    preHandler: requireScope('admin:write'),
  }, async (request) => {
    const body = request.body;
    const invite = await services.invites.create(currentAccount(request), {
      maxUses: body.max_uses === undefined ? undefined : Number(body.max_uses),
      expiresInDays: body.expires_in_days === undefined ? undefined : Number(body.expires_in_days),
      role: body.role,
    });
    return toInviteEntity(invite);
  });

  app.get('/api/v1/kith/invites', {
    schema: {
      tags: ['kith', 'invites'],
      summary: 'Invite codes, newest first (admins)',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
    },
    preHandler: requireScope('admin:read'),
  }, async (request) => {
    const invites = await services.invites.list(currentAccount(request), request.query.limit ?? 100);
    const now = new Date();
    return invites.map((invite) => toInviteEntity(invite, now));
  });

  app.delete('/api/v1/kith/invites/:code', {
    schema: { tags: ['kith', 'invites'], summary: 'Revoke an invite code (admins)', params: CodeParams },
    preHandler: requireScope('admin:write'),
  }, async (request) => {
    await services.invites.revoke(currentAccount(request), request.params.code);
    return {};
  });

  app.get('/api/v1/kith/invites/:code/check', {
    // Anonymous on purpose: the sign-up page checks a code before the person has an account.
    schema: { tags: ['kith', 'invites'], summary: 'Whether an invite code can be used now', params: CodeParams, security: [] },
    // Limited like sign-in: guessing codes must cost as much as guessing passwords.
    config: { rateLimit: authRateLimit(config) },
  }, async (request) => {
    // While registrations are closed no code lets anyone in: say so rather than "valid".
    if ((await services.registrationMode.effective()) === 'closed') return toInviteCheckEntity({ valid: false, reason: 'registrations_closed' });
    return toInviteCheckEntity(await services.invites.check(request.params.code));
  });
}
