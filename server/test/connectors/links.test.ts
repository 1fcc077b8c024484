// Department links end to end (issue 5, docs/connectors-design.md §1–3, §6): real instances, not
// peered beforehand, linking over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDepartments, link, linkWith, requestLink, settle, startDepartments, type Department } from './departments.ts';
import { keyOf, postSigned, AS_CONTEXT } from '../federation/attacker.ts';
import { post, remoteStatusId } from '../federation/network.ts';
import { auditCsv } from '../../src/audit/audit-csv.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
let deps: Record<(typeof NAMES)[number], Department>;
let all: Department[];

beforeAll(async () => {
  deps = await startDepartments(NAMES);
  all = Object.values(deps);
}, 120_000);

afterAll(() => closeDepartments(deps));

async function peerHosts(d: Department): Promise<Map<string, string>> {
  return new Map((await d.instance.services.peers.entries()).filter((p) => p.state === 'allow').map((p) => [p.host, p.source ?? 'admin']));
}

async function auditActions(d: Department): Promise<string[]> {
  const response = await d.connector.api.get('/api/v1/kith/audit', { limit: 200 });
  expect(response.status).toBe(200);
  return (response.body as { action: string }[]).map((r) => r.action);
}

describe('the department actor', () => {
  it('is a Group named after the instance, found by WebFinger, a group account, reserved and without sign-in', async () => {
    const { a } = deps;
    const finger = await a.instance.api.get('/.well-known/webfinger', { resource: `acct:a@${a.host}` });
    expect(finger.status).toBe(200);
    expect(JSON.stringify(finger.body)).toContain(a.actorUrl);
    const account = await a.member.api.get('/api/v1/accounts/lookup', { acct: 'a' });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ username: 'a', group: true, bot: false, locked: false });
    const taken = await a.instance.api.post('/api/v1/accounts', { username: 'a', email: 'x@example.test', password: 'correct horse battery', agreement: true, locale: 'en' });
    expect(taken.status).toBeGreaterThanOrEqual(400);
    expect(await a.instance.services.accounts.authenticate('a', '')).toBeNull();
    // The peer fetches it as a Group once it may (after a link, below); here: the account entity says group.
  });
});

describe('links', () => {
  it('the network map from one instance shows the whole graph of a chain, a diamond and a cycle', async () => {
    const { a, b, c, d, e } = deps;
    const five = [a, b, c, d, e];
    for (const [x, y] of [[a, b], [b, c], [a, d], [d, c], [c, e], [e, a]] as const) await link(x, y, five);
    const map = await a.member.api.get('/api/v1/kith/network');
    expect(map.status).toBe(200);
    const pair = (x: string, y: string) => [x, y].sort().join(' ');
    const edges = new Set((map.body.links as { a: string; b: string; state: string }[]).filter((l) => l.state === 'active').map((l) => pair(l.a, l.b)));
    const expected = [[a, b], [b, c], [a, d], [d, c], [c, e], [e, a]].map(([x, y]) => pair(x!.actorUrl, y!.actorUrl));
    expect([...edges].sort()).toEqual(expected.sort());
    expect((map.body.instances as { actor: string }[]).map((i) => i.actor).sort()).toEqual(five.map((x) => x.actorUrl).sort());
    const self = (map.body.instances as any[]).find((i) => i.self);
    expect(self.connectors).toEqual(expect.arrayContaining(['@a_admin', '@a_connector']));
    // The two sides' allowlists hold each other, added by the link.
    expect((await peerHosts(a)).get(b.host)).toBe('link');
    expect((await peerHosts(b)).get(a.host)).toBe('link');
    expect((await peerHosts(a)).has(c.host)).toBe(false);
  });

  it('a request waits in the other side’s queue until accepted, then is active on both with both allowlists updated', async () => {
    const { a, f } = deps;
    expect((await peerHosts(a)).has(f.host)).toBe(false);
    await requestLink(f, a, [a, f]);
    expect((await linkWith(f, a)).state).toBe('requested');
    const queue = await a.connector.api.get('/api/v1/kith/links', { state: 'pending' });
    expect(queue.body.map((l: any) => l.department.actor)).toEqual([f.actorUrl]);
    // Not accepted by itself, and not a peer yet.
    expect((await peerHosts(a)).has(f.host)).toBe(false);
    const accepted = await a.connector.api.post(`/api/v1/kith/links/${queue.body[0].id}/accept`);
    expect(accepted.status).toBe(200);
    await settle([a, f]);
    expect((await linkWith(a, f)).state).toBe('active');
    expect((await linkWith(f, a)).state).toBe('active');
    expect((await peerHosts(a)).get(f.host)).toBe('link');
    expect((await peerHosts(f)).get(a.host)).toBe('link');
    // The department actors follow each other.
    const fOnA = await a.instance.services.accounts.findByUri(f.actorUrl);
    const aDept = await a.instance.services.departments.departmentAccount();
    expect(await a.instance.services.follows.isFollowing(aDept._id, fOnA!._id)).toBe(true);
    expect(await a.instance.services.follows.isFollowing(fOnA!._id, aDept._id)).toBe(true);
  });

  it('unlinks from either side, both sides ending unlinked', async () => {
    const { a, b, f } = deps;
    // f–a was linked above: a ends it.
    const onA = await linkWith(a, f);
    expect((await a.connector.api.delete(`/api/v1/kith/links/${onA.id}`)).status).toBe(200);
    await settle([a, f]);
    expect((await linkWith(a, f)).state).toBe('unlinked');
    expect((await linkWith(f, a)).state).toBe('unlinked');
    const aDept = await a.instance.services.departments.departmentAccount();
    const fOnA = await a.instance.services.accounts.findByUri(f.actorUrl);
    expect(await a.instance.services.follows.isFollowing(fOnA!._id, aDept._id)).toBe(false);
    // f–b: linked, then f (the side that asked) ends it.
    await link(f, b, [f, b]);
    const onF = await linkWith(f, b);
    expect((await f.connector.api.delete(`/api/v1/kith/links/${onF.id}`)).status).toBe(200);
    await settle([f, b]);
    expect((await linkWith(f, b)).state).toBe('unlinked');
    expect((await linkWith(b, f)).state).toBe('unlinked');
  });

  it('a decline (Reject) leaves the link declined on both sides, with the reason', async () => {
    const { c, f } = deps;
    await requestLink(f, c, [c, f]);
    const pending = await linkWith(c, f);
    const declined = await c.connector.api.post(`/api/v1/kith/links/${pending.id}/decline`, { reason: 'Not now, "sorry"' });
    expect(declined.status).toBe(200);
    await settle([c, f]);
    expect(await linkWith(c, f)).toMatchObject({ state: 'declined', reason: 'Not now, "sorry"' });
    expect((await linkWith(f, c)).state).toBe('declined');
    // Declining never made f a peer of c.
    expect((await peerHosts(c)).has(f.host)).toBe(false);
  });

  it('a member who is not a connector gets 403 for linking, accepting and changing a policy, and nothing changes', async () => {
    const { d, f } = deps;
    const asked = await f.member.api.post('/api/v1/kith/links', { target: d.actorUrl });
    expect(asked.status).toBe(403);
    expect(await linkWith(f, d)).toBeUndefined();
    await requestLink(f, d, [d, f]);
    const pending = await linkWith(d, f);
    expect((await d.member.api.post(`/api/v1/kith/links/${pending.id}/accept`)).status).toBe(403);
    expect((await d.member.api.post(`/api/v1/kith/links/${pending.id}/decline`, {})).status).toBe(403);
    expect((await d.member.api.get('/api/v1/kith/links', { state: 'pending' })).status).toBe(403);
    expect((await d.member.api.get('/api/v1/kith/audit')).status).toBe(403);
    const linkDC = await linkWith(d, deps.c);
    expect((await d.member.api.put(`/api/v1/kith/links/${linkDC.id}/policy`, { approval: 'auto' })).status).toBe(403);
    expect((await d.member.api.delete(`/api/v1/kith/links/${linkDC.id}`)).status).toBe(403);
    expect((await linkWith(d, f)).state).toBe('requested_by_them');
    expect((await linkWith(d, deps.c))).toMatchObject({ state: 'active', policy: { approval: 'queue', hashtags: [], daily_cap: null } });
    // A connector may, and bad input is refused with nothing changed.
    expect((await d.connector.api.put(`/api/v1/kith/links/${linkDC.id}/policy`, { daily_cap: -1 })).status).toBe(400);
    const changed = await d.connector.api.put(`/api/v1/kith/links/${linkDC.id}/policy`, { approval: 'auto', hashtags: ['#News', 'release'], daily_cap: 5 });
    expect(changed.status).toBe(200);
    expect(changed.body.policy).toEqual({ approval: 'auto', hashtags: ['news', 'release'], daily_cap: 5 });
    const active = await d.instance.services.links.activeLinks();
    expect(active.find((l) => l.actorUri === deps.c.actorUrl)).toMatchObject({ host: deps.c.host, policy: { approval: 'auto', hashtags: ['news', 'release'], dailyCap: 5 } });
  });

  it('an Announce from a department that is not linked is refused; a linked one’s is taken', async () => {
    const { a, b, c } = deps;
    // c is a peer of a (the admin added it) but not linked to a.
    await a.instance.services.peers.add(null, { host: c.host, scheme: 'http' });
    const news = await post(c.member, 'Quarterly news from c');
    const announce = (from: Department, id: string, object: string) => ({
      '@context': AS_CONTEXT, id: `${from.actorUrl}#announces/${id}`, type: 'Announce', actor: from.actorUrl, object,
      to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${from.actorUrl}/followers`],
    });
    expect(await postSigned(`${a.instance.url}/inbox`, await keyOf(c.instance, 'c'), announce(c, '1', news.uri))).toBe(202);
    await settle([a, c]);
    expect(await remoteStatusId(a.instance, news.uri)).toBeNull();
    // b is linked to a: its department's Announce gets through.
    const linkedNews = await post(b.member, 'News from b');
    expect(await postSigned(`${a.instance.url}/inbox`, await keyOf(b.instance, 'b'), announce(b, '1', linkedNews.uri))).toBe(202);
    await settle([a, b]);
    expect(await remoteStatusId(a.instance, linkedNews.uri)).not.toBeNull();
  });

  it('a forged link request claiming another department’s actor is refused', async () => {
    const { a, b, f } = deps;
    const before = (await a.connector.api.get('/api/v1/kith/links', { state: 'pending' })).body.length;
    const forged = (id: string) => ({ '@context': AS_CONTEXT, id: `${b.actorUrl}#follows/forged-${id}`, type: 'Follow', actor: b.actorUrl, object: a.actorUrl });
    // Signed by a member of b, not by b's department actor: the key is not the actor's.
    expect(await postSigned(`${a.instance.url}/inbox`, await keyOf(b.instance, 'b_member'), forged('1'))).toBe(401);
    // Signed on another host (f): the actor is not on the signing host.
    const fromF = { ...forged('2'), id: `${f.actorUrl}#follows/forged-2` };
    // f stayed a peer of a when their link ended, so the request is verified and refused for its key: 401.
    expect(await postSigned(`${a.instance.url}/inbox`, await keyOf(f.instance, 'f'), fromF)).toBe(401);
    await settle([a, b, f]);
    expect((await a.connector.api.get('/api/v1/kith/links', { state: 'pending' })).body.length).toBe(before);
    expect((await linkWith(a, b)).state).toBe('active');
  });

  it('a person on an instance that is not a peer cannot follow the department through the link-request door', async () => {
    const { d, f } = deps;
    expect((await peerHosts(d)).has(f.host)).toBe(false);
    // f lets d read its actors (so d can verify the signature); d has not allowed f.
    await f.instance.services.peers.add(null, { host: d.host, scheme: 'http' });
    const department = await d.instance.services.departments.departmentAccount();
    const followers = async () => ((await d.member.api.get(`/api/v1/accounts/${department._id}/followers`, { limit: 80 })).body as { acct: string }[]).map((a) => a.acct);
    const before = await followers();
    const pending = async () => (await d.connector.api.get('/api/v1/kith/links', { state: 'pending' })).body.length;
    const pendingBefore = await pending();
    const person = `${f.instance.url}/users/f_member`;
    const follow = { '@context': AS_CONTEXT, id: `${person}#follows/${Date.now()}`, type: 'Follow', actor: person, object: d.actorUrl };
    // The guard lets a Follow of the department actor in (a department may be asking to link) …
    expect(await postSigned(`${d.instance.url}/inbox`, await keyOf(f.instance, 'f_member'), follow)).toBe(202);
    await settle([d, f]);
    // … but a person is not a department: no follower, no link request, and f is still no peer of d.
    expect(await followers()).toEqual(before);
    expect(await pending()).toBe(pendingBefore);
    expect((await peerHosts(d)).has(f.host)).toBe(false);
  });

  it('the audit log and its CSV hold every link step', async () => {
    const { a, c, f } = deps;
    const onA = await auditActions(a);
    for (const action of ['link_requested', 'linked', 'link_request_received', 'link_accepted', 'unlinked']) expect(onA).toContain(action);
    const onC = await auditActions(c);
    expect(onC).toContain('link_declined');
    const onF = await auditActions(f);
    for (const action of ['link_requested', 'linked', 'link_declined', 'unlinked']) expect(onF).toContain(action);
    const csv = await c.connector.api.get('/api/v1/kith/audit.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain('"link_declined"');
    expect(csv.body).toContain('"Not now, ""sorry"""');
    expect(csv.body.split('\r\n')[0]).toBe('"at","actor","actor_handle","action","subject","detail"');
    expect((await c.member.api.get('/api/v1/kith/audit.csv')).status).toBe(403);
    // A hostile value: a formula is defused, quotes doubled.
    const at = new Date('2024-01-01T00:00:00Z');
    expect(auditCsv([{ _id: '1', at, actor: 'x', actorHandle: '@x', action: 'link_declined', subject: '1', detail: '=HYPERLINK("http://evil")' }]))
      .toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe('LINK_PEERING=admin', () => {
  let pair: Record<'g' | 'h', Department>;
  beforeAll(async () => {
    pair = await startDepartments(['g', 'h'] as const, { LINK_PEERING: 'admin' });
  }, 60_000);
  afterAll(() => closeDepartments(pair));

  it('a link waits for each side’s admin before it makes a peer', async () => {
    const { g, h } = pair;
    const asked = await g.connector.api.post('/api/v1/kith/links', { target: h.actorUrl });
    expect(asked.body.state).toBe('awaiting_peering');
    await settle([g, h]);
    expect((await peerHosts(g)).has(h.host)).toBe(false);
    expect(await linkWith(h, g)).toBeUndefined();
    expect((await g.connector.api.post(`/api/v1/kith/links/${asked.body.id}/approve_peering`)).status).toBe(403);
    expect((await g.admin.api.post(`/api/v1/kith/links/${asked.body.id}/approve_peering`)).status).toBe(200);
    await settle([g, h]);
    expect((await linkWith(g, h)).state).toBe('requested');
    const pending = await linkWith(h, g);
    expect(pending.state).toBe('requested_by_them');
    const accepted = await h.connector.api.post(`/api/v1/kith/links/${pending.id}/accept`);
    expect(accepted.body.state).toBe('awaiting_peering');
    await settle([g, h]);
    expect((await linkWith(g, h)).state).toBe('requested');
    expect((await h.admin.api.post(`/api/v1/kith/links/${pending.id}/approve_peering`)).status).toBe(200);
    await settle([g, h]);
    expect((await linkWith(g, h)).state).toBe('active');
    expect((await linkWith(h, g)).state).toBe('active');
    expect((await peerHosts(h)).get(g.host)).toBe('link');
  });
});
