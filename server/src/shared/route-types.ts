import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';

/** What every route plugin receives. */
export interface RouteDeps {
  config: Config;
  services: Services;
}

/** A Fastify instance whose route schemas (TypeBox) type the handlers' request. */
export function typed(app: FastifyInstance) {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}
