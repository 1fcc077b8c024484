import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { parsePeriod } from './analytics-period.ts';

/** The company's adoption, instance by instance (issue 6, item 3; docs/connectors-design.md §8): admins and connectors. */
export async function companyAdoptionRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  typed(instance).get('/api/v1/kith/analytics/company', {
    schema: {
      tags: ['kith', 'analytics'],
      summary: 'Adoption across the company network: this instance’s aggregate report beside every linked department’s',
      querystring: Type.Object({
        from: Type.Optional(Type.String({ maxLength: 40 })),
        to: Type.Optional(Type.String({ maxLength: 40 })),
      }, { additionalProperties: false }),
    },
    preHandler: requireScope('read'),
  }, async (request) => services.companyAdoption.company(currentAccount(request), parsePeriod(request.query)));
}
