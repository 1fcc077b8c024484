import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { IdBound, idBound, newestFirst, setLinkHeader, toPage } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';

const Query = Type.Object({
  max_id: Type.Optional(IdBound),
  since_id: Type.Optional(IdBound),
  min_id: Type.Optional(IdBound),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 40 })),
}, { additionalProperties: false });

/**
 * The Company news timeline (docs/connectors-design.md §5): Mastodon status entities, newest first,
 * paged by the news record id, each with `kith_relay` — the note, the path it took (ending here),
 * who approved it here and when it became company news here.
 */
export async function companyNewsRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const { relay, statuses, accounts } = services;

  app.get('/api/v1/timelines/kith/company', {
    schema: { tags: ['timelines', 'kith'], summary: 'Company news: statuses relayed between departments, with the path they took', querystring: Query },
    preHandler: requireScope('read:statuses'),
  }, async (request, reply) => {
    const viewer = currentAccount(request);
    const page = toPage(request.query, 20, 40);
    const records = newestFirst(page, await relay.page({ ...page, maxId: idBound(page.maxId), sinceId: idBound(page.sinceId), minId: idBound(page.minId) }));
    setLinkHeader(request, reply, config.publicUrl, records.map((r) => r._id));
    const visible = await statuses.getVisible(records.map((r) => r.statusId), viewer);
    const entities = new Map((await statuses.serializeMany(visible, viewer)).map((s) => [s.id, s]));
    const self = await relay.ownActorUri();
    const approvers = new Map((await accounts.getMany(records.map((r) => r.approvedBy).filter((id): id is string => id !== null && id !== 'auto'))).map((a) => [a._id, a]));
    const out = [];
    for (const record of records) {
      const entity = entities.get(record.statusId);
      if (!entity) continue;
      const approver = record.approvedBy ? approvers.get(record.approvedBy) : undefined;
      out.push({
        ...entity,
        kith_relay: {
          note: record.noteHtml,
          path: await relay.departmentsOf([...(record.paths[0] ?? []), self]),
          approved_by: approver ? `@${approver.username}` : record.approvedBy === 'auto' ? 'auto' : null,
          relayed_at: (record.relayedAt ?? record.createdAt).toISOString(),
        },
      });
    }
    return out;
  });
}
