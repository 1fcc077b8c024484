// Remote HTML is sanitized once, here, on the way in (DESIGN.md §4), with sanitize-html and Mastodon's
// allowlist (app/lib/sanitize_config.rb, its strict config): its elements, its attributes per element, its
// link protocols and its class allowlist (microformats, mention, hashtag, ellipsis, invisible). Headings
// become paragraphs, as Mastodon turns them into <p><strong>; everything else unknown is dropped with its
// markup but keeps its text, except script/style-like elements, whose content is dropped too.
import sanitizeHtml from 'sanitize-html';

const ALLOWED_TAGS = [
  'p', 'br', 'span', 'a', 'abbr', 'del', 's', 'pre', 'blockquote', 'code', 'b', 'strong', 'u', 'i', 'em',
  'ul', 'ol', 'li', 'ruby', 'rt', 'rp',
];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  // `rel` and `target` are always rewritten by the transform below, never taken from the remote document.
  a: ['href', 'rel', 'target', 'class', 'translate'],
  abbr: ['title'],
  span: ['class', 'translate'],
  blockquote: ['cite'],
  ol: ['start', 'reversed'],
  li: ['value'],
  p: ['class'],
};

/** Mastodon's LINK_PROTOCOLS; relative URLs are refused (they would resolve against our origin). */
const LINK_SCHEMES = ['http', 'https', 'dat', 'dweb', 'ipfs', 'ipns', 'ssb', 'gopher', 'xmpp', 'magnet', 'gemini'];

/** Microformats (h-, p-, u-, dt-, e-) and Mastodon's semantic and link-formatting classes. */
const ALLOWED_CLASS = /^(?:(?:h|p|u|dt|e)-[a-z0-9-]+|mention|hashtag|ellipsis|invisible)$/;

/** Elements whose text is dropped along with the element. */
const DROP_WITH_CONTENT = ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template', 'title', 'head'];

function keepAllowedClasses(attribs: Record<string, string>): Record<string, string> {
  if (attribs.class === undefined) return attribs;
  const kept = attribs.class.split(/[\t\n\f\r ]+/).filter((c) => ALLOWED_CLASS.test(c));
  const { class: _dropped, ...rest } = attribs;
  return kept.length > 0 ? { ...rest, class: kept.join(' ') } : rest;
}

const heading: sanitizeHtml.Transformer = (_tagName, attribs) => ({ tagName: 'p', attribs: keepAllowedClasses(attribs) });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href', 'cite'],
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  nonTextTags: DROP_WITH_CONTENT,
  parseStyleAttributes: false,
  transformTags: {
    h1: heading, h2: heading, h3: heading, h4: heading, h5: heading, h6: heading,
    a: (tagName, attribs) => {
      const kept = keepAllowedClasses(attribs);
      // A link without a safe absolute href is not a link: sanitize-html drops a refused href, and a
      // relative one would point at our own origin.
      // Attributes in a fixed order, so equal links render equally.
      const out: Record<string, string> = {};
      if (kept.href !== undefined && isAbsoluteLink(kept.href)) out.href = kept.href;
      if (kept.class !== undefined) out.class = kept.class;
      if (kept.translate !== undefined) out.translate = kept.translate;
      return { tagName, attribs: { ...out, rel: 'nofollow noopener', target: '_blank' } };
    },
    span: (tagName, attribs) => ({ tagName, attribs: keepAllowedClasses(attribs) }),
    p: (tagName, attribs) => ({ tagName, attribs: keepAllowedClasses(attribs) }),
  },
};

function isAbsoluteLink(href: string): boolean {
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  return scheme !== undefined && LINK_SCHEMES.includes(scheme);
}

/** Sanitizes remote HTML content (a Note's content, a Person's summary) to Mastodon's allowlist. */
export function sanitizeRemoteHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

/**
 * Turns a remote plain-text-ish field (a content warning, a display name, a profile field) into plain text:
 * every tag is dropped, entities are decoded, control characters are removed and whitespace is collapsed.
 */
export function remoteText(value: string, maxLength: number): string {
  const stripped = sanitizeHtml(value, { allowedTags: [], allowedAttributes: {}, nonTextTags: DROP_WITH_CONTENT });
  const decoded = decodeEntities(stripped)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return [...decoded].slice(0, maxLength).join('');
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}
