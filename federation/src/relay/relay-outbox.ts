// Sending relays (docs/connectors-design.md §5): the server decides what goes where (links, path,
// policies) and calls `send`; this file turns it into our department actor's Announce. Edits and
// deletions of company news pass along the same edges: on status.updated / status.deleted the
// server names the departments to tell (once per version) and the notice goes to them.
import type { Federation } from '@fedify/fedify';
import type { KithCtx } from '../context.ts';
import type { FederationPorts, RelayOut } from '../ports.ts';
import { toRecipients, type AudienceDeps } from '../audience.ts';
import { relayAnnounce, relayNotice } from './relay-activities.ts';

export interface RelayOutboxDeps {
  ports: FederationPorts;
  publicUrl: string;
  allowsUrl(url: string): Promise<boolean>;
}

/** The EventBus handlers' name; stable, since it names their jobs. */
const HANDLER = 'federation-relay';

/** Sends one relay Announce. */
export type RelaySend = (out: RelayOut) => Promise<void>;

/** Registers the notice handlers and returns the sender of relay Announces. */
export function registerRelay(federation: Federation<KithCtx>, deps: RelayOutboxDeps): RelaySend {
  const { ports } = deps;
  const audience: AudienceDeps = { ports, allowsUrl: (url) => deps.allowsUrl(url) };
  const origin = new URL(deps.publicUrl);
  const context = () => federation.createContext(origin, { signer: null });

  const notify = (change: 'update' | 'delete') => async ({ statusId }: { statusId: string }) => {
    const notice = await ports.relay.noticeFor(statusId, change);
    if (!notice || notice.targets.length === 0) return;
    const ctx = context();
    const username = ports.departments.username();
    const recipients = await toRecipients(audience, notice.targets);
    if (recipients.length === 0) return;
    await ctx.sendActivity({ identifier: username }, recipients, relayNotice(ctx.getActorUri(username), notice), { preferSharedInbox: true, excludeBaseUris: [origin] });
  };
  ports.events.on('status.updated', HANDLER, notify('update'));
  ports.events.on('status.deleted', HANDLER, notify('delete'));

  return async (out) => {
    const ctx = context();
    const username = ports.departments.username();
    const recipients = await toRecipients(audience, out.targets);
    if (recipients.length === 0) return;
    const announce = relayAnnounce(ctx.getActorUri(username), ctx.getFollowersUri(username), out);
    await ctx.sendActivity({ identifier: username }, recipients, announce, { preferSharedInbox: true, excludeBaseUris: [origin] });
  };
}
