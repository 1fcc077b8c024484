// CSV (RFC 4180) that is safe to open in a spreadsheet: text that would run as a formula (a leading
// = + - @, tab or CR) gets a leading apostrophe, so it stays text. Lines end with CRLF.

/** One field: numbers and booleans as they are; text formula-safe, quoted when it must be (or always, `quoteAll`). */
export function csvField(value: string | number | boolean, quoteAll = false): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return quoteAll || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A document of rows (the first is the header), each field written by csvField. */
export function csvDocument(rows: readonly (readonly (string | number | boolean)[])[], quoteAll = false): string {
  return rows.map((row) => row.map((value) => csvField(value, quoteAll)).join(',')).join('\r\n') + '\r\n';
}
