import type { Federation } from '@fedify/fedify';
import type { KithCtx } from '../context.ts';

/** Figures NodeInfo reports; the server supplies them (cached on its side). */
export interface NodeInfoSource {
  /** Software version, semver. */
  version: string;
  /** Whether anyone may sign up (an admin may change it at runtime, so it is asked at every request). */
  openRegistrations(): boolean | Promise<boolean>;
  /** Local user and post counts. */
  usage(): Promise<{ users: number; localPosts: number }>;
}

/** Registers NodeInfo 2.1 at `/nodeinfo/2.1` (Fedify links it from `/.well-known/nodeinfo`). */
export function registerNodeInfo(federation: Federation<KithCtx>, source: NodeInfoSource): void {
  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => {
    const usage = await source.usage();
    return {
      software: { name: 'kith', version: source.version },
      protocols: ['activitypub'],
      openRegistrations: await source.openRegistrations(),
      usage: { users: { total: usage.users }, localPosts: usage.localPosts, localComments: 0 },
    };
  });
}
