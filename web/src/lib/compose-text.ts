// Text rules of the compose box: the @mention or #hashtag being typed at the caret (what autocomplete
// completes), putting a completion in its place, the mentions a reply starts with, and the character count.
import type { Status } from './api/entities.ts';

/** A @mention or #hashtag being typed: where it starts and ends in the text, and what is typed so far. */
export interface CaretToken {
  kind: 'mention' | 'hashtag';
  /** The typed text after the @ or # (a mention may be a full handle: user@host). */
  query: string;
  start: number;
  end: number;
}

// After the start or a space/punctuation (not inside a word or an e-mail address): @user, @user@host, #tag.
const TOKEN_BEFORE_CARET = /(?:^|[^\p{L}\p{N}_@#/])([@#])([\p{L}\p{N}_.@:-]*)$/u;

/** The mention or hashtag the caret is in, or null. */
export function tokenAtCaret(text: string, caret: number): CaretToken | null {
  const before = text.slice(0, caret);
  const match = TOKEN_BEFORE_CARET.exec(before);
  if (!match) return null;
  const sign = match[1]!;
  const query = match[2]!;
  if (query.length === 0) return null;
  if (sign === '#' && !/^[\p{L}\p{N}_]+$/u.test(query)) return null;
  // The token runs on past the caret while it is still a word (editing in the middle of a handle).
  const after = /^[\p{L}\p{N}_.@:-]*/u.exec(text.slice(caret))![0];
  return { kind: sign === '@' ? 'mention' : 'hashtag', query, start: caret - query.length - 1, end: caret + after.length };
}

/** The text with `token` replaced by `completion` and a space; and where the caret goes. */
export function insertCompletion(text: string, token: CaretToken, completion: string): { text: string; caret: number } {
  const rest = text.slice(token.end);
  const spaced = rest.startsWith(' ') ? completion : `${completion} `;
  return { text: text.slice(0, token.start) + spaced + rest, caret: token.start + completion.length + 1 };
}

/** "@author @mentioned … " for a reply: everyone in the conversation but yourself, each once. */
export function replyMentions(status: Status & { mentions?: { acct: string }[] }, selfAcct: string): string {
  const handles = [status.account.acct, ...(status.mentions ?? []).map((m) => m.acct)];
  const unique = [...new Set(handles)].filter((acct) => acct !== selfAcct);
  return unique.length > 0 ? `${unique.map((acct) => `@${acct}`).join(' ')} ` : '';
}

/** Characters as the server counts them: code points, each link as 23, remote mentions by username only. */
export function countCharacters(text: string): number {
  const shortened = text
    .replace(/https?:\/\/\S+/g, 'x'.repeat(23))
    .replace(/(^|[^\p{L}\p{N}_])@([\p{L}\p{N}_]+)@[\p{L}\p{N}.:-]+/gu, '$1@$2');
  return [...shortened].length;
}
