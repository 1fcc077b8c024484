// Plain text in, safe HTML out. Everything user-typed is escaped here; only the tags this module
// writes (p, br, a) reach clients, so no sanitizer is needed for local text.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use in HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A piece of text that becomes one HTML link, found by a tokenizer. */
export interface TextLink {
  start: number;
  end: number;
  html: string;
}

// http(s) URLs up to whitespace; trailing punctuation is not part of the link.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/** Finds http(s) URLs in text and renders them as links, the way Mastodon shortens them. */
export function findUrlLinks(text: string): TextLink[] {
  const links: TextLink[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING_PUNCTUATION, '');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    const display = raw.replace(/^https?:\/\/(www\.)?/i, '');
    const shown = display.length > 30 ? `${display.slice(0, 30)}…` : display;
    links.push({
      start: match.index,
      end: match.index + raw.length,
      html: `<a href="${escapeHtml(url.href)}" target="_blank" rel="nofollow noopener noreferrer">${escapeHtml(shown)}</a>`,
    });
  }
  return links;
}

/**
 * Renders plain text as paragraphs (blank lines) and line breaks, escaping everything except the
 * given links, which must not overlap and come sorted by start.
 */
export function plainTextToHtml(text: string, links: TextLink[] = findUrlLinks(text)): string {
  let html = '';
  let at = 0;
  for (const link of links) {
    html += escapeHtml(text.slice(at, link.start)) + link.html;
    at = link.end;
  }
  html += escapeHtml(text.slice(at));
  const paragraphs = html
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return paragraphs.map((p) => `<p>${p.replace(/\n/g, '<br />')}</p>`).join('');
}

/** Merges link lists from several tokenizers, dropping any that overlap an earlier one. */
export function mergeLinks(...lists: TextLink[][]): TextLink[] {
  const all = lists.flat().sort((a, b) => a.start - b.start);
  const merged: TextLink[] = [];
  for (const link of all) {
    const last = merged[merged.length - 1];
    if (!last || link.start >= last.end) merged.push(link);
  }
  return merged;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The text of sanitized HTML (remote statuses), for search and the plain-text field: paragraphs become
 * blank lines, line breaks newlines, tags go, entities are decoded.
 */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .trim();
}
