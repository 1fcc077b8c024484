// Server strings that arrive HTML-escaped (profile fields, relay notes) are shown as text: parsed in an
// inert document (DOMParser runs no script and loads nothing) and read back as plain text, never rendered.

/** The text of an HTML string, with markup dropped and entities decoded. */
export function textOfHtml(html: string): string {
  if (!html) return '';
  return new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
}
