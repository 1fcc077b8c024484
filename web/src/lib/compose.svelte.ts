// Where a reply is being written: any screen calls `openReply(status)` (e.g. a Reply button on a status) and the
// app shell's reply dialog (components/ReplyDialog.svelte) opens the compose box in reply mode for it.
import type { Status } from './api/entities.ts';

interface ComposeState {
  /** The status being replied to; null when no reply dialog is open. */
  replyTo: Status | null;
  /** The element to give focus back to when the dialog closes (the button that opened it). */
  returnFocus: HTMLElement | null;
}

export const compose: ComposeState = $state({ replyTo: null, returnFocus: null });

/** Opens the compose box to reply to `status` (a boost is answered on the boosted status). */
export function openReply(status: Status): void {
  compose.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  compose.replyTo = status.reblog ?? status;
}

/** Closes the reply dialog and puts focus back where it was. */
export function closeReply(): void {
  const back = compose.returnFocus;
  compose.replyTo = null;
  compose.returnFocus = null;
  back?.focus();
}

/** Subscribers told about every status the compose box posts (a reply shows up in its thread at once). */
const postedListeners = new Set<(status: Status) => void>();

/** Calls `listener` with each status posted through the compose box; returns the unsubscriber (an $effect's cleanup). */
export function onPosted(listener: (status: Status) => void): () => void {
  postedListeners.add(listener);
  return () => postedListeners.delete(listener);
}

export function announcePosted(status: Status): void {
  for (const listener of postedListeners) listener(status);
}
