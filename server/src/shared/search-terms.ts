// Search without $text: records carry an array of normalized terms with a multikey index, which
// both real MongoDB and the stand-in serve. Accounts store every prefix of every word (type-ahead);
// statuses store whole words, and a query matches records holding all of its words.

const MAX_PREFIX_LENGTH = 20;

/** Lower-cases, strips accents and splits text into words of letters and digits. */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** The distinct words of the texts, for statuses. */
export function wordTerms(...texts: string[]): string[] {
  return [...new Set(texts.flatMap(searchWords))];
}

/** Every prefix (up to 20 characters) of every word of the texts, for type-ahead on names. */
export function prefixTerms(...texts: string[]): string[] {
  const terms = new Set<string>();
  for (const word of texts.flatMap(searchWords)) {
    for (let i = 1; i <= Math.min(word.length, MAX_PREFIX_LENGTH); i++) terms.add(word.slice(0, i));
  }
  return [...terms];
}

/** The query's words, each cut to the longest prefix that prefixTerms stores. */
export function queryPrefixes(query: string): string[] {
  return [...new Set(searchWords(query).map((w) => w.slice(0, MAX_PREFIX_LENGTH)))];
}
