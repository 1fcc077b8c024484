// One Kith instance of a federation benchmark, in two halves:
// - the server: `server/src/main.ts` in its own process, as in production (each instance its own process,
//   docs/federation-design.md §8), with the inbox counter preloaded (bench/lib/inbox-counter.ts);
// - a control handle in the benchmark's process: the same composition (startKith) with RUN_JOBS=false and
//   no listening socket, used to seed accounts, peers and tokens and to look remote actors up exactly as
//   the tests do. It runs no jobs, so everything it emits is handled by the server process.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { isActor } from '@fedify/fedify/vocab';
import { actorToRemoteActorInput, INSTANCE_ACTOR } from '@kith/federation';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { startKith, type RunningKith } from '../../server/src/kith.ts';
import { benchEnv } from './bench-env.ts';

const COUNTER = pathToFileURL(new URL('./inbox-counter.ts', import.meta.url).pathname).href;
const READY_TIMEOUT_MS = 120_000;

export class BenchInstance {
  /** The databases of every instance prepared in this process, for the benchmark to drop at the end. */
  static readonly databases: string[] = [];
  readonly name: string;
  readonly url: string;
  readonly host: string;
  readonly config: Config;
  readonly control: RunningKith;
  private readonly env: Record<string, string>;
  private child: ChildProcess | null = null;
  private exited: Promise<unknown> | null = null;

  private constructor(name: string, env: Record<string, string>, config: Config, control: RunningKith) {
    this.name = name;
    this.env = env;
    this.config = config;
    this.control = control;
    this.url = config.publicUrl;
    this.host = config.domain;
  }

  /** Prepares an instance (its database, Redis prefix and port) and its control handle; nothing serves yet. */
  static async prepare(name: string, backing: { mongoUrl: string; redisUrl: string }, run: string): Promise<BenchInstance> {
    const env = await benchEnv(backing, `fedbench_${run}_${name}`, name, { HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL || 'error' });
    const config = loadConfig(env);
    BenchInstance.databases.push(config.mongodbDatabase);
    const control = await startKith(loadConfig({ ...env, RUN_JOBS: 'false' }), { logger: false });
    return new BenchInstance(name, env, config, control);
  }

  /** A fresh token for the benchmark's run names. */
  static runId(): string {
    return randomBytes(3).toString('hex');
  }

  /** Starts the server process and waits until /readyz answers 200. */
  async serve(): Promise<void> {
    const child = spawn(process.execPath, ['--import', COUNTER, 'server/src/main.ts'], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.name}: server exited with ${child.exitCode} before it was ready`);
      try {
        const response = await fetch(`${this.url}/readyz`);
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: server not ready within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** How many POSTs reached this server's inboxes since it started (counted in the server process). */
  inboxPosts(): Promise<number> {
    return this.count('inbox-posts');
  }

  /** How many GETs of `/users/…` documents (actors, keys, statuses, collections) it answered since it started. */
  documentGets(): Promise<number> {
    return this.count('document-gets');
  }

  private count(kind: 'inbox-posts' | 'document-gets'): Promise<number> {
    const child = this.child;
    if (!child) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${kind} count within 10 s`)), 10_000);
      const onMessage = (message: { type?: string; count?: number }) => {
        if (message?.type !== kind) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message.count ?? 0);
      };
      child.on('message', onMessage);
      child.send({ type: `${kind}?` });
    });
  }

  /**
   * Makes a remote actor known here (fetched by signed GET as the instance actor, mapped and stored, as
   * the inbox does); returns its local account id.
   */
  async knowRemoteActor(actorUri: string): Promise<string> {
    const ctx = this.control.federation.federation.createContext(new URL(this.url), { signer: null });
    const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    const actor = await ctx.lookupObject(actorUri, { documentLoader });
    if (!isActor(actor)) throw new Error(`${this.name}: no actor at ${actorUri}`);
    const input = await actorToRemoteActorInput(actor);
    if (!input) throw new Error(`${this.name}: unusable actor ${actorUri}`);
    return this.control.federation.ports.actors.upsertRemote(input);
  }

  /** Stops the server (gracefully) and the control handle. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    await this.control.close();
  }
}
