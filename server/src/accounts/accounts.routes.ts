import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toAccountEntity, toCredentialAccountEntity } from './accounts.serialize.ts';
import type { ProfileUpdate } from './accounts.service.ts';
import { BoolParam, IdParams, toBool } from '../shared/schemas.ts';

const Visibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private'), Type.Literal('direct'), Type.Literal('local')]);

const UpdateCredentialsBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ maxLength: 1000 })),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
    locked: Type.Optional(BoolParam),
    bot: Type.Optional(BoolParam),
    discoverable: Type.Optional(BoolParam),
    fields_attributes: Type.Optional(
      Type.Union([
        Type.Array(Type.Object({ name: Type.String({ maxLength: 1000 }), value: Type.String({ maxLength: 1000 }) }), { maxItems: 16 }),
        // Form encodings with non-sequential indices arrive as an object keyed by index.
        Type.Record(Type.String({ pattern: '^\\d{1,2}$' }), Type.Object({ name: Type.String({ maxLength: 1000 }), value: Type.String({ maxLength: 1000 }) })),
      ]),
    ),
    source: Type.Optional(
      Type.Object({
        privacy: Type.Optional(Visibility),
        sensitive: Type.Optional(BoolParam),
        language: Type.Optional(Type.Union([Type.String({ pattern: '^[a-z]{2,3}$' }), Type.Literal('')])),
      }),
    ),
    // Kith's intranet profile: job title, department and location.
    title: Type.Optional(Type.String({ maxLength: 1000 })),
    department: Type.Optional(Type.String({ maxLength: 1000 })),
    location: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: true },
);

/** Account routes: profiles, lookup and the signed-in user's own credentials. */
export async function accountsRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };

  const credentialEntity = async (accountId: string) => {
    const account = await services.accounts.get(accountId);
    return toCredentialAccountEntity(account, origin, await services.follows.pendingRequestCount(accountId));
  };

  app.get('/api/v1/accounts/verify_credentials', {
    schema: { tags: ['accounts'], summary: 'The signed-in account, with its editable source' },
    preHandler: requireScope('read:accounts'),
  }, async (request) => credentialEntity(currentAccount(request)._id));

  // Avatar and header arrive as multipart file fields, as Mastodon apps send them; the multipart plugin limits
  // files by their own size, so JSON and form bodies keep the server's 1 MB limit here.
  const maxImageBytes = config.mediaMaxImageMb * 1024 * 1024;
  app.patch('/api/v1/accounts/update_credentials', {
    config: { upload: { maxBytes: maxImageBytes, fields: ['avatar', 'header'] } },
    schema: { tags: ['accounts'], summary: 'Update the signed-in profile (avatar and header as multipart file fields)', body: UpdateCredentialsBody },
    preHandler: requireScope('write:accounts'),
  }, async (request) => {
    const body = request.body ?? {};
    const fields = body.fields_attributes === undefined
      ? undefined
      : Array.isArray(body.fields_attributes)
        ? body.fields_attributes
        : Object.entries(body.fields_attributes).sort(([a], [b]) => Number(a) - Number(b)).map(([, f]) => f);
    const update: ProfileUpdate = {
      displayName: body.display_name,
      note: body.note,
      title: body.title,
      department: body.department,
      location: body.location,
      fields,
      locked: toBool(body.locked),
      bot: toBool(body.bot),
      discoverable: toBool(body.discoverable),
      defaultVisibility: body.source?.privacy,
      defaultSensitive: toBool(body.source?.sensitive),
      defaultLanguage: body.source?.language === undefined ? undefined : body.source.language || null,
    };
    const me = currentAccount(request);
    const files = request.uploadedFiles ?? {};
    // New images are stored first; the old ones go only once the profile points at the new ones.
    const stored: string[] = [];
    try {
      if (files.avatar) stored.push(update.avatarUrl = await services.media.storeProfileImage(me, 'avatar', files.avatar.bytes));
      if (files.header) stored.push(update.headerUrl = await services.media.storeProfileImage(me, 'header', files.header.bytes));
      await services.accounts.updateProfile(me._id, update);
    } catch (error) {
      for (const url of stored) await services.media.removeProfileImage(me._id, url);
      throw error;
    }
    if (update.avatarUrl) await services.media.removeProfileImage(me._id, me.avatarUrl);
    if (update.headerUrl) await services.media.removeProfileImage(me._id, me.headerUrl);
    return credentialEntity(me._id);
  });

  app.get('/api/v1/accounts/lookup', {
    schema: { tags: ['accounts'], summary: 'Find an account by its handle', querystring: Type.Object({ acct: Type.String({ minLength: 1, maxLength: 300 }) }) },
    preHandler: requireScope('read:accounts'),
  }, async (request) => toAccountEntity(await services.search.lookupAccount(request.query.acct), origin));

  app.get('/api/v1/accounts/:id', {
    schema: { tags: ['accounts'], summary: 'An account by id', params: IdParams },
    preHandler: requireScope('read:accounts'),
  }, async (request) => toAccountEntity(await services.accounts.get(request.params.id), origin));
}
