import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentAccount, requireScope, viewerOf } from '../plugins/auth.ts';
import { IdBound, idBound, setLinkHeader, toPage, type Page } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { normalizeTag } from '../statuses/hashtag-names.ts';
import type { Viewer } from '../statuses/status-visibility.ts';
import type { TimelinePage } from './timelines.service.ts';
import { BoolParam, IdParams, isTrue } from '../shared/schemas.ts';

const TagName = Type.String({ minLength: 1, maxLength: 100 });
const TagList = Type.Array(TagName, { maxItems: 20 });

const PageFields = {
  max_id: Type.Optional(IdBound),
  since_id: Type.Optional(IdBound),
  min_id: Type.Optional(IdBound),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
};
const HomeQuery = Type.Object(PageFields);
const PublicQuery = Type.Object({ ...PageFields, local: Type.Optional(BoolParam), remote: Type.Optional(BoolParam), only_media: Type.Optional(BoolParam) });
const TagQuery = Type.Object({
  ...PageFields,
  any: Type.Optional(TagList),
  all: Type.Optional(TagList),
  none: Type.Optional(TagList),
  local: Type.Optional(BoolParam),
  remote: Type.Optional(BoolParam),
  only_media: Type.Optional(BoolParam),
});
const AccountStatusesQuery = Type.Object({
  ...PageFields,
  only_media: Type.Optional(BoolParam),
  exclude_replies: Type.Optional(BoolParam),
  exclude_reblogs: Type.Optional(BoolParam),
  pinned: Type.Optional(BoolParam),
  tagged: Type.Optional(TagName),
});
const TagParams = Type.Object({ hashtag: TagName });

/** Mastodon paging for timelines: default 20, at most 40. */
function timelinePage(query: Static<typeof HomeQuery>): Page {
  const page = toPage(query, 20, 40);
  return { ...page, maxId: idBound(page.maxId), sinceId: idBound(page.sinceId), minId: idBound(page.minId) };
}

function tagNames(names: readonly string[] | undefined): string[] {
  return (names ?? []).map(normalizeTag);
}

/** Home, public, hashtag and profile timelines. */
export async function timelinesRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const respond = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, result: TimelinePage) => {
    setLinkHeader(request, reply, config.publicUrl, result.pageIds);
    return services.statuses.serializeMany(result.statuses, viewer);
  };

  app.get('/api/v1/timelines/home', {
    schema: { tags: ['timelines'], summary: 'Statuses of the signed-in account and the accounts it follows, with their boosts', querystring: HomeQuery },
    preHandler: requireScope('read:statuses'),
  }, async (request, reply) => {
    const viewer = currentAccount(request);
    return respond(request, reply, viewer, await services.timelines.home(viewer, timelinePage(request.query)));
  });

  app.get('/api/v1/timelines/public', {
    schema: {
      tags: ['timelines'],
      summary: "Public and department-only statuses of this instance's accounts (remote=true: of other instances, none until federation)",
      querystring: PublicQuery,
    },
    preHandler: requireScope('read:statuses'),
  }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { remote, only_media } = request.query;
    const result = await services.timelines.public(viewer, timelinePage(request.query), { remote: isTrue(remote), onlyMedia: isTrue(only_media) });
    return respond(request, reply, viewer, result);
  });

  app.get('/api/v1/timelines/tag/:hashtag', {
    schema: { tags: ['timelines'], summary: 'Public and department-only statuses with a hashtag (any[], all[], none[] narrow it)', params: TagParams, querystring: TagQuery },
    preHandler: requireScope('read:statuses'),
  }, async (request, reply) => {
    const viewer = viewerOf(request);
    const q = request.query;
    const [tag] = tagNames([request.params.hashtag]);
    const result = await services.timelines.tag(viewer, tag!, timelinePage(q), {
      any: tagNames(q.any),
      all: tagNames(q.all),
      none: tagNames(q.none),
      remote: isTrue(q.remote),
      onlyMedia: isTrue(q.only_media),
    });
    return respond(request, reply, viewer, result);
  });

  app.get('/api/v1/accounts/:id/statuses', {
    schema: { tags: ['timelines'], summary: "An account's statuses that the caller may see", params: IdParams, querystring: AccountStatusesQuery },
    preHandler: requireScope('read:statuses'),
  }, async (request, reply) => {
    const viewer = viewerOf(request);
    const q = request.query;
    const result = await services.timelines.accountStatuses(viewer, request.params.id, timelinePage(q), {
      onlyMedia: isTrue(q.only_media),
      excludeReplies: isTrue(q.exclude_replies),
      excludeReblogs: isTrue(q.exclude_reblogs),
      pinned: isTrue(q.pinned),
      tagged: q.tagged === undefined ? undefined : tagNames([q.tagged])[0],
    });
    return respond(request, reply, viewer, result);
  });
}
