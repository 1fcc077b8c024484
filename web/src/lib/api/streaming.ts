// Live updates from the server's streaming API over Server-Sent Events: same origin, so the browser sends
// the session cookie and EventSource reconnects by itself after a network drop.
import type { Notification, Status } from './entities.ts';

export type StreamName = 'user' | 'user/notification' | 'public' | 'public/local' | 'hashtag' | 'hashtag/local';

export interface StreamHandlers {
  update?: (status: Status) => void;
  delete?: (statusId: string) => void;
  notification?: (notification: Notification) => void;
  /** The connection opened (again): a screen may refetch what it missed. */
  open?: () => void;
}

/** Subscribes to a stream; returns the function that closes it. */
export function openStream(name: StreamName, handlers: StreamHandlers, params: { tag?: string } = {}): () => void {
  // The hashtag streams name their tag in the query.
  const query = params.tag ? `?tag=${encodeURIComponent(params.tag)}` : '';
  const source = new EventSource(`/api/v1/streaming/${name}${query}`);
  source.addEventListener('open', () => handlers.open?.());
  source.addEventListener('update', (event) => handlers.update?.(JSON.parse((event as MessageEvent<string>).data) as Status));
  source.addEventListener('delete', (event) => handlers.delete?.((event as MessageEvent<string>).data));
  source.addEventListener('notification', (event) => handlers.notification?.(JSON.parse((event as MessageEvent<string>).data) as Notification));
  return () => source.close();
}
