import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { PageQuerySchema, setLinkHeader, toPage } from '../shared/pagination.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { toAdminAccountEntity } from './admin.serialize.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,32}$' }) });
const RoleName = Type.Union([Type.Literal('admin'), Type.Literal('connector'), Type.Literal('member')]);
const ListQuery = Type.Object({
  ...PageQuerySchema.properties,
  role: Type.Optional(RoleName),
  suspended: Type.Optional(Type.Boolean()),
});

/** Kith's account administration API: list local accounts, set roles, suspend and unsuspend. */
export async function adminRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };

  app.get('/api/v1/kith/admin/accounts', {
    schema: { tags: ['kith', 'admin'], summary: 'Local accounts with role, email and suspension (admins)', querystring: ListQuery },
    preHandler: requireScope('admin:read:accounts'),
  }, async (request, reply) => {
    const { role, suspended, ...paging } = request.query;
    const accounts = await services.admin.listAccounts(currentAccount(request), { role, suspended }, toPage(paging, 40, 200));
    setLinkHeader(request, reply, config.publicUrl, accounts.map((a) => a._id));
    return accounts.map((a) => toAdminAccountEntity(a, origin));
  });

  app.get('/api/v1/kith/admin/accounts/:id', {
    schema: { tags: ['kith', 'admin'], summary: 'One local account (admins)', params: IdParams },
    preHandler: requireScope('admin:read:accounts'),
  }, async (request) => toAdminAccountEntity(await services.admin.getAccount(currentAccount(request), request.params.id), origin));

  app.post('/api/v1/kith/admin/accounts/:id/role', {
    schema: { tags: ['kith', 'admin'], summary: 'Give an account a role (admins)', params: IdParams, body: Type.Object({ role: RoleName }) },
    preHandler: requireScope('admin:write:accounts'),
  }, async (request) => toAdminAccountEntity(await services.admin.setRole(currentAccount(request), request.params.id, request.body.role), origin));

  app.put('/api/v1/kith/admin/accounts/:id/leader', {
    schema: {
      tags: ['kith', 'admin'], summary: 'Mark an account as a leader, or not (adoption analytics; admins)', params: IdParams,
      body: Type.Object({ leader: Type.Boolean() }, { additionalProperties: false }),
    },
    preHandler: requireScope('admin:write:accounts'),
  }, async (request) => toAdminAccountEntity(await services.admin.setLeader(currentAccount(request), request.params.id, request.body.leader), origin));

  app.post('/api/v1/kith/admin/accounts/:id/suspend', {
    schema: { tags: ['kith', 'admin'], summary: 'Suspend an account: it cannot sign in and its tokens stop working (admins)', params: IdParams },
    preHandler: requireScope('admin:write:accounts'),
  }, async (request) => toAdminAccountEntity(await services.admin.suspend(currentAccount(request), request.params.id), origin));

  app.post('/api/v1/kith/admin/accounts/:id/unsuspend', {
    schema: { tags: ['kith', 'admin'], summary: 'Lift a suspension (admins)', params: IdParams },
    preHandler: requireScope('admin:write:accounts'),
  }, async (request) => toAdminAccountEntity(await services.admin.unsuspend(currentAccount(request), request.params.id), origin));
}
