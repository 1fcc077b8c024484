// Who may see a status. Anything a viewer may not see answers 404, never 403, so that a status's
// existence does not leak.
//   public, unlisted: every signed-in account (never a token that acts for no account: the network is closed)
//   local:            accounts of this instance only (department-only; never federates)
//   private:          the author, the author's followers, and mentioned accounts
//   direct:           the author and mentioned accounts
// A boost is visible when the boost itself and the boosted status both are.
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { StatusRecord } from './status-record.ts';

/** What visibility needs from the follows domain. */
export interface FollowLookup {
  isFollowing(followerId: string, targetId: string): Promise<boolean>;
}

/** Who is looking: an account, or null for a token that acts for no account. */
export type Viewer = Pick<AccountRecord, '_id' | 'domain'> | null;

type Verdict = 'yes' | 'no' | 'if-following';

/** The rule for one record, leaving "does the viewer follow the author" to the caller. */
export function visibilityVerdict(record: StatusRecord, viewer: Viewer): Verdict {
  if (record.deletedAt) return 'no';
  if (viewer && record.accountId === viewer._id) return 'yes';
  switch (record.visibility) {
    case 'public':
    case 'unlisted':
      return viewer !== null ? 'yes' : 'no';
    case 'local':
      return viewer !== null && viewer.domain === null ? 'yes' : 'no';
    case 'private':
      if (viewer === null) return 'no';
      return record.mentionIds.includes(viewer._id) ? 'yes' : 'if-following';
    case 'direct':
      return viewer !== null && record.mentionIds.includes(viewer._id) ? 'yes' : 'no';
    default:
      return 'no';
  }
}

/**
 * Whether the viewer may see each record, in order. `originals` holds the boosted statuses of any
 * boosts among them (a boost whose original is missing is not visible). Follow checks run once per
 * distinct author that needs one, in parallel.
 */
export async function visibleFlags(
  records: readonly StatusRecord[],
  viewer: Viewer,
  originals: ReadonlyMap<string, StatusRecord>,
  follows: FollowLookup,
): Promise<boolean[]> {
  const chains = records.map((record) => {
    if (!record.reblogOfId) return [record];
    const original = originals.get(record.reblogOfId);
    return original ? [record, original] : null;
  });
  const needFollow = new Set<string>();
  for (const chain of chains) {
    for (const r of chain ?? []) if (visibilityVerdict(r, viewer) === 'if-following') needFollow.add(r.accountId);
  }
  const following = new Set<string>();
  if (viewer && needFollow.size > 0) {
    const authors = [...needFollow];
    const answers = await Promise.all(authors.map((authorId) => follows.isFollowing(viewer._id, authorId)));
    authors.forEach((authorId, i) => answers[i] && following.add(authorId));
  }
  return chains.map((chain) => {
    if (!chain) return false;
    return chain.every((r) => {
      const verdict = visibilityVerdict(r, viewer);
      return verdict === 'yes' || (verdict === 'if-following' && following.has(r.accountId));
    });
  });
}
