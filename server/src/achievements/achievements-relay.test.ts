// first_relayed_news between two linked departments over real HTTP (issue 6, item 5): a post proposed and
// approved in its author's department earns the author the achievement there, once; a post approved in
// the other department and relayed back earns its author the achievement at home; the department that
// relayed someone else's post awards nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDepartments, link, settle, startDepartments, type Department } from '../../test/connectors/departments.ts';
import { post, remoteAccountId, remoteStatusId, type PostedStatus } from '../../test/federation/network.ts';
import type { TestUser } from '../../test/harness.ts';

let deps: Record<'a' | 'b', Department>;
let both: Department[];
let writer: TestUser; // a plain member of a who writes the news

async function kindsOf(x: Department, accountId: string): Promise<string[]> {
  const response = await x.member.api.get(`/api/v1/kith/accounts/${accountId}/achievements`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.achievements.map((a: any) => a.kind).sort();
}

async function achievement(x: Department, accountId: string, kind: string): Promise<any> {
  const response = await x.member.api.get(`/api/v1/kith/accounts/${accountId}/achievements`);
  return response.body.achievements.find((a: any) => a.kind === kind);
}

/** `x`'s member proposes the status (its id on x) and x's connector approves it. */
async function proposeAndApprove(x: Department, statusId: string): Promise<void> {
  const proposed = await x.member.api.post('/api/v1/kith/proposals', { status_id: statusId });
  expect(proposed.status, JSON.stringify(proposed.body)).toBe(200);
  const approved = await x.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  await settle(both);
  await settle(both);
}

beforeAll(async () => {
  deps = await startDepartments(['a', 'b'] as const);
  both = [deps.a, deps.b];
  await link(deps.a, deps.b, both);
  writer = await deps.a.instance.createUser('a_writer');
}, 120_000);

afterAll(() => closeDepartments(deps));

describe('first_relayed_news', () => {
  it('is earned by the author when their department approves the post as company news; once', async () => {
    const { a, b } = deps;
    const news = await post(writer, 'All-hands on Friday #news');
    await settle(both);
    expect(await kindsOf(a, writer.account._id)).toEqual(['first_post']);

    const before = Date.now();
    await proposeAndApprove(a, news.id);
    const earned = await achievement(a, writer.account._id, 'first_relayed_news');
    expect(earned).toMatchObject({ title: 'First company news', description: expect.stringMatching(/company news/) });
    expect(Date.parse(earned.earned_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(earned.earned_at)).toBeLessThanOrEqual(Date.now());
    // It reached b, where the author is remote: b records nothing for them, nor for its own people.
    const news2 = await post(writer, 'Quarterly numbers #news');
    await proposeAndApprove(a, news2.id);
    expect(await achievement(a, writer.account._id, 'first_relayed_news')).toEqual(earned);
    const writerOnB = await remoteAccountId(b.instance, a.instance, 'a_writer');
    expect((await b.member.api.get(`/api/v1/kith/accounts/${writerOnB}/achievements`)).body).toEqual({ enabled: true, achievements: [] });
    // Neither the proposer nor the connector who approved earns it.
    expect(await kindsOf(a, a.member.account._id)).not.toContain('first_relayed_news');
    expect(await kindsOf(a, a.connector.account._id)).not.toContain('first_relayed_news');
  });

  it('is earned at home when another department approves the post and relays it back', async () => {
    const { a, b } = deps;
    const author = await a.instance.createUser('a_author');
    // b's member follows the author, so the post reaches b and can be proposed there.
    const authorOnB = await remoteAccountId(b.instance, a.instance, 'a_author');
    expect((await b.member.api.post(`/api/v1/accounts/${authorOnB}/follow`)).status).toBe(200);
    await settle(both);
    const status: PostedStatus = await post(author, 'Our team shipped the new portal');
    await settle(both);
    const onB = await remoteStatusId(b.instance, status.uri);
    expect(onB).not.toBeNull();
    expect(await kindsOf(a, author.account._id)).toEqual(['first_post']);

    await proposeAndApprove(b, onB!);
    expect((await a.instance.services.relay.findByUri(status.uri))?.paths).toEqual([[b.actorUrl]]);
    expect(await kindsOf(a, author.account._id)).toEqual(['first_post', 'first_relayed_news']);
    // b's member, who follows someone in another department, has that one, and no news of their own.
    expect(await kindsOf(b, b.member.account._id)).toEqual(['first_cross_department_follow']);
  });
});
