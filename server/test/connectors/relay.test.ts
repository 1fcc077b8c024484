// Relaying company news end to end (issue 5, docs/connectors-design.md §4–§5): real instances linked
// over real HTTP in a chain and a diamond with a cycle (A–B, B–C, A–D, D–C, C–E, E–A), proposals
// reviewed by connectors, relays across several hops, link policies, edits and deletions along the
// relay edges, and the relays that must be refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDepartments, link, linkWith, settle, startDepartments, type Department } from './departments.ts';
import { keyOf, postSigned, AS_CONTEXT } from '../federation/attacker.ts';
import { allow, post, type PostedStatus } from '../federation/network.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
let deps: Record<(typeof NAMES)[number], Department>;
/** The five linked departments (f stays unlinked). */
let five: Department[];

/** Runs every instance's queued work twice over: a relay crosses up to four hops and back. */
async function settleAll(): Promise<void> {
  await settle(five);
  await settle(five);
}

async function setPolicy(x: Department, y: Department, policy: Record<string, unknown>): Promise<void> {
  const l = await linkWith(x, y);
  const response = await x.connector.api.put(`/api/v1/kith/links/${l.id}/policy`, policy);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

/** The entries of `x`'s Company news timeline (as its member reads it) for the status `uri`. */
async function companyNews(x: Department, uri: string): Promise<any[]> {
  const response = await x.member.api.get('/api/v1/timelines/kith/company', { limit: 40 });
  expect(response.status).toBe(200);
  return (response.body as any[]).filter((s) => s.uri === uri);
}

/** How often the status `uri` is in the home timeline of `x`'s member (who follows the department actor). */
async function homeCount(x: Department, uri: string): Promise<number> {
  const response = await x.member.api.get('/api/v1/timelines/home', { limit: 40 });
  expect(response.status).toBe(200);
  return (response.body as any[]).filter((s) => (s.reblog ?? s).uri === uri).length;
}

async function auditOf(x: Department, action?: string): Promise<any[]> {
  const response = await x.connector.api.get('/api/v1/kith/audit', { limit: 200, ...(action ? { action } : {}) });
  expect(response.status).toBe(200);
  return response.body as any[];
}

/** `x`'s admin posts, its member proposes, its connector approves; returns the status. */
async function proposeAndApprove(x: Department, text: string, note = ''): Promise<PostedStatus> {
  const status = await post(x.admin, text);
  const proposed = await x.member.api.post('/api/v1/kith/proposals', { status_id: status.id });
  expect(proposed.status, JSON.stringify(proposed.body)).toBe(200);
  const approved = await x.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/approve`, note ? { note } : {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  await settleAll();
  return status;
}

const pathOf = (entry: any): string[] => entry.kith_relay.path.map((p: any) => p.actor);

beforeAll(async () => {
  deps = await startDepartments(NAMES);
  const { a, b, c, d, e } = deps;
  five = [a, b, c, d, e];
  for (const [x, y] of [[a, b], [b, c], [a, d], [d, c], [c, e], [e, a]] as const) await link(x, y, five);
  // Every member follows their own department actor (onboarding's "follow your department").
  for (const x of Object.values(deps)) {
    const department = await x.instance.services.departments.departmentAccount();
    expect((await x.member.api.post(`/api/v1/accounts/${department._id}/follow`)).status).toBe(200);
  }
  // News goes on without review everywhere, unless a test says otherwise.
  for (const [x, y] of [[a, b], [b, c], [a, d], [d, c], [c, e], [e, a]] as const) {
    await setPolicy(x, y, { approval: 'auto' });
    await setPolicy(y, x, { approval: 'auto' });
  }
  await settleAll();
}, 240_000);

afterAll(() => closeDepartments(deps));

describe('relaying company news', () => {
  let news: PostedStatus;

  it('propose → approve: the status reaches every instance exactly once, with the path it took and the note', async () => {
    const { a, b, c, d, e } = deps;
    const status = await post(a.admin, 'Quarterly results are in #news');
    const proposed = await a.member.api.post('/api/v1/kith/proposals', { status_id: status.id, comment: 'Everyone should see this' });
    expect(proposed.status).toBe(200);
    expect(proposed.body).toMatchObject({ kind: 'proposal', state: 'pending', proposed_by: '@a_member' });
    // A member who is not a connector cannot approve (nor read the queue); nothing changes.
    expect((await a.member.api.post(`/api/v1/kith/proposals/${proposed.body.id}/approve`, {})).status).toBe(403);
    expect((await a.member.api.get('/api/v1/kith/proposals', { state: 'pending' })).status).toBe(403);
    await settleAll();
    expect(await companyNews(b, status.uri)).toEqual([]);
    const queue = await a.connector.api.get('/api/v1/kith/proposals', { state: 'pending' });
    expect(queue.body.map((p: any) => p.id)).toEqual([proposed.body.id]);

    const approved = await a.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/approve`, { note: 'From the board' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', note: 'From the board', decided_by: '@a_connector' });
    await settleAll();
    news = status;

    for (const x of five) {
      const entries = await companyNews(x, status.uri);
      expect(entries, x.name).toHaveLength(1);
      expect(entries[0].kith_relay.note).toContain('From the board');
      expect(await homeCount(x, status.uri), x.name).toBe(1);
    }
    expect(pathOf((await companyNews(a, status.uri))[0])).toEqual([a.actorUrl]);
    expect(pathOf((await companyNews(b, status.uri))[0])).toEqual([a.actorUrl, b.actorUrl]);
    expect(pathOf((await companyNews(d, status.uri))[0])).toEqual([a.actorUrl, d.actorUrl]);
    expect(pathOf((await companyNews(e, status.uri))[0])).toEqual([a.actorUrl, e.actorUrl]);
    const viaC = pathOf((await companyNews(c, status.uri))[0]);
    expect(viaC).toHaveLength(3);
    expect(viaC[0]).toBe(a.actorUrl);
    expect([b.actorUrl, d.actorUrl, e.actorUrl]).toContain(viaC[1]);
    expect(viaC[2]).toBe(c.actorUrl);
    expect((await companyNews(b, status.uri))[0].kith_relay.path.map((p: any) => p.department)).toEqual(['a', 'b']);

    // The proposer sees the fate of the proposal; the audit log holds every step.
    const mine = await a.member.api.get('/api/v1/kith/proposals', { mine: 'true' });
    expect(mine.body[0]).toMatchObject({ state: 'approved', note: 'From the board', decided_by: '@a_connector' });
    expect((await auditOf(a)).map((r) => r.action)).toEqual(expect.arrayContaining(['proposed', 'approved', 'relayed']));
    const relayedFromA = (await auditOf(a, 'relayed')).find((r) => r.subject === status.uri);
    expect(relayedFromA.detail).toMatch(/to /);
    for (const x of [b, c, d, e]) expect((await auditOf(x, 'received')).some((r) => r.subject === status.uri), x.name).toBe(true);
    // c got it three ways (from b, d and e) and holds every path, shown once.
    expect((await auditOf(c, 'received')).filter((r) => r.subject === status.uri)).toHaveLength(3);
    expect((await c.instance.services.relay.findByUri(status.uri))!.paths).toHaveLength(3);
    const csv = await c.connector.api.get('/api/v1/kith/audit.csv');
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('"received"');
  });

  it('decline with a reason the proposer sees; bad proposals are refused with nothing changed', async () => {
    const { b } = deps;
    const status = await post(b.admin, 'Lunch menu');
    const proposed = await b.member.api.post('/api/v1/kith/proposals', { status_id: status.id });
    expect(proposed.status).toBe(200);
    expect((await b.member.api.post(`/api/v1/kith/proposals/${proposed.body.id}/decline`, { reason: 'no' })).status).toBe(403);
    expect((await b.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/decline`, {})).status).toBe(400);
    const declined = await b.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/decline`, { reason: 'Only for our floor' });
    expect(declined.status).toBe(200);
    const mine = await b.member.api.get('/api/v1/kith/proposals', { mine: 'true' });
    expect(mine.body.find((p: any) => p.id === proposed.body.id)).toMatchObject({ state: 'declined', reason: 'Only for our floor', decided_by: '@b_connector' });
    expect((await b.connector.api.post(`/api/v1/kith/proposals/${proposed.body.id}/approve`, {})).status).toBe(409);
    await settleAll();
    expect(await companyNews(b, status.uri)).toEqual([]);
    expect(await companyNews(deps.a, status.uri)).toEqual([]);
    expect((await auditOf(b, 'declined')).some((r) => r.subject === status.uri && r.detail === 'Only for our floor')).toBe(true);

    const privateStatus = await post(b.member, 'just followers', { visibility: 'private' });
    const refused = await b.member.api.post('/api/v1/kith/proposals', { status_id: privateStatus.id });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/public or unlisted/);
    expect((await b.member.api.post('/api/v1/kith/proposals', { status_id: news.id })).status).toBe(404);
    expect((await b.member.api.post('/api/v1/kith/proposals', { status_id: 'x' })).status).toBe(400);
    expect((await b.member.api.get('/api/v1/kith/proposals', { mine: 'true' })).body).toHaveLength(1);
  });

  it('hashtag and queue policies: news that does not match waits for a connector; approved, it goes on', async () => {
    const { a, b, c, d, e } = deps;
    await setPolicy(a, b, { approval: 'auto', hashtags: ['release'] });
    await setPolicy(c, b, { approval: 'queue' });
    const plain = await proposeAndApprove(b, 'Office move next week');
    // b relayed it to a and c; neither passed it on.
    expect(await companyNews(a, plain.uri)).toHaveLength(1);
    expect(await companyNews(c, plain.uri)).toHaveLength(1);
    expect(await companyNews(d, plain.uri)).toEqual([]);
    expect(await companyNews(e, plain.uri)).toEqual([]);
    const queueA = await a.connector.api.get('/api/v1/kith/proposals', { state: 'pending' });
    const incoming = queueA.body.find((p: any) => p.status_uri === plain.uri);
    expect(incoming).toMatchObject({ kind: 'incoming', path: [{ actor: b.actorUrl, department: 'b' }] });
    expect(incoming.waiting_because).toMatch(/#release/);
    // A member cannot relay it; nothing changes.
    expect((await a.member.api.post(`/api/v1/kith/proposals/${incoming.id}/approve`, {})).status).toBe(403);
    await settleAll();
    expect(await companyNews(d, plain.uri)).toEqual([]);
    // A connector relays it onward: d and e get it from a, and c (which has it) gets nothing twice.
    expect((await a.connector.api.post(`/api/v1/kith/proposals/${incoming.id}/approve`, {})).status).toBe(200);
    await settleAll();
    for (const x of five) {
      expect(await companyNews(x, plain.uri), x.name).toHaveLength(1);
      expect(await homeCount(x, plain.uri), x.name).toBe(1);
    }
    expect(pathOf((await companyNews(d, plain.uri))[0])).toEqual([b.actorUrl, a.actorUrl, d.actorUrl]);

    // With the hashtag, a relays it on by itself.
    const tagged = await proposeAndApprove(b, 'Version 2 is out #Release');
    expect(pathOf((await companyNews(d, tagged.uri))[0])).toEqual([b.actorUrl, a.actorUrl, d.actorUrl]);
    expect((await a.instance.services.relay.findByUri(tagged.uri))!.approvedBy).toBe('auto');
  });

  it('the daily cap: over it, news waits for a connector', async () => {
    const { a, b, d } = deps;
    await setPolicy(a, b, { approval: 'auto', hashtags: [], daily_cap: 1 });
    const first = await proposeAndApprove(b, 'First of the day');
    const second = await proposeAndApprove(b, 'Second of the day');
    expect(await companyNews(d, first.uri)).toHaveLength(1);
    expect(await companyNews(a, second.uri)).toHaveLength(1);
    expect(await companyNews(d, second.uri)).toEqual([]);
    const queue = await a.connector.api.get('/api/v1/kith/proposals', { state: 'pending' });
    expect(queue.body.find((p: any) => p.status_uri === second.uri)?.waiting_because).toMatch(/daily cap of 1/);
  });

  it('an edit and a delete of a relayed status reach every instance along the relay edges', async () => {
    const { a } = deps;
    const edited = await a.admin.api.put(`/api/v1/statuses/${news.id}`, { status: 'Quarterly results, corrected #news' });
    expect(edited.status).toBe(200);
    await settleAll();
    for (const x of five) expect((await companyNews(x, news.uri))[0]?.content, x.name).toContain('corrected');
    expect((await a.admin.api.delete(`/api/v1/statuses/${news.id}`)).status).toBe(200);
    await settleAll();
    for (const x of five) {
      expect(await companyNews(x, news.uri), x.name).toEqual([]);
      expect(await homeCount(x, news.uri), x.name).toBe(0);
    }
  });
});

describe('relays that are refused', () => {
  it('an Announce from a department that is not linked changes nothing', async () => {
    const { a, f } = deps;
    // f and a allow each other (an admin's peering), but their departments are not linked.
    await allow(a.instance, f.instance);
    await allow(f.instance, a.instance);
    const status = await post(f.admin, 'Unlinked news');
    await f.instance.kith.federation.relay({
      relayId: 'unlinked-1', statusUri: status.uri, noteHtml: '', origins: [],
      targets: [{ actorUri: a.actorUrl, inboxUrl: `${a.actorUrl}/inbox`, sharedInboxUrl: `${a.instance.url}/inbox` }],
    });
    await settle([a, f]);
    // It arrived (f's department is known on a now) and was refused.
    expect(await a.instance.services.accounts.findByUri(f.actorUrl)).not.toBeNull();
    expect(await a.instance.services.relay.findByUri(status.uri)).toBeNull();
    expect(await companyNews(a, status.uri)).toEqual([]);
    expect((await auditOf(a, 'received')).some((r) => r.subject === status.uri)).toBe(false);
  });

  it('a forged relay claiming another department’s actor is refused', async () => {
    const { a, b, c } = deps;
    const status = await post(c.admin, 'Forged news');
    // c (a linked peer of a? no: of b, d, e) signs with its own department's key but claims b's actor.
    await allow(a.instance, c.instance);
    const key = await keyOf(c.instance, 'c');
    const code = await postSigned(`${a.instance.url}/inbox`, key, {
      '@context': AS_CONTEXT, id: `${b.actorUrl}/relays/forged`, type: 'Announce', actor: b.actorUrl, object: status.uri, to: [a.actorUrl],
    });
    expect(code).toBe(401);
    await settle([a, b, c]);
    expect(await a.instance.services.relay.findByUri(status.uri)).toBeNull();
    expect(await companyNews(a, status.uri)).toEqual([]);
  });
});
