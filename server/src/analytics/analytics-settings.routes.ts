import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { Invalid } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, type AnalyticsSettings } from './analytics-settings.service.ts';

const SettingsBody = Type.Object(
  {
    retention_days: Type.Optional(Type.Integer({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS })),
    achievements_enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Kith's AnalyticsSettings entity. */
function toSettingsEntity(settings: AnalyticsSettings) {
  return { retention_days: settings.retentionDays, achievements_enabled: settings.achievementsEnabled };
}

/** Adoption analytics settings (admins): how long raw usage events are kept, and whether achievements show. */
export async function analyticsSettingsRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const settings = services.analyticsSettings;
  const tags = ['kith', 'admin', 'analytics'];

  app.get('/api/v1/kith/admin/analytics/settings', {
    schema: { tags, summary: 'Usage retention and the achievements switch (admins)' },
    preHandler: requireScope('admin:read'),
  }, async (request) => toSettingsEntity(await settings.forAdmin(currentAccount(request))));

  app.put('/api/v1/kith/admin/analytics/settings', {
    schema: { tags, summary: 'Change the usage retention (7-3650 days) or switch achievements on or off (admins)', body: SettingsBody },
    // A refused setting is a 422 with the rule it broke, as the admin screen shows it.
    attachValidation: true,
    preHandler: requireScope('admin:write'),
  }, async (request) => {
    const admin = currentAccount(request);
    if (request.validationError) {
      await settings.forAdmin(admin);
      throw new Invalid(`Validation failed: ${request.validationError.message.replace(/^body\/?/, '').trim()}`);
    }
    const body = request.body;
    return toSettingsEntity(await settings.update(admin, { retentionDays: body.retention_days, achievementsEnabled: body.achievements_enabled }));
  });
}
