/** A request signature the adapter verified: whose key signed it. */
export interface VerifiedSigner {
  /** The key's id, e.g. `https://peer.example/users/bob#main-key`. */
  keyId: string;
  /** The key owner's actor id, when the key document names one. */
  ownerId: string | null;
  /** The keyId's normalized `host[:port]`, the unit the allowlist decides on. */
  host: string;
  /**
   * True once the signature verified. False only when the keyId's host is not allowed: then nothing is
   * fetched to verify it, and the request is refused with 403.
   */
  verified: boolean;
}

/** Fedify's context data in Kith: the verified signer of the request (null when unsigned or invalid). */
export interface KithCtx {
  signer: VerifiedSigner | null;
}

/** The instance actor's identifier; the `~` keeps it out of the username space. */
export const INSTANCE_ACTOR = '~instance';
