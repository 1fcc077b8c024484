import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { REGISTRATION_MODES, type RegistrationMode } from '../config.ts';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';

const ModeBody = Type.Object(
  { mode: Type.Union(REGISTRATION_MODES.map((mode) => Type.Literal(mode))) },
  { additionalProperties: false },
);

/** Kith's RegistrationMode entity: the mode in force and REGISTRATION_MODE, the default it overrides. */
function toRegistrationModeEntity(mode: RegistrationMode, configured: RegistrationMode) {
  return { mode, configured_mode: configured };
}

/** The registration mode admins set at runtime (open, invite or closed); it overrides REGISTRATION_MODE. */
export async function registrationModeRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const modes = services.registrationMode;

  app.get('/api/v1/kith/admin/registration', {
    schema: { tags: ['kith', 'admin'], summary: 'The registration mode in force (admins)' },
    preHandler: requireScope('admin:read'),
  }, async (request) => toRegistrationModeEntity(await modes.forAdmin(currentAccount(request)), modes.configuredMode));

  app.put('/api/v1/kith/admin/registration', {
    schema: { tags: ['kith', 'admin'], summary: 'Set the registration mode: open, invite or closed (admins)', body: ModeBody },
    preHandler: requireScope('admin:write'),
  }, async (request) => toRegistrationModeEntity(await modes.set(currentAccount(request), request.body.mode), modes.configuredMode));
}
