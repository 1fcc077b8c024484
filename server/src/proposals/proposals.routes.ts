import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { BoolParam, isTrue } from '../shared/schemas.ts';
import type { Services } from '../services.ts';
import { toProposalEntity } from './proposals.serialize.ts';
import { COMMENT_MAX, NOTE_MAX } from './proposals.service.ts';
import type { ProposalRecord } from './proposals.store.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,32}$' }) });
const tags = ['kith', 'connectors'];

/** Proposals with their statuses (as the viewer may see them), handles and paths. */
async function entities(services: Services, viewer: AccountRecord, records: ProposalRecord[]) {
  const visible = await services.statuses.getVisible(records.map((r) => r.statusId), viewer);
  const statuses = new Map((await services.statuses.serializeMany(visible, viewer)).map((s) => [s.id, s]));
  const ids = [...new Set(records.flatMap((r) => [r.proposedBy, r.decidedBy]).filter((id): id is string => id !== null))];
  const accounts = new Map((await services.accounts.getMany(ids)).map((a) => [a._id, a]));
  return Promise.all(records.map(async (r) => toProposalEntity(r, { status: statuses.get(r.statusId) ?? null, accounts, path: await services.relay.departmentsOf(r.path) })));
}

/** Proposals and the connectors' review queue (docs/connectors-design.md §4). */
export async function proposalsRoutes(instance: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const { proposals } = services;

  app.post('/api/v1/kith/proposals', {
    schema: {
      tags, summary: 'Propose a status for the company (any member): public or unlisted, one you can see',
      body: Type.Object({ status_id: Type.String({ pattern: '^\\d{1,32}$' }), comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX })) }, { additionalProperties: false }),
    },
    preHandler: requireScope('write'),
  }, async (request) => {
    const viewer = currentAccount(request);
    const record = await proposals.propose(viewer, { statusId: request.body.status_id, comment: request.body.comment });
    return (await entities(services, viewer, [record]))[0];
  });

  app.get('/api/v1/kith/proposals', {
    schema: {
      tags, summary: 'The review queue (connectors; state=pending), or mine=true: your own proposals and their fate',
      querystring: Type.Object({
        state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('declined'), Type.Literal('all')])),
        mine: Type.Optional(BoolParam),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      }, { additionalProperties: false }),
    },
    preHandler: requireScope('read'),
  }, async (request) => {
    const viewer = currentAccount(request);
    const state = request.query.state === 'all' || request.query.state === undefined ? null : request.query.state;
    const records = await proposals.list(viewer, { state, mine: isTrue(request.query.mine), limit: request.query.limit ?? 40 });
    return entities(services, viewer, records);
  });

  app.get('/api/v1/kith/proposals/:id', {
    schema: { tags, summary: 'One proposal (its proposer or a connector)', params: IdParams },
    preHandler: requireScope('read'),
  }, async (request) => {
    const viewer = currentAccount(request);
    return (await entities(services, viewer, [await proposals.get(viewer, request.params.id)]))[0];
  });

  app.post('/api/v1/kith/proposals/:id/approve', {
    schema: {
      tags, summary: 'Approve: relay it to the linked departments, with an optional note (connectors)', params: IdParams,
      body: Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: NOTE_MAX })) }, { additionalProperties: false })),
    },
    preHandler: requireScope('write'),
  }, async (request) => {
    const viewer = currentAccount(request);
    return (await entities(services, viewer, [await proposals.approve(viewer, request.params.id, request.body?.note ?? '')]))[0];
  });

  app.post('/api/v1/kith/proposals/:id/decline', {
    schema: {
      tags, summary: 'Decline with a reason the proposer sees (connectors)', params: IdParams,
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: NOTE_MAX }) }, { additionalProperties: false }),
    },
    preHandler: requireScope('write'),
  }, async (request) => {
    const viewer = currentAccount(request);
    return (await entities(services, viewer, [await proposals.decline(viewer, request.params.id, request.body.reason)]))[0];
  });
}
