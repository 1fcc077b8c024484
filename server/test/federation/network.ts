// The set-up every federation test shares: real instances started on loopback and peered over real
// HTTP, and the few steps the tests repeat (waiting until a chain of hops is done, making a remote
// account known, posting, reading a home timeline, finding the remote copy of a status).
import { expect } from 'vitest';
import { isActor } from '@fedify/fedify/vocab';
import { actorToRemoteActorInput } from '@kith/federation';
import { startTestInstance, type TestInstance, type TestUser } from '../harness.ts';

/** `127.0.0.1:<port>`: the host other instances allow. */
export const hostOf = (instance: Pick<TestInstance, 'url'>): string => new URL(instance.url).host;

/** A context of `instance`'s Fedify federation, as its jobs see it. */
export const contextOf = (instance: TestInstance) => instance.kith.federation.federation.createContext(new URL(instance.url), { signer: null });

/** Makes `instance` allow each of `others` (one way: they do not allow it back unless told). */
export async function allow(instance: TestInstance, ...others: Pick<TestInstance, 'url'>[]): Promise<void> {
  for (const other of others) await instance.services.peers.add(null, { host: hostOf(other), scheme: 'http' });
}

/** `count` instances as a tuple, so that `[a, b, c] = …` gives three defined instances. */
export type Instances<N extends number, Started extends TestInstance[] = []> = Started['length'] extends N ? Started : Instances<N, [...Started, TestInstance]>;

/** Starts `count` instances on their own databases and key prefixes, not peered yet. */
export function startInstances<N extends number>(count: N, env: Record<string, string> = {}): Promise<Instances<N>> {
  return Promise.all(Array.from({ length: count }, () => startTestInstance(env))) as Promise<Instances<N>>;
}

/** Starts `count` instances, each allowing every other. */
export async function startPeeredInstances<N extends number>(count: N, env: Record<string, string> = {}): Promise<Instances<N>> {
  const instances: TestInstance[] = await startInstances(count, env);
  for (const instance of instances) await allow(instance, ...instances.filter((other) => other !== instance));
  return instances as Instances<N>;
}

/** Stops the instances that were started (a failed beforeAll may leave some undefined). */
export async function closeAll(instances: (TestInstance | undefined)[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance?.close()));
}

/**
 * Runs every instance's queued work (domain events, then Fedify's inbox and outbox) round after round,
 * so that a chain of hops (Follow → Accept → …) across instances is done when it resolves.
 */
export async function settle(instances: TestInstance[], rounds = 6): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const instance of instances) {
      await instance.idle();
      await instance.kith.federation.idle();
    }
  }
}

/** Polls `check` until it holds; the test's own timeout is the limit (nothing here asserts a duration). */
export async function waitFor(check: () => Promise<boolean> | boolean, interval = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, interval));
}

/** Makes `username` of `from` known on `on` by a signed GET (as the inbox does), returning its account id there. */
export async function remoteAccountId(on: TestInstance, from: Pick<TestInstance, 'url'>, username: string): Promise<string> {
  const ctx = contextOf(on);
  const documentLoader = await ctx.getDocumentLoader({ identifier: '~instance' });
  const actor = await ctx.lookupObject(`${from.url}/users/${username}`, { documentLoader });
  if (!isActor(actor)) throw new Error(`no actor ${username} on ${from.url}`);
  const input = await actorToRemoteActorInput(actor);
  if (!input) throw new Error('unusable actor');
  return on.kith.federation.ports.actors.upsertRemote(input);
}

/** The id on `on` of its copy of the status with ActivityPub id `uri`, or null when it never arrived. */
export async function remoteStatusId(on: TestInstance, uri: string): Promise<string | null> {
  return (await on.kith.federation.ports.statuses.idByUri(uri))?.statusId ?? null;
}

/** A status as POST /api/v1/statuses answers it. */
export interface PostedStatus {
  id: string;
  /** Its ActivityPub id, which other instances store their copy under. */
  uri: string;
  [field: string]: any;
}

/** Posts a status as `user` (expecting 200). */
export async function post(user: Pick<TestUser, 'api'>, status: string, extra: Record<string, unknown> = {}): Promise<PostedStatus> {
  const response = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(response.status).toBe(200);
  return response.body as PostedStatus;
}

/** The contents of the user's home timeline (up to 40), newest first. */
export async function homeContents(user: Pick<TestUser, 'api'>): Promise<string[]> {
  const response = await user.api.get('/api/v1/timelines/home', { limit: 40 });
  expect(response.status).toBe(200);
  return (response.body as { content: string }[]).map((s) => s.content);
}
