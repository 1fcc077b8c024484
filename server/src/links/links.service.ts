// Links between department actors (docs/connectors-design.md §2): a link is a mutual follow of two
// department actors, asked for by a connector on one side and accepted by a connector on the other.
// The follows service does the protocol work (its events make the outbox send Follow, Accept, Reject
// and Undo); this service keeps the link's state, makes the other host a peer (LINK_PEERING), and
// writes every step to the audit log. Answers from the other side arrive through the federation ports.
import type { FastifyBaseLogger } from 'fastify';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { FollowsService } from '../follows/follows.service.ts';
import type { PeersService } from '../peers/peers.service.ts';
import type { RemoteDirectory } from '../search/remote-directory.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { LinkPeering } from '../config.ts';
import { isDepartment, requireConnector, type DepartmentsService } from '../departments/departments.service.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { parseLinkTarget } from './link-target.ts';
import { DEFAULT_LINK_POLICY, type LinkPolicy, type LinkRecord, type LinkState, type LinksStore } from './links.store.ts';

/** A linked department as the relay code needs it (docs/connectors-design.md §5). */
export interface ActiveLink {
  linkId: string;
  /** The other department actor's id. */
  actorUri: string;
  /** Its account id here. */
  accountId: string;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  host: string;
  name: string;
  since: Date;
  policy: LinkPolicy;
}

export interface LinksDeps {
  store: LinksStore;
  accounts: AccountsService;
  follows: FollowsService;
  peers: PeersService;
  departments: DepartmentsService;
  remoteDirectory: RemoteDirectory;
  audit: AuditService;
  linkPeering: LinkPeering;
  /** This instance's host[:port]. */
  domain: string;
  log: FastifyBaseLogger;
}

const HASHTAGS_MAX = 20;
const REASON_MAX = 500;
/** States in which the other side may still be asked or answered. */
const OPEN: readonly LinkState[] = ['awaiting_peering', 'requested', 'requested_by_them', 'active'];

const remote = (account: AccountRecord) => ({ remote: account.uri ?? '', handle: `${account.username}@${account.domain}` });

export class LinksService {
  private readonly deps: LinksDeps;
  private handshake: (host: string) => Promise<void> = async () => {};

  constructor(deps: LinksDeps) {
    this.deps = deps;
  }

  /**
   * Connects federation's temporary allowance of a host for a link handshake (kith.ts): a decline or
   * an accept waiting for peering must still reach a requester that is not a peer.
   */
  attachHandshake(allow: (host: string) => Promise<void>): void {
    this.handshake = allow;
  }

  /** Links, newest first; `pending` = the connectors' queue (requests from other departments). */
  async list(viewer: AccountRecord, filter: 'all' | 'pending' | 'active'): Promise<LinkRecord[]> {
    if (filter === 'pending') requireConnector(viewer);
    const states: readonly LinkState[] | null = filter === 'pending' ? ['requested_by_them'] : filter === 'active' ? ['active'] : null;
    return this.deps.store.list(states);
  }

  async get(id: string): Promise<LinkRecord> {
    const link = await this.deps.store.find(id);
    if (!link) throw new NotFound();
    return link;
  }

  /** Asks another department to link (a connector). A request they sent us already is accepted instead. */
  async request(actor: AccountRecord | null, input: { target: string; scheme?: 'http' | 'https' }): Promise<LinkRecord> {
    requireConnector(actor);
    const target = parseLinkTarget(input.target, input.scheme);
    if (target.host === this.deps.domain.toLowerCase()) throw new Invalid('Validation failed: A department cannot link to its own instance');
    if (await this.deps.peers.isBlocked(target.host)) throw new Forbidden('This instance blocks that host');
    const existing = await this.deps.store.findByActor(target.provisionalUri);
    if (existing?.state === 'requested_by_them') return this.accept(actor, existing._id);
    if (existing && OPEN.includes(existing.state)) return existing;
    const now = new Date();
    const link = await this.deps.store.put({
      _id: newId(now), remoteActorUri: target.provisionalUri, remoteHost: target.host, remoteScheme: target.scheme, remoteAccountId: null,
      remoteName: 'handle' in target.lookup ? `${target.lookup.handle.username}@${target.host}` : target.provisionalUri,
      remoteInboxUrl: null, remoteSharedInboxUrl: null, state: 'awaiting_peering', direction: 'outgoing', requestedBy: actor._id,
      acceptedBy: null, endedBy: null, reason: '', createdAt: now, updatedAt: now, since: null, policy: existing?.policy ?? DEFAULT_LINK_POLICY,
    });
    await this.deps.audit.record(actor, 'link_requested', link._id, link.remoteName);
    if (!(await this.peered(link))) return link;
    return this.sendRequest(link, target.lookup);
  }

  /** Accepts a department's request (a connector): Accept their Follow, and follow them back. */
  async accept(actor: AccountRecord | null, id: string): Promise<LinkRecord> {
    requireConnector(actor);
    const link = await this.get(id);
    if (link.state !== 'requested_by_them') throw new Conflict('Validation failed: This link is not waiting for an answer');
    const marked = await this.deps.store.update(id, ['requested_by_them'], { acceptedBy: actor._id });
    if (!marked) throw new Conflict('Validation failed: This link is not waiting for an answer');
    await this.deps.audit.record(actor, 'link_accepted', id, link.remoteName);
    if (!(await this.peered(marked))) {
      const waiting = await this.deps.store.update(id, ['requested_by_them'], { state: 'awaiting_peering' });
      return waiting ?? marked;
    }
    return this.finishAccept(marked);
  }

  /** Declines a department's request (a connector): Reject their Follow. */
  async decline(actor: AccountRecord | null, id: string, reason = ''): Promise<LinkRecord> {
    requireConnector(actor);
    if (reason.length > REASON_MAX) throw new Invalid(`Validation failed: Reason is too long (maximum is ${REASON_MAX} characters)`);
    const link = await this.get(id);
    const declined = link.direction === 'incoming' ? await this.deps.store.update(id, ['requested_by_them', 'awaiting_peering'], { state: 'declined', endedBy: actor._id, reason: reason.trim() }) : null;
    if (!declined) throw new Conflict('Validation failed: This link is not waiting for an answer');
    const own = await this.deps.departments.departmentAccount();
    // The Reject goes to a host that is not a peer (we never accepted): allow it for the handshake.
    await this.handshake(link.remoteHost);
    if (link.remoteAccountId) await this.deps.follows.reject(own._id, link.remoteAccountId).catch(ignoreNotFound);
    await this.deps.audit.record(actor, 'link_declined', id, reason.trim() || link.remoteName);
    return declined;
  }

  /** Ends a link or withdraws our request (a connector): Undo our Follow, Reject theirs. */
  async unlink(actor: AccountRecord | null, id: string): Promise<LinkRecord> {
    requireConnector(actor);
    const link = await this.get(id);
    const ended = await this.deps.store.update(id, ['active', 'requested', 'awaiting_peering'], { state: 'unlinked', endedBy: actor._id });
    if (!ended) throw new Conflict('Validation failed: This link is not active');
    await this.endFollows(link);
    await this.deps.audit.record(actor, 'unlinked', id, link.remoteName);
    return ended;
  }

  /** An admin lets a link waiting under LINK_PEERING=admin make its peer, and the link goes on. */
  async approvePeering(actor: AccountRecord | null, id: string): Promise<LinkRecord> {
    if (!actor || actor.role !== 'admin') throw new Forbidden('Only admins may approve a peering');
    const link = await this.get(id);
    if (link.state !== 'awaiting_peering') throw new Conflict('Validation failed: This link is not waiting for peering');
    await this.deps.peers.addForLink(link.remoteHost, link.remoteScheme);
    await this.deps.audit.record(actor, 'peering_approved', id, link.remoteHost);
    if (link.direction === 'incoming') return this.finishAccept(link);
    const target = parseLinkTarget(link.remoteName.includes('@') && !link.remoteName.includes('://') ? link.remoteName : link.remoteActorUri, link.remoteScheme);
    return this.sendRequest(link, target.lookup);
  }

  /** Changes a link's relay policy (a connector). */
  async setPolicy(actor: AccountRecord | null, id: string, input: { approval?: 'queue' | 'auto'; hashtags?: string[]; daily_cap?: number | null }): Promise<LinkRecord> {
    requireConnector(actor);
    const link = await this.get(id);
    const hashtags = input.hashtags?.map((t) => t.trim().replace(/^#/, '').toLowerCase()).filter((t) => t !== '');
    if (hashtags && (hashtags.length > HASHTAGS_MAX || hashtags.some((t) => !/^[\p{L}\p{N}_]{1,100}$/u.test(t)))) {
      throw new Invalid(`Validation failed: Hashtags must be at most ${HASHTAGS_MAX} words of letters, digits or _`);
    }
    const policy: LinkPolicy = {
      approval: input.approval ?? link.policy.approval,
      hashtags: hashtags ? [...new Set(hashtags)] : link.policy.hashtags,
      dailyCap: input.daily_cap === undefined ? link.policy.dailyCap : input.daily_cap,
    };
    const updated = await this.deps.store.update(id, OPEN, { policy });
    if (!updated) throw new Conflict('Validation failed: This link has ended');
    await this.deps.audit.record(actor, 'policy_changed', id, `${link.remoteName}: approval ${policy.approval}, hashtags [${policy.hashtags.join(' ')}], daily cap ${policy.dailyCap ?? 'none'}`);
    return updated;
  }

  /** The linked department actors (for relaying, §5). */
  async activeLinks(): Promise<ActiveLink[]> {
    const links = await this.deps.store.list(['active']);
    return links.filter((l) => l.remoteAccountId && l.remoteInboxUrl).map((l) => ({
      linkId: l._id, actorUri: l.remoteActorUri, accountId: l.remoteAccountId!, inboxUrl: l.remoteInboxUrl!, sharedInboxUrl: l.remoteSharedInboxUrl,
      host: l.remoteHost, name: l.remoteName, since: l.since ?? l.updatedAt, policy: l.policy,
    }));
  }

  /** Whether `actorUri` is the department actor of an active link. */
  async isLinked(actorUri: string): Promise<boolean> {
    return (await this.deps.store.findByActor(actorUri))?.state === 'active';
  }

  /**
   * A Follow of our department actor arrived (federation ports). A department's Follow is a link
   * request — queued for connectors — unless it answers our own request or renews an active link,
   * when it is accepted at once. Anyone else's Follow is an ordinary follow.
   */
  async receiveFollow(followerId: string, targetId: string, activityUri: string): Promise<'accepted' | 'pending'> {
    const follower = await this.deps.accounts.find(followerId);
    if (!follower || !isDepartment(follower) || !follower.uri) {
      // The inbound guard lets a Follow of the department actor in from a host that is not a peer, so that a
      // department can ask to link; a person on such a host must not become a follower that way.
      if (follower?.domain && !(await this.deps.peers.isAllowed(follower.domain))) {
        throw new Forbidden('Only departments may follow this department from an instance that is not a peer');
      }
      return this.deps.follows.receiveFollow(followerId, targetId, activityUri);
    }
    const link = await this.deps.store.findByActor(follower.uri);
    if (link && (link.state === 'requested' || link.state === 'active')) {
      const answer = await this.deps.follows.receiveFollow(followerId, targetId, activityUri);
      if (link.state === 'requested') await this.activate(link, follower);
      return answer;
    }
    const now = new Date();
    const stored = await this.deps.store.put({
      _id: link?._id ?? newId(now), remoteActorUri: follower.uri, remoteHost: follower.domain!, remoteScheme: new URL(follower.uri).protocol === 'http:' ? 'http' : 'https',
      remoteAccountId: follower._id, remoteName: follower.displayName || `${follower.username}@${follower.domain}`, remoteInboxUrl: follower.inboxUrl ?? null,
      remoteSharedInboxUrl: follower.sharedInboxUrl ?? null, state: 'requested_by_them', direction: 'incoming', requestedBy: `remote:${follower.uri}`,
      acceptedBy: null, endedBy: null, reason: '', createdAt: now, updatedAt: now, since: null, policy: link?.policy ?? DEFAULT_LINK_POLICY,
    });
    await this.deps.audit.record(remote(follower), 'link_request_received', stored._id, stored.remoteName);
    return this.deps.follows.receiveFollow(followerId, targetId, activityUri, { request: true });
  }

  /**
   * Another department answered about one of the two follows of a link (federation ports, after the
   * follows service applied it): their Accept of our Follow activates our request; their Reject
   * declines it (or ends an active link); their Undo of their Follow ends the link or withdraws their request.
   */
  async remoteAnswer(followerId: string, targetId: string, answer: 'accept' | 'reject' | 'undo'): Promise<void> {
    const own = await this.deps.departments.departmentAccount();
    const remoteId = followerId === own._id ? targetId : targetId === own._id ? followerId : null;
    if (!remoteId) return;
    const other = await this.deps.accounts.find(remoteId);
    if (!other?.uri || !isDepartment(other)) return;
    const link = await this.deps.store.findByActor(other.uri);
    if (!link) return;
    const by = `remote:${other.uri}`;
    if (followerId === own._id && answer === 'accept' && link.state === 'requested') {
      await this.activate(link, other);
    } else if (followerId === own._id && answer === 'reject' && link.state === 'requested') {
      if (await this.deps.store.update(link._id, ['requested'], { state: 'declined', endedBy: by })) await this.deps.audit.record(remote(other), 'link_declined', link._id, link.remoteName);
    } else if ((answer === 'reject' || answer === 'undo') && (link.state === 'active' || link.state === 'requested_by_them')) {
      if (!(await this.deps.store.update(link._id, ['active', 'requested_by_them'], { state: 'unlinked', endedBy: by }))) return;
      // Whatever of the pair is left goes too, so both sides end in the same place.
      await this.endFollows(link);
      await this.deps.audit.record(remote(other), 'unlinked', link._id, link.remoteName);
    }
  }

  /** Whether the other host is a peer now, making it one when LINK_PEERING=auto. */
  private async peered(link: LinkRecord): Promise<boolean> {
    if (await this.deps.peers.isAllowed(link.remoteHost)) return true;
    if (this.deps.linkPeering === 'admin') return false;
    await this.deps.peers.addForLink(link.remoteHost, link.remoteScheme);
    return true;
  }

  /** Looks the other department actor up and sends our Follow. */
  private async sendRequest(link: LinkRecord, lookup: ReturnType<typeof parseLinkTarget>['lookup']): Promise<LinkRecord> {
    const found = 'handle' in lookup
      ? await this.deps.remoteDirectory.accountByHandle(lookup.handle.username, lookup.handle.host, true)
      : await this.deps.remoteDirectory.byUrl(lookup.url, true).then((r) => (r && 'account' in r ? r.account : null));
    if (!found || !found.uri) {
      await this.deps.store.update(link._id, OPEN, { state: 'declined', reason: 'not found' });
      throw new Invalid('Validation failed: No department actor found there');
    }
    if (!isDepartment(found)) {
      await this.deps.store.update(link._id, OPEN, { state: 'declined', reason: 'not a department' });
      throw new Invalid('Validation failed: That account is not a department actor');
    }
    const other = await this.deps.store.findByActor(found.uri);
    if (other && other._id !== link._id) {
      // The handle led to a department we already have a record of: keep that record.
      if (other.state === 'requested_by_them') return this.accept(await this.deps.accounts.get(link.requestedBy), other._id);
      if (OPEN.includes(other.state)) return other;
    }
    const updated = await this.deps.store.update(link._id, OPEN, {
      remoteActorUri: found.uri, remoteAccountId: found._id, remoteName: found.displayName || link.remoteName,
      remoteInboxUrl: found.inboxUrl ?? null, remoteSharedInboxUrl: found.sharedInboxUrl ?? null, state: 'requested',
    });
    if (!updated) throw new Conflict('Validation failed: The link changed meanwhile');
    const own = await this.deps.departments.departmentAccount();
    await this.deps.follows.follow(own._id, found._id);
    return updated;
  }

  /** Accepts their Follow (sends Accept) and follows them back; the link is active. */
  private async finishAccept(link: LinkRecord): Promise<LinkRecord> {
    const own = await this.deps.departments.departmentAccount();
    if (!link.remoteAccountId) throw new Conflict('Validation failed: The other department is unknown');
    const active = await this.deps.store.update(link._id, ['requested_by_them', 'awaiting_peering'], { state: 'active', since: new Date() });
    if (!active) throw new Conflict('Validation failed: This link is not waiting for an answer');
    await this.deps.follows.authorize(own._id, link.remoteAccountId).catch(ignoreNotFound);
    await this.deps.follows.follow(own._id, link.remoteAccountId);
    return active;
  }

  private async activate(link: LinkRecord, other: AccountRecord): Promise<void> {
    const active = await this.deps.store.update(link._id, ['requested'], {
      state: 'active', since: new Date(), acceptedBy: `remote:${other.uri}`, remoteInboxUrl: other.inboxUrl ?? null, remoteSharedInboxUrl: other.sharedInboxUrl ?? null,
    });
    if (active) await this.deps.audit.record(remote(other), 'linked', link._id, link.remoteName);
  }

  /** Ends both follows of a link: ours of them (Undo) and theirs of us (Reject). */
  private async endFollows(link: LinkRecord): Promise<void> {
    if (!link.remoteAccountId) return;
    const own = await this.deps.departments.departmentAccount();
    await this.deps.follows.unfollow(own._id, link.remoteAccountId).catch(ignoreNotFound);
    await this.deps.follows.remoteAnswer(link.remoteAccountId, own._id, 'reject');
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof NotFound)) throw error;
}
