// Attachments between two real instances: a status with an image and its alt text, posted on one
// instance, shows on a follower's instance with the alt text and the author instance's URL (which the
// follower's instance never fetches); an edit that drops it drops it there too.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isActor } from '@fedify/fedify/vocab';
import { actorToRemoteActorInput } from '@kith/federation';
import { startTestInstance, type TestInstance, type TestUser } from '../harness.ts';

let a: TestInstance; // alice posts
let b: TestInstance; // bob follows alice
let alice: TestUser;
let bob: TestUser;

const hostOf = (instance: TestInstance) => new URL(instance.url).host;

async function settle(): Promise<void> {
  for (let round = 0; round < 6; round++) {
    for (const instance of [a, b]) {
      await instance.idle();
      await instance.kith.federation.idle();
    }
  }
}

/** Makes `user` of `from` known on `on`, returning its account id there. */
async function remoteAccountId(on: TestInstance, from: TestInstance, username: string): Promise<string> {
  const ctx = on.kith.federation.federation.createContext(new URL(on.url), { signer: null });
  const documentLoader = await ctx.getDocumentLoader({ identifier: '~instance' });
  const actor = await ctx.lookupObject(`${from.url}/users/${username}`, { documentLoader });
  if (!isActor(actor)) throw new Error(`no actor ${username} on ${from.url}`);
  const input = await actorToRemoteActorInput(actor);
  if (!input) throw new Error('unusable actor');
  return on.kith.federation.ports.actors.upsertRemote(input);
}

async function uploadImage(user: TestUser, instance: TestInstance, description: string): Promise<{ id: string; url: string }> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a7' } }).png().toBuffer();
  const form = new FormData();
  form.append('description', description);
  form.append('file', new Blob([new Uint8Array(png)]), 'org-chart.png');
  const response = await fetch(`${instance.url}/api/v2/media`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` }, body: form });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string; url: string };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startTestInstance(), startTestInstance()]);
  await a.services.peers.add(null, { host: hostOf(b), scheme: 'http' });
  await b.services.peers.add(null, { host: hostOf(a), scheme: 'http' });
  [alice, bob] = await Promise.all([a.createUser('alice'), b.createUser('bob')]);
  const aliceOnB = await remoteAccountId(b, a, 'alice');
  expect((await bob.api.post(`/api/v1/accounts/${aliceOnB}/follow`)).status).toBe(200);
  await settle();
});

afterAll(async () => {
  await Promise.all([a, b].map((instance) => instance?.close()));
});

describe('attachments across instances', () => {
  it('an image with alt text reaches the follower with its alt text and its URL on the author instance', async () => {
    const media = await uploadImage(alice, a, 'The new org chart: three teams under finance');
    const posted = await alice.api.post('/api/v1/statuses', { status: 'Our new structure', media_ids: [media.id] });
    expect(posted.status).toBe(200);
    await settle();

    const found = await b.kith.federation.ports.statuses.idByUri(posted.body.uri);
    expect(found).not.toBeNull();
    const copy = await bob.api.get(`/api/v1/statuses/${found!.statusId}`);
    expect(copy.status).toBe(200);
    expect(copy.body.media_attachments).toEqual([
      expect.objectContaining({
        type: 'image',
        url: media.url,
        remote_url: media.url,
        description: 'The new org chart: three teams under finance',
        meta: expect.objectContaining({ original: expect.objectContaining({ width: 64, height: 48 }) }),
      }),
    ]);
    // Bob's app loads it from alice's instance, where the URL answers without a session.
    const image = await fetch(copy.body.media_attachments[0].url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');

    const edited = await alice.api.put(`/api/v1/statuses/${posted.body.id}`, { status: 'Our new structure (chart to follow)', media_ids: [] });
    expect(edited.status).toBe(200);
    await settle();
    const after = await bob.api.get(`/api/v1/statuses/${found!.statusId}`);
    expect(after.body.content).toContain('chart to follow');
    expect(after.body.media_attachments).toEqual([]);
  });
});
