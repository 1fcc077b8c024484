import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { ONBOARDING_STEPS } from './onboarding.service.ts';

const StepId = Type.Union(ONBOARDING_STEPS.map((id) => Type.Literal(id)));

const OnboardingPatch = Type.Object(
  { completed: Type.Array(StepId, { maxItems: ONBOARDING_STEPS.length }) },
  { additionalProperties: false },
);

/** The signed-in account's first-run checklist. */
export async function onboardingRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.get('/api/v1/kith/onboarding', {
    schema: { tags: ['kith', 'onboarding'], summary: 'The first-run checklist: each step, whether it is done' },
    preHandler: requireScope('read:accounts'),
  }, async (request) => services.onboarding.state(currentAccount(request)._id));

  app.patch('/api/v1/kith/onboarding', {
    schema: { tags: ['kith', 'onboarding'], summary: 'Mark checklist steps done (or skipped)', body: OnboardingPatch },
    preHandler: requireScope('write:accounts'),
  }, async (request) => services.onboarding.complete(currentAccount(request)._id, request.body.completed));
}
