/**
 * Which request components an inbound HTTP signature must cover (docs/federation-design.md §6).
 * Fedify's verifier asks less of a signature: cavage only `(request-target)`, `date` and `digest`,
 * RFC 9421 nothing at all. These rules are what Fedify 2.3.6 and Mastodon sign themselves:
 * cavage `(request-target) host date digest`, RFC 9421 `@method @target-uri @authority host date
 * content-digest` with `created`.
 */

/** One signature a request carries, as far as the policy needs it. */
export interface ClaimedSignature {
  spec: 'draft-cavage' | 'rfc9421';
  /** The keyId as written in the header (not yet verified). */
  keyId: string;
  /** The covered components, lower case. */
  components: string[];
  /** RFC 9421 `created`, in seconds; absent for cavage. */
  created: number | null;
}

const CAVAGE_REQUIRED = ['(request-target)', 'host', 'date'];
const RFC9421_REQUIRED = ['@method', '@target-uri', '@authority'];

/** Splits `text` on `separator` outside double-quoted strings. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && quoted && i + 1 < text.length) {
      current += char + text[i + 1];
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2 ? trimmed.slice(1, -1).replace(/\\(.)/g, '$1') : trimmed;
}

/** The cavage `Signature` header's parameters, or null when it has no keyId. */
export function parseCavageSignature(header: string): ClaimedSignature | null {
  const params = new Map<string, string>();
  for (const pair of splitOutsideQuotes(header, ',')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    params.set(pair.slice(0, at).trim().toLowerCase(), unquote(pair.slice(at + 1)));
  }
  const keyId = params.get('keyid');
  if (!keyId) return null;
  // Without a `headers` parameter only `date` is signed (draft-cavage-http-signatures-12 §2.1.6).
  const components = (params.get('headers') ?? 'date').toLowerCase().split(/\s+/).filter(Boolean);
  return { spec: 'draft-cavage', keyId, components, created: null };
}

/**
 * The RFC 9421 `Signature-Input` dictionary: `label=("@method" "@target-uri" …);keyid="…";created=…`.
 * Returns null when any member cannot be read (the request is then refused as unsigned).
 */
export function parseSignatureInput(header: string): ClaimedSignature[] | null {
  const signatures: ClaimedSignature[] = [];
  for (const member of splitOutsideQuotes(header, ',')) {
    const text = member.trim();
    if (!text) continue;
    const match = /^([a-z*][a-z0-9_\-.*]*)=\((.*)\)(.*)$/is.exec(text);
    if (!match) return null;
    const components: string[] = [];
    for (const item of match[2]!.match(/"(?:[^"\\]|\\.)*"(?:;[^\s]*)?/g) ?? []) {
      components.push(unquote(item.replace(/;[^"]*$/, '')).toLowerCase());
    }
    let keyId: string | null = null;
    let created: number | null = null;
    for (const param of splitOutsideQuotes(match[3]!, ';')) {
      const at = param.indexOf('=');
      if (at < 0) continue;
      const name = param.slice(0, at).trim().toLowerCase();
      const value = param.slice(at + 1).trim();
      if (name === 'keyid') keyId = unquote(value);
      if (name === 'created' && /^\d+$/.test(value)) created = Number(value);
    }
    if (!keyId) return null;
    signatures.push({ spec: 'rfc9421', keyId, components, created });
  }
  return signatures.length > 0 ? signatures : null;
}

/** The signatures a request claims; null when it carries none that can be read. */
export function claimedSignatures(headers: Headers): ClaimedSignature[] | null {
  const signature = headers.get('signature');
  if (!signature) return null;
  const input = headers.get('signature-input');
  if (input) return parseSignatureInput(input);
  const cavage = parseCavageSignature(signature);
  return cavage ? [cavage] : null;
}

/** Why a signature does not cover enough of the request, or null when it does. */
export function missingComponents(signature: ClaimedSignature, method: string): string | null {
  const hasBody = method !== 'GET' && method !== 'HEAD';
  if (signature.spec === 'draft-cavage') {
    const required = hasBody ? [...CAVAGE_REQUIRED, 'digest'] : CAVAGE_REQUIRED;
    const missing = required.filter((name) => !signature.components.includes(name));
    return missing.length > 0 ? `the signature does not cover ${missing.join(', ')}` : null;
  }
  const required = hasBody ? [...RFC9421_REQUIRED, 'content-digest'] : RFC9421_REQUIRED;
  const missing = required.filter((name) => !signature.components.includes(name));
  if (signature.created === null) missing.push('created');
  return missing.length > 0 ? `the signature does not cover ${missing.join(', ')}` : null;
}

/**
 * The signature values a request carries, decoded (hex), whatever the header's spelling: a replay
 * with reordered parameters, other whitespace or extra dictionary members still carries them.
 */
export function signatureValues(headers: Headers): string[] {
  const header = headers.get('signature');
  if (!header) return [];
  const encoded: string[] = [];
  if (headers.get('signature-input')) {
    // RFC 9421 / RFC 8941 byte sequences: label=:base64:
    for (const match of header.matchAll(/:([A-Za-z0-9+/=]+):/g)) encoded.push(match[1]!);
  } else {
    for (const pair of splitOutsideQuotes(header, ',')) {
      const at = pair.indexOf('=');
      if (at >= 0 && pair.slice(0, at).trim().toLowerCase() === 'signature') encoded.push(unquote(pair.slice(at + 1)));
    }
  }
  return [...new Set(encoded.map((value) => Buffer.from(value, 'base64').toString('hex')).filter((hex) => hex.length > 0))];
}
