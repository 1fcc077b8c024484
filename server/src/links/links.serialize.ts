import type { LinkRecord } from './links.store.ts';

/** A link as the Kith API shows it. */
export function toLinkEntity(link: LinkRecord) {
  return {
    id: link._id,
    state: link.state,
    direction: link.direction,
    department: { actor: link.remoteActorUri, host: link.remoteHost, name: link.remoteName, account_id: link.remoteAccountId },
    requested_by: link.requestedBy,
    accepted_by: link.acceptedBy,
    ended_by: link.endedBy,
    reason: link.reason,
    created_at: link.createdAt.toISOString(),
    since: link.since?.toISOString() ?? null,
    policy: { approval: link.policy.approval, hashtags: link.policy.hashtags, daily_cap: link.policy.dailyCap },
  };
}
