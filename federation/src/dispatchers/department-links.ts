// `/users/{identifier}/links`: the department actor's active links, a Collection of the linked
// department actors' ids (docs/connectors-design.md §3), for the network map of other instances.
// Signed GETs from allowed peers only, like the followers collection.
import type { Federation } from '@fedify/fedify';
import { Group } from '@fedify/fedify/vocab';
import type { FederationPorts } from '../ports.ts';
import type { PeerPolicy } from '../net/peer-policy.ts';
import type { KithCtx } from '../context.ts';
import { isAllowedSigner } from './actors.ts';

export function registerDepartmentLinks(federation: Federation<KithCtx>, deps: { ports: FederationPorts; policy: PeerPolicy }): void {
  federation
    .setCollectionDispatcher('department-links', Group, '/users/{identifier}/links', async (_ctx, values) => {
      if (values.identifier !== deps.ports.departments.username()) return null;
      // Each item names only the linked actor's id; its document is on its own host.
      return { items: (await deps.ports.departments.linkedActors()).map((uri) => new Group({ id: new URL(uri) })) };
    })
    .authorize((ctx) => isAllowedSigner(ctx, deps.policy));
}
