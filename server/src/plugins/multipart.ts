import fp from 'fastify-plugin';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { Invalid, PayloadTooLarge } from '../shared/errors.ts';

// Mastodon apps send forms as multipart/form-data as often as urlencoded. The text fields of a form
// fit in these; longer ones are refused rather than silently cut short.
const LIMITS = { fields: 200, fieldNameSize: 200, fieldSize: 64 * 1024, files: 1, parts: 201, headerPairs: 50 };

/**
 * Accepts multipart/form-data bodies: their text fields become the request body, parsed by `parser`
 * exactly like an urlencoded form (so `source[privacy]` and `fields_attributes[0][name]` nest the same
 * way). File parts are refused with 422 until Kith takes uploads.
 */
export const multipartPlugin = fp<{ parser: (text: string) => unknown }>(async (app: FastifyInstance, { parser }) => {
  await app.register(multipart, { limits: LIMITS });
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const fields = new URLSearchParams();
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        part.file.resume();
        throw new Invalid('Validation failed: file uploads are not supported yet');
      }
      if (part.fieldnameTruncated || part.valueTruncated) {
        throw new PayloadTooLarge(`Form field ${part.fieldname.slice(0, 100)} is too long (maximum is ${LIMITS.fieldSize} bytes)`);
      }
      fields.append(part.fieldname, typeof part.value === 'string' ? part.value : JSON.stringify(part.value));
    }
    request.body = parser(fields.toString());
  });
});
