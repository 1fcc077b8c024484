import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from '../shared/route-types.ts';
import { defaultAvatar, defaultHeader, type StaticImage } from './default-images.ts';

// A day: the images may change with a release, so not "immutable"; the ETag makes revalidation cheap.
const CACHE_CONTROL = 'public, max-age=86400';

function sendImage(request: FastifyRequest, reply: FastifyReply, image: StaticImage) {
  reply.header('cache-control', CACHE_CONTROL).header('etag', image.etag);
  if (request.headers['if-none-match'] === image.etag) return reply.status(304).send();
  return reply.type('image/png').send(image.body);
}

/** The default avatar and header images that accounts without their own point at. */
export async function staticRoutes(app: FastifyInstance, _deps: RouteDeps): Promise<void> {
  const options = { schema: { tags: ['static'], summary: 'Default profile image', security: [] }, config: { rateLimit: false } };
  app.get('/static/avatar.png', options, async (request, reply) => sendImage(request, reply, defaultAvatar()));
  app.get('/static/header.png', options, async (request, reply) => sendImage(request, reply, defaultHeader()));
}
