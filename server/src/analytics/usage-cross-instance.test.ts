// Cross-instance usage on two linked departments over real HTTP: a follow of and a reply to someone of the other
// instance are recorded crossInstance true (a local follow false), and a connector passing the other
// department's news onward is recorded as a relay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDepartments, link, linkWith, settle, startDepartments, type Department } from '../../test/connectors/departments.ts';
import { post, remoteAccountId, remoteStatusId } from '../../test/federation/network.ts';
import { recordedDuring } from './usage-test-support.ts';

let deps: Record<'a' | 'b' | 'c', Department>;

beforeAll(async () => {
  // b – a – c: news from b can pass onward through a to c.
  deps = await startDepartments(['a', 'b', 'c'] as const);
  await link(deps.a, deps.b);
  await link(deps.a, deps.c);
}, 240_000);

afterAll(() => closeDepartments(deps));

describe('cross-instance usage', () => {
  it('records follows and replies across instances as crossInstance, local ones not', async () => {
    const { a, b } = deps;
    const remote = await remoteAccountId(a.instance, b.instance, b.member.account.username);
    const follow = await recordedDuring(a.instance, a.member.account._id, async () => {
      expect((await a.member.api.post(`/api/v1/accounts/${remote}/follow`)).status).toBe(200);
    });
    expect(follow.map((e) => [e.feature, e.crossInstance])).toEqual([['follow', true]]);
    const local = await recordedDuring(a.instance, a.member.account._id, async () => {
      expect((await a.member.api.post(`/api/v1/accounts/${a.connector.account._id}/follow`)).status).toBe(200);
    });
    expect(local.map((e) => [e.feature, e.crossInstance])).toEqual([['follow', false]]);
    await settle([a, b]);

    const theirs = await post(b.member, 'Anyone for lunch?');
    await settle([a, b]);
    const copy = await remoteStatusId(a.instance, theirs.uri);
    expect(copy).not.toBeNull();
    const reply = await recordedDuring(a.instance, a.member.account._id, async () => {
      expect((await a.member.api.post('/api/v1/statuses', { status: `@${b.member.account.username}@${b.host} yes`, in_reply_to_id: copy })).status).toBe(200);
    });
    expect(reply.map((e) => [e.feature, e.crossInstance])).toEqual([['reply', true]]);
  });

  it('records passing another department’s news onward as a relay', async () => {
    const { a, b } = deps;
    const l = await linkWith(a, b);
    expect((await a.connector.api.put(`/api/v1/kith/links/${l.id}/policy`, { approval: 'queue' })).status).toBe(200);
    const news = await post(b.admin, 'Quarterly results are out');
    const proposed = await b.member.api.post('/api/v1/kith/proposals', { status_id: news.id });
    expect(proposed.status).toBe(200);
    const approved = await recordedDuring(b.instance, b.connector.account._id, async () => {
      expect((await b.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/approve`, {})).status).toBe(200);
    });
    expect(approved.map((e) => e.feature)).toEqual(['approval']);
    await settle([a, b, deps.c]);
    const queue = await a.connector.api.get('/api/v1/kith/proposals', { state: 'pending' });
    const incoming = (queue.body as any[]).find((p) => p.status_uri === news.uri);
    expect(incoming).toMatchObject({ kind: 'incoming' });
    const relayed = await recordedDuring(a.instance, a.connector.account._id, async () => {
      expect((await a.connector.api.post(`/api/v1/kith/proposals/${incoming.id}/approve`, {})).status).toBe(200);
    });
    expect(relayed.map((e) => e.feature)).toEqual(['relay']);
  });
});
