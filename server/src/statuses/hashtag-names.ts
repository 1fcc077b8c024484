// What a hashtag name is, in one place: the status parser, hashtag lookup and search, timelines and
// streaming all agree on it, so a tag that can be written can be found and followed, and nothing else.

/** Tags longer than this stay plain text (Mastodon has no limit; an endless tag is noise). */
export const MAX_TAG_LENGTH = 100;

// Letters (with their combining marks, which Indic scripts need), digits and underscores, with at
// least one letter or underscore, so "#1" is not a tag. Mastodon's [[:word:]] covers the same.
const TAG_BODY = String.raw`[\p{L}\p{M}\p{N}_]*[\p{L}_][\p{L}\p{M}\p{N}_]*`;
const TAG_NAME = new RegExp(`^${TAG_BODY}$`, 'u');

/**
 * #tag in running text; group 1 is the name. Not inside a word nor after "#", "=", "/", ")" or "&",
 * so URL fragments and HTML entities are not tags. Global: use it with matchAll.
 */
export const HASHTAG_PATTERN = new RegExp(String.raw`(?<![=/)&\p{L}\p{M}\p{N}_#])#(${TAG_BODY})`, 'gu');

/** Whether `name` (without "#") is a name a status can carry as a tag. */
export function isTagName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TAG_LENGTH && TAG_NAME.test(name);
}

/** A hashtag name the way it is stored, looked up and streamed: without "#", NFKC, lower case. */
export function normalizeTag(name: string): string {
  return name.replace(/^#/, '').normalize('NFKC').toLowerCase();
}
