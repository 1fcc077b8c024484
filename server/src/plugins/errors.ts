import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { KithError } from '../shared/errors.ts';

/**
 * The one mapping from errors to responses: Mastodon's {"error": "..."} body, a safe message,
 * and never an internal detail on a 5xx.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError | KithError, request, reply) => {
    if (error instanceof KithError) {
      return reply.status(error.statusCode).send({ error: error.message });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const context = fastifyError.validationContext ?? 'request';
      return reply.status(400).send({ error: `Invalid ${context}: ${fastifyError.message.replace(/^\w+\/?/, '').trim() || 'bad input'}` });
    }
    const status = fastifyError.statusCode ?? 500;
    if (status === 413 || fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: 'Request body is too large' });
    }
    if (status === 429) {
      return reply.status(429).send({ error: 'Too many requests' });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: fastifyError.message || 'Bad request' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'Not found' });
  });
});
