// What a WebSocket client may send: {"type": "subscribe" | "unsubscribe", "stream": "...", "tag": "..."}.
// Anything else gets Mastodon's error message, {"error": "...", "status": 400}, and the socket stays open.
import type { StreamSession } from './stream-session.ts';
import { StreamError } from './streams.ts';

/** The part of a `ws` WebSocket the streaming code uses. */
export interface StreamSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'pong', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
}

const OPEN = 1;

/** Sends Mastodon's error message on a socket: {"error": "...", "status": 400}. */
export function sendError(socket: StreamSocket, error: unknown): void {
  if (socket.readyState !== OPEN) return;
  const known = error instanceof StreamError;
  socket.send(JSON.stringify({ error: known ? error.message : 'Internal error', status: known ? error.status : 500 }));
}

/** Applies one client message to the session; never throws (a bad message is answered with an error event). */
export async function handleClientMessage(socket: StreamSocket, session: StreamSession, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> {
  try {
    if (isBinary) throw new StreamError(400, 'Binary messages are not supported');
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      throw new StreamError(400, 'Message is not valid JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new StreamError(400, 'Message must be a JSON object');
    const { type, stream, tag } = message as Record<string, unknown>;
    if (type === 'subscribe') await session.subscribe(stream, { tag });
    else if (type === 'unsubscribe') session.unsubscribe(stream, { tag });
    else throw new StreamError(400, 'Unknown message type');
  } catch (error) {
    sendError(socket, error);
  }
}
