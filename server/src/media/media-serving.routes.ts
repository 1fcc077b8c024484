// GET /media/<key>/<variant>: the bytes of local media.
//
// Who may fetch them: whoever has the URL. The key is 128 random bits, so a URL cannot be guessed,
// only be given, and it is given exactly to those who may see the status (or to the uploader). A
// signed-in session cannot be asked for: the readers of a federated status are on other instances,
// and their apps load its attachments from here without any session on this instance (Mastodon
// serves media the same way). Responses are `private` so shared caches between keep no copy.
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { byteRange } from './byte-range.ts';

const Params = Type.Object({ key: Type.String({ maxLength: 64 }), variant: Type.String({ maxLength: 16 }) });
const KEY = /^[A-Za-z0-9_-]{22}$/;

/** `attachment` with the name in ASCII and, for other characters, in RFC 5987 form. */
function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|[\\"%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function mediaServingRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  app.get('/media/:key/:variant', {
    schema: { tags: ['media'], summary: 'The bytes of an upload (original, or small for an image thumbnail)', params: Params },
  }, async (request, reply) => {
    const { key, variant } = request.params;
    if (!KEY.test(key) || (variant !== 'original' && variant !== 'small')) throw new NotFound();
    const found = await services.media.findFile(key, variant);
    if (!found) throw new NotFound();
    const { record, file } = found;
    const etag = `"${key}-${variant}"`;
    reply
      .header('content-type', file.contentType)
      .header('x-content-type-options', 'nosniff')
      // Even opened directly, the bytes run nothing and load nothing.
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', record.type === 'image' ? 'inline' : attachmentDisposition(record.fileName))
      // The bytes under a key never change.
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('etag', etag)
      .header('accept-ranges', 'bytes');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    const range = byteRange(request.headers.range, file.bytes);
    if (range === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${file.bytes}`).header('content-type', 'application/json').send({ error: 'Range not satisfiable' });
    }
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end - 1}/${file.bytes}`).header('content-length', range.end - range.start);
      return reply.send(services.media.openFile(file, range));
    }
    reply.header('content-length', file.bytes);
    return reply.send(services.media.openFile(file));
  });
}
