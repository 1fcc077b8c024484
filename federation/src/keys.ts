import type { webcrypto } from 'node:crypto';
import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import type { FederationPorts, JwkPair } from './ports.ts';

/** The two key pairs of an owner, as stored: RSA for HTTP and LD signatures, Ed25519 for FEP-8b32 proofs. */
export interface StoredKeyPairs {
  rsa: JwkPair;
  ed25519: JwkPair;
}

/** Generates a fresh RSA-2048 (RSASSA-PKCS1-v1_5) and Ed25519 key pair, exported as JWK for storage. */
export async function generateKeyPairs(): Promise<StoredKeyPairs> {
  const [rsa, ed25519] = await Promise.all([generateCryptoKeyPair('RSASSA-PKCS1-v1_5'), generateCryptoKeyPair('Ed25519')]);
  return {
    rsa: { publicKey: await exportJwk(rsa.publicKey), privateKey: await exportJwk(rsa.privateKey) },
    ed25519: { publicKey: await exportJwk(ed25519.publicKey), privateKey: await exportJwk(ed25519.privateKey) },
  };
}

async function importPair(pair: JwkPair): Promise<webcrypto.CryptoKeyPair> {
  return { publicKey: await importJwk(pair.publicKey, 'public'), privateKey: await importJwk(pair.privateKey, 'private') };
}

/**
 * Signing keys through the keys port, imported once and kept in memory: `[0]` RSA (`#main-key`),
 * `[1]` Ed25519 (`#key-2`), the order Fedify's key-pairs dispatcher expects.
 */
export class KeyRing {
  private readonly port: FederationPorts['keys'];
  private readonly cache = new Map<string, Promise<webcrypto.CryptoKeyPair[]>>();

  constructor(port: FederationPorts['keys']) {
    this.port = port;
  }

  /** The owner's (an account id, or `~instance`) key pairs, created by the port on first use. */
  cryptoKeyPairs(ownerId: string): Promise<webcrypto.CryptoKeyPair[]> {
    let pairs = this.cache.get(ownerId);
    if (!pairs) {
      pairs = this.port.keyPairs(ownerId).then(async (stored) => [await importPair(stored.rsa), await importPair(stored.ed25519)]);
      // A failure is not cached: the next request tries again.
      pairs.catch(() => this.cache.delete(ownerId));
      this.cache.set(ownerId, pairs);
    }
    return pairs;
  }
}
