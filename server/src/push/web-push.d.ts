// The part of the web-push package (CommonJS, no bundled types) that Kith uses: it encrypts (RFC 8291)
// and signs (RFC 8292) a push message; Kith sends the request itself, through its own guarded transport.
declare module 'web-push' {
  interface PushSubscriptionKeys {
    endpoint: string;
    keys: { p256dh: string; auth: string };
  }

  interface RequestOptions {
    vapidDetails: { subject: string; publicKey: string; privateKey: string };
    TTL: number;
    urgency: 'very-low' | 'low' | 'normal' | 'high';
    contentEncoding: 'aes128gcm';
  }

  interface RequestDetails {
    method: 'POST';
    headers: Record<string, string | number>;
    body: Buffer | null;
    endpoint: string;
  }

  const webPush: {
    /** A P-256 key pair, both halves base64url: the public key uncompressed (65 bytes), the private 32 bytes. */
    generateVAPIDKeys(): { publicKey: string; privateKey: string };
    generateRequestDetails(subscription: PushSubscriptionKeys, payload: string, options: RequestOptions): RequestDetails;
  };
  export default webPush;
}
