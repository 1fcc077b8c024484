import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { Invalid } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { IdParams } from '../shared/schemas.ts';
import { toMediaEntity } from './media.serialize.ts';

// Raw caps; the service checks the real rules (1500 characters of alt text) with Mastodon's 422s.
const Description = Type.Optional(Type.String({ maxLength: 10_000 }));
const Focus = Type.Optional(Type.String({ maxLength: 64 }));
const UploadBody = Type.Optional(Type.Object({ description: Description, focus: Focus }, { additionalProperties: true }));
const UpdateBody = Type.Object({ description: Description, focus: Focus }, { additionalProperties: true });

// The form's text fields and a little framing on top of the largest file.
const FORM_OVERHEAD_BYTES = 1024 * 1024;

/** Uploading media (v2 and v1 alike: Kith processes uploads before answering), reading, alt text and focus. */
export async function mediaRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const maxBytes = services.media.maxUploadBytes;
  const entity = (record: Parameters<typeof toMediaEntity>[0]) => toMediaEntity(record, config.publicUrl);

  const upload = async (request: FastifyRequest<{ Body: { description?: string; focus?: string } | undefined }>) => {
    const file = request.uploadedFile;
    if (!file) throw new Invalid('Validation failed: File can\'t be blank (send it as multipart/form-data in the field "file")');
    const body = request.body ?? {};
    return entity(await services.media.upload(currentAccount(request), { bytes: file.bytes, fileName: file.fileName, description: body.description, focus: body.focus }));
  };
  for (const path of ['/api/v2/media', '/api/v1/media']) {
    app.post(path, {
      // Only upload routes take bodies this large; the server's limit stays 1 MB everywhere else.
      bodyLimit: maxBytes + FORM_OVERHEAD_BYTES,
      config: { upload: { maxBytes } },
      schema: { tags: ['media'], summary: 'Upload an image or a file (multipart field "file"); ready when answered', body: UploadBody },
      preHandler: requireScope('write:media'),
    }, upload);
  }

  app.get('/api/v1/media/:id', {
    schema: { tags: ['media'], summary: 'One of your uploads', params: IdParams },
    preHandler: requireScope('write:media'),
  }, async (request) => entity(await services.media.getOwn(currentAccount(request)._id, request.params.id)));

  app.put('/api/v1/media/:id', {
    schema: { tags: ['media'], summary: 'Change the alt text or focal point of an upload not yet attached', params: IdParams, body: UpdateBody },
    preHandler: requireScope('write:media'),
  }, async (request) => entity(await services.media.update(currentAccount(request)._id, request.params.id, request.body)));

  app.delete('/api/v1/media/:id', {
    schema: { tags: ['media'], summary: 'Delete an upload not attached to a post', params: IdParams },
    preHandler: requireScope('write:media'),
  }, async (request) => entity(await services.media.deletePending(currentAccount(request)._id, request.params.id)));
}
