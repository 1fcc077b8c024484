import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { PageQuerySchema, setLinkHeader, toPage } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { AUDIT_ACTIONS, type AuditRecord } from './audit.store.ts';

const ActionQuery = Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a))));
const ListQuery = Type.Object({ ...PageQuerySchema.properties, action: ActionQuery });

function toAuditEntity(r: AuditRecord) {
  return { id: r._id, at: r.at.toISOString(), actor: r.actor, actor_handle: r.actorHandle, action: r.action, subject: r.subject, detail: r.detail };
}

/** The audit log: a page of JSON, or all of it as CSV (connectors and admins). */
export async function auditRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);

  app.get('/api/v1/kith/audit', {
    schema: { tags: ['kith', 'connectors'], summary: 'The connectors’ audit log, newest first (connectors and admins)', querystring: ListQuery },
    preHandler: requireScope('read'),
  }, async (request, reply) => {
    const { action, ...paging } = request.query;
    const records = await services.audit.list(currentAccount(request), action ?? null, toPage(paging, 40, 200));
    setLinkHeader(request, reply, config.publicUrl, records.map((r) => r._id));
    return records.map(toAuditEntity);
  });

  app.get('/api/v1/kith/audit.csv', {
    schema: { tags: ['kith', 'connectors'], summary: 'The audit log as CSV (connectors and admins)', querystring: Type.Object({ action: ActionQuery }) },
    preHandler: requireScope('read'),
  }, async (request, reply) => {
    const csv = await services.audit.csv(currentAccount(request), request.query.action ?? null);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="kith-audit.csv"').send(csv);
  });
}
