// Which Redis channels a client's stream name stands for, and which scope it needs: the
// equivalent of Mastodon's channelNameToIds / streamNameFromChannelName.
import { hasScope, type AuthContext } from '../plugins/auth.ts';
import { isTagName } from '../statuses/hashtag-names.ts';
import { streamChannels } from './publisher.ts';

/** The streams Kith serves. */
export const STREAM_NAMES = ['user', 'user:notification', 'public', 'public:local', 'hashtag', 'hashtag:local'] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** A stream a client asked for, resolved. */
export interface ResolvedStream {
  /** What events are labelled with, e.g. ["user"] or ["hashtag", "Kith"] (the tag as the client wrote it). */
  label: string[];
  /** Identifies the subscription within one connection (subscribing twice is a no-op). */
  key: string;
  /** Channel keys (streamChannels) to listen to. */
  channels: string[];
}

/** A subscription the client may not have, with Mastodon's status code. */
export class StreamError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Resolves a stream name and its parameters for a caller; throws StreamError for an unknown
 * stream, a missing tag or a token without the needed scope.
 */
export function resolveStream(name: unknown, params: { tag?: unknown }, auth: AuthContext): ResolvedStream {
  if (typeof name !== 'string' || !(STREAM_NAMES as readonly string[]).includes(name)) {
    throw new StreamError(400, 'Unknown stream type');
  }
  const stream = name as StreamName;
  const accountId = auth.account?._id;
  if (!accountId) throw new StreamError(401, 'Streaming requires an authenticated user');
  const scope = stream === 'user:notification' ? 'read:notifications' : 'read:statuses';
  if (!hasScope(auth.scopes, scope)) throw new StreamError(401, 'Access token does not have the required scopes');

  switch (stream) {
    case 'user': {
      // Mastodon's user stream also carries notifications; Kith only when the token may read them.
      const channels = [streamChannels.home(accountId)];
      if (hasScope(auth.scopes, 'read:notifications')) channels.push(streamChannels.notifications(accountId));
      return { label: ['user'], key: 'user', channels };
    }
    case 'user:notification':
      return { label: ['user:notification'], key: 'user:notification', channels: [streamChannels.notifications(accountId)] };
    case 'public':
      return { label: ['public'], key: 'public', channels: [streamChannels.public] };
    case 'public:local':
      return { label: ['public:local'], key: 'public:local', channels: [streamChannels.publicLocal] };
    case 'hashtag':
    case 'hashtag:local': {
      const tag = typeof params.tag === 'string' ? params.tag.replace(/^#/, '').trim() : '';
      if (!tag) throw new StreamError(400, 'Missing tag name parameter');
      if (!isTagName(tag)) throw new StreamError(400, 'Invalid tag name parameter');
      const channel = streamChannels.hashtag(tag, stream === 'hashtag:local');
      return { label: [stream, tag], key: `${stream};${channel}`, channels: [channel] };
    }
  }
}
