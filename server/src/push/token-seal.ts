// Mastodon's push payload carries the subscribing access token (apps tell their accounts apart by it),
// but Kith stores tokens only as hashes. The token is kept with its subscription sealed (AES-256-GCM)
// rather than in clear, so a copy of the subscriptions collection alone gives no one a usable token.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyOf(base64url: string): Buffer {
  const key = Buffer.from(base64url, 'base64url');
  if (key.length !== 32) throw new Error('token seal key must be 32 bytes');
  return key;
}

/** iv ‖ ciphertext ‖ tag, base64url. */
export function sealToken(token: string, key: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(key), iv);
  const sealed = Buffer.concat([iv, cipher.update(token, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64url');
}

/** The token, or null when the seal does not open (another key, a damaged record). */
export function unsealToken(sealed: string, key: string): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(key), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
