import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { parseDepartment, parsePeriod } from './analytics-period.ts';
import { CSV_TABLES } from './analytics-csv.ts';

// Dates and the department are checked by parsePeriod/parseDepartment (422 with a clear message);
// the schema only bounds their size.
const PeriodQuery = {
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  department: Type.Optional(Type.String({ maxLength: 1000 })),
};

/** Adoption analytics (issue 6): the dashboard and its CSV (connectors and admins), inactive accounts (admins). */
export async function analyticsRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.get('/api/v1/kith/analytics', {
    schema: {
      tags: ['kith', 'analytics'], summary: 'Adoption figures of a period: DAU/WAU/MAU, activation, departments, features, clients (connectors and admins)',
      querystring: Type.Object(PeriodQuery, { additionalProperties: false }),
    },
    preHandler: requireScope('read'),
  }, async (request) => services.analytics.dashboard(currentAccount(request), parsePeriod(request.query), parseDepartment(request.query.department)));

  app.get('/api/v1/kith/analytics/export.csv', {
    schema: {
      tags: ['kith', 'analytics'], summary: 'One table of the adoption figures as CSV (connectors and admins)',
      querystring: Type.Object({ ...PeriodQuery, table: Type.Optional(Type.Union(CSV_TABLES.map((t) => Type.Literal(t)))) }, { additionalProperties: false }),
    },
    preHandler: requireScope('read'),
  }, async (request, reply) => {
    const table = request.query.table ?? 'daily';
    const period = parsePeriod(request.query);
    const csv = await services.analytics.csv(currentAccount(request), period, parseDepartment(request.query.department), table);
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="kith-adoption-${table}-${period.from}-${period.to}.csv"`)
      .send(csv);
  });

  app.get('/api/v1/kith/analytics/inactive', {
    schema: {
      tags: ['kith', 'analytics'], summary: 'Registered accounts without any activity in the period, by name (admins)',
      querystring: Type.Object(PeriodQuery, { additionalProperties: false }),
    },
    preHandler: requireScope('admin:read'),
  }, async (request) => services.analytics.inactive(currentAccount(request), parsePeriod(request.query), parseDepartment(request.query.department)));
}
