// Random secrets (tokens, codes, client credentials) and the hashes stored in their place.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new unguessable secret: 32 random bytes, base64url (43 characters, like Mastodon's tokens). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a secret: what the database keeps instead of the secret. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether `secret` hashes to `expectedHash`, compared in constant time. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(sha256(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
