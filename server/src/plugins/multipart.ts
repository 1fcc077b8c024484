import fp from 'fastify-plugin';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { Invalid, PayloadTooLarge } from '../shared/errors.ts';

/** The file of an upload route's form (the `file` field). */
export interface UploadedFile {
  bytes: Buffer;
  /** The name the client gave (never trusted for the type). */
  fileName: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Upload routes opt in to one file per field of `fields` (default: `file`), each of at most maxBytes. */
    upload?: { maxBytes: number; fields?: readonly string[] };
  }
  interface FastifyRequest {
    uploadedFile: UploadedFile | null;
    /** Every uploaded file by its field name (routes with several file fields, e.g. avatar and header). */
    uploadedFiles: Record<string, UploadedFile> | null;
  }
}

// Mastodon apps send forms as multipart/form-data as often as urlencoded. The text fields of a form
// fit in these; longer ones are refused rather than silently cut short.
const LIMITS = { fields: 200, fieldNameSize: 200, fieldSize: 64 * 1024, files: 1, parts: 201, headerPairs: 50 };

/**
 * Accepts multipart/form-data bodies: their text fields become the request body, parsed by `parser`
 * exactly like an urlencoded form (so `source[privacy]` and `fields_attributes[0][name]` nest the same
 * way). File parts are refused with 422, except the `file` of routes with `config.upload`, read into
 * request.uploadedFile (413 past its maxBytes).
 */
export const multipartPlugin = fp<{ parser: (text: string) => unknown }>(async (app: FastifyInstance, { parser }) => {
  await app.register(multipart, { limits: LIMITS });
  app.decorateRequest('uploadedFile', null);
  app.decorateRequest('uploadedFiles', null);
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const upload = request.routeOptions.config.upload;
    const fileFields = upload?.fields ?? ['file'];
    const fields = new URLSearchParams();
    for await (const part of request.parts(upload ? { limits: { ...LIMITS, files: fileFields.length, fileSize: upload.maxBytes } } : undefined)) {
      if (part.type === 'file') {
        if (!upload || !fileFields.includes(part.fieldname) || request.uploadedFiles?.[part.fieldname]) {
          part.file.resume();
          const expected = fileFields.length === 1 ? `send one file, in the field "${fileFields[0]}"` : `send at most one file in each of the fields ${fileFields.join(', ')}`;
          throw new Invalid(upload ? `Validation failed: ${expected}` : 'Validation failed: file uploads are not supported yet');
        }
        try {
          const file = { bytes: await part.toBuffer(), fileName: part.filename };
          request.uploadedFiles = { ...request.uploadedFiles, [part.fieldname]: file };
          if (part.fieldname === 'file') request.uploadedFile = file;
        } catch (error) {
          if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
            throw new PayloadTooLarge(`The file is too large (maximum is ${Math.round(upload.maxBytes / 1024 / 1024)} MB)`);
          }
          throw error;
        }
        continue;
      }
      if (part.fieldnameTruncated || part.valueTruncated) {
        throw new PayloadTooLarge(`Form field ${part.fieldname.slice(0, 100)} is too long (maximum is ${LIMITS.fieldSize} bytes)`);
      }
      fields.append(part.fieldname, typeof part.value === 'string' ? part.value : JSON.stringify(part.value));
    }
    request.body = parser(fields.toString());
  });
});
