import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope, viewerOf } from '../plugins/auth.ts';
import { Invalid } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toStatusEditEntity } from './statuses.serialize.ts';
import { BoolParam, IdParams, toBool } from '../shared/schemas.ts';

// "local" (department-only) is Kith's; Mastodon apps send the other four.
const Visibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private'), Type.Literal('direct'), Type.Literal('local')]);
// Clients send "" or null for "not a reply" and "no language".
const OptionalId = Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()]));
const OptionalLanguage = Type.Optional(Type.Union([Type.String({ maxLength: 16 }), Type.Null()]));
const MediaIds = Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 }));

// The 500-character limit is the service's (Mastodon counts a URL as 23 characters, so it cannot be
// a schema bound). These raw caps sit far above anything that limit lets through and keep megabytes
// of text away from rendering and storage.
const StatusText = Type.Optional(Type.String({ maxLength: 5000 }));
const SpoilerText = Type.Optional(Type.String({ maxLength: 1000 }));
const CreateBody = Type.Object(
  {
    status: StatusText,
    spoiler_text: SpoilerText,
    sensitive: Type.Optional(BoolParam),
    visibility: Type.Optional(Visibility),
    in_reply_to_id: OptionalId,
    language: OptionalLanguage,
    media_ids: MediaIds,
    poll: Type.Optional(Type.Unknown()),
    scheduled_at: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: true },
);
const EditBody = Type.Object(
  {
    status: StatusText,
    spoiler_text: SpoilerText,
    sensitive: Type.Optional(BoolParam),
    language: OptionalLanguage,
    media_ids: MediaIds,
    poll: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: true });
const ManyQuery = Type.Object({
  id: Type.Union([Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 40 }), Type.String({ maxLength: 32 })]),
});

// Polls and scheduling come with later issues; refusing them beats silently dropping them.
function rejectUnsupported(body: { poll?: unknown; scheduled_at?: string | null }): void {
  if (body.poll !== undefined && body.poll !== null) throw new Invalid('Validation failed: polls are not supported yet');
  if (body.scheduled_at) throw new Invalid('Validation failed: scheduled statuses are not supported yet');
}

/** Posting, reading, editing and deleting statuses, threads and edit history. */
export async function statusesRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };

  app.post('/api/v1/statuses', {
    schema: { tags: ['statuses'], summary: 'Post a status', body: CreateBody, headers: IdempotencyHeaders },
    preHandler: requireScope('write:statuses'),
  }, async (request) => {
    const body = request.body;
    rejectUnsupported(body);
    const account = currentAccount(request);
    const status = await services.statuses.create(
      account,
      {
        text: body.status ?? '',
        spoilerText: body.spoiler_text ?? '',
        sensitive: toBool(body.sensitive),
        visibility: body.visibility,
        language: body.language || null,
        inReplyToId: body.in_reply_to_id || null,
        mediaIds: body.media_ids,
      },
      { idempotencyKey: request.headers['idempotency-key'] ?? null, applicationId: request.auth?.appId ?? null },
    );
    return services.statuses.serialize(status, account);
  });

  app.get('/api/v1/statuses', {
    schema: { tags: ['statuses'], summary: 'Several statuses by id (unknown and hidden ones are left out)', querystring: ManyQuery },
    preHandler: requireScope('read:statuses'),
  }, async (request) => {
    const ids = Array.isArray(request.query.id) ? request.query.id : [request.query.id];
    const viewer = viewerOf(request);
    return services.statuses.serializeMany(await services.statuses.getVisible([...new Set(ids)], viewer), viewer);
  });

  app.get('/api/v1/statuses/:id', {
    schema: { tags: ['statuses'], summary: 'One status', params: IdParams },
    preHandler: requireScope('read:statuses'),
  }, async (request) => {
    const viewer = viewerOf(request);
    return services.statuses.serialize(await services.statuses.get(request.params.id, viewer), viewer);
  });

  app.put('/api/v1/statuses/:id', {
    schema: { tags: ['statuses'], summary: 'Edit one of your statuses (earlier versions are kept)', params: IdParams, body: EditBody },
    preHandler: requireScope('write:statuses'),
  }, async (request) => {
    const body = request.body;
    rejectUnsupported(body);
    const account = currentAccount(request);
    const status = await services.statuses.edit(account, request.params.id, {
      text: body.status ?? '',
      spoilerText: body.spoiler_text ?? '',
      sensitive: toBool(body.sensitive),
      language: body.language === undefined ? undefined : body.language || null,
      mediaIds: body.media_ids,
    });
    return services.statuses.serialize(status, account);
  });

  app.delete('/api/v1/statuses/:id', {
    schema: { tags: ['statuses'], summary: 'Delete one of your statuses; the answer carries its text for redrafting', params: IdParams },
    preHandler: requireScope('write:statuses'),
  }, async (request) => {
    const account = currentAccount(request);
    const deleted = await services.statuses.delete(account, request.params.id);
    return services.statuses.serialize(deleted, account, { withSource: true });
  });

  app.get('/api/v1/statuses/:id/context', {
    schema: { tags: ['statuses'], summary: 'The statuses above and below one in its thread', params: IdParams },
    preHandler: requireScope('read:statuses'),
  }, async (request) => {
    const viewer = viewerOf(request);
    const { ancestors, descendants } = await services.statuses.context(request.params.id, viewer);
    // One serialization for both sides keeps the round trips fixed.
    const entities = await services.statuses.serializeMany([...ancestors, ...descendants], viewer);
    const above = new Set(ancestors.map((s) => s._id));
    return { ancestors: entities.filter((e) => above.has(e.id)), descendants: entities.filter((e) => !above.has(e.id)) };
  });

  app.get('/api/v1/statuses/:id/history', {
    schema: { tags: ['statuses'], summary: 'Every version of a status, oldest first', params: IdParams },
    preHandler: requireScope('read:statuses'),
  }, async (request) => {
    const { author, versions, media } = await services.statuses.history(request.params.id, viewerOf(request));
    return versions.map((v) => toStatusEditEntity(v, author, origin, media));
  });

  app.get('/api/v1/statuses/:id/source', {
    schema: { tags: ['statuses'], summary: 'The plain text of a status, for editing', params: IdParams },
    preHandler: requireScope('read:statuses'),
  }, async (request) => {
    const status = await services.statuses.get(request.params.id, viewerOf(request));
    return { id: status._id, text: status.text, spoiler_text: status.spoilerText };
  });
}
