// The physical limit an inbox runs into: RSA-2048 signature verifications per second on one core.
// node:crypto `verify` of an RSASSA-PKCS1-v1_5 SHA-256 signature over an HTTP-signature-sized signing
// string, with the public key parsed once (as Kith's key cache keeps it), in a tight single-threaded loop.
import { generateKeyPairSync, sign, verify } from 'node:crypto';

/** Verifications per second measured over `seconds` of wall time on this thread. */
export function rsaVerificationsPerSecond(seconds: number): number {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const signingString = Buffer.from([
    '(request-target): post /inbox',
    'host: 127.0.0.1:3101',
    `date: ${new Date().toUTCString()}`,
    'digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
    'content-type: application/activity+json',
  ].join('\n'));
  const signature = sign('sha256', signingString, privateKey);
  if (!verify('sha256', signingString, publicKey, signature)) throw new Error('RSA self-check failed');
  const batch = 50;
  let count = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  let now = started;
  while (now < until) {
    for (let i = 0; i < batch; i++) {
      if (!verify('sha256', signingString, publicKey, signature)) throw new Error('RSA verification failed');
    }
    count += batch;
    now = performance.now();
  }
  return (count / (now - started)) * 1000;
}
