import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { MARKER_TIMELINES, type MarkerRecord, type MarkerTimeline } from './markers.store.ts';

const Timeline = Type.Union(MARKER_TIMELINES.map((t) => Type.Literal(t)));
const GetQuery = Type.Object({ timeline: Type.Optional(Type.Array(Timeline, { maxItems: 2 })) });
const LastRead = Type.Object({ last_read_id: Type.String({ pattern: '^[0-9]{1,20}$' }) }, { additionalProperties: true });
const SaveBody = Type.Object({ home: Type.Optional(LastRead), notifications: Type.Optional(LastRead) }, { additionalProperties: true });

/** Mastodon's Marker entities, keyed by timeline. */
function toMarkersEntity(records: readonly MarkerRecord[]): Record<string, { last_read_id: string; version: number; updated_at: string }> {
  return Object.fromEntries(records.map((m) => [m.timeline, { last_read_id: m.lastReadId, version: m.version, updated_at: m.updatedAt.toISOString() }]));
}

/** Read markers: where the signed-in account stopped reading home and notifications, shared by its apps. */
export async function markersRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.get('/api/v1/markers', {
    schema: { tags: ['notifications'], summary: 'Saved read markers (timeline[] = home, notifications)', querystring: GetQuery },
    preHandler: requireScope('read:statuses'),
  }, async (request) => toMarkersEntity(await services.markers.get(currentAccount(request)._id, request.query.timeline ?? [])));

  app.post('/api/v1/markers', {
    schema: { tags: ['notifications'], summary: 'Save read markers', body: SaveBody },
    preHandler: requireScope('write:statuses'),
  }, async (request) => {
    const body = request.body ?? {};
    const lastRead: Partial<Record<MarkerTimeline, string>> = {};
    for (const timeline of MARKER_TIMELINES) {
      const id = body[timeline]?.last_read_id;
      if (id !== undefined) lastRead[timeline] = id;
    }
    return toMarkersEntity(await services.markers.save(currentAccount(request)._id, lastRead));
  });
}
