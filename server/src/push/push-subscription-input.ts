// The bodies of POST and PUT /api/v1/push/subscription, as Mastodon clients send them: JSON, or form
// fields `subscription[endpoint]`, `subscription[keys][p256dh]`, `data[alerts][mention]=true`, `data[policy]`.
// The schemas check the shape (a 400); the rules here check the meaning (a 422, Mastodon's
// "Validation failed"), so a hostile subscription is refused before anything is stored.
import { createECDH } from 'node:crypto';
import { Type, type Static } from '@fastify/type-provider-typebox';
import { BoolParam, isTrue } from '../shared/schemas.ts';
import { Invalid } from '../shared/errors.ts';
import { endpointRefusal, type EndpointRules } from './push-endpoint-rules.ts';
import { PUSH_ALERTS, PUSH_POLICIES, type PushAlerts, type PushPolicy } from './push-subscriptions.store.ts';

const Data = Type.Object({
  // Unknown alert names are ignored, as Mastodon does; their values must still be booleans.
  alerts: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), BoolParam, { maxProperties: 32 })),
  policy: Type.Optional(Type.String({ maxLength: 16 })),
}, { additionalProperties: true });

export const CreateBody = Type.Object({
  subscription: Type.Object({
    endpoint: Type.String({ minLength: 1, maxLength: 4096 }),
    keys: Type.Object({
      p256dh: Type.String({ minLength: 1, maxLength: 256 }),
      auth: Type.String({ minLength: 1, maxLength: 256 }),
    }, { additionalProperties: true }),
    // Mastodon 4.4's choice between RFC 8291 and the draft encoding; Kith always sends RFC 8291 (aes128gcm).
    standard: Type.Optional(BoolParam),
  }, { additionalProperties: true }),
  data: Type.Optional(Data),
  // masto.js sends the policy beside data, not in it.
  policy: Type.Optional(Type.String({ maxLength: 16 })),
}, { additionalProperties: true });

export const UpdateBody = Type.Object({
  data: Type.Optional(Data),
  policy: Type.Optional(Type.String({ maxLength: 16 })),
}, { additionalProperties: true });

export type CreateBody = Static<typeof CreateBody>;
export type UpdateBody = Static<typeof UpdateBody>;

/** What a subscription is told to push. */
export interface PushData {
  alerts: PushAlerts;
  policy: PushPolicy;
}

/** A subscription that passed every rule; keys are base64url without padding. */
export interface NewPushSubscription extends PushData {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Bytes of a base64url (or base64) text, or null when it is not one. */
function decodeBase64Url(text: string): Buffer | null {
  const normalized = text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(normalized)) return null;
  return Buffer.from(normalized, 'base64url');
}

/** The user agent's public key: an uncompressed point on P-256 (65 bytes), else Invalid. */
function publicKeyOf(text: string): Buffer {
  const bytes = decodeBase64Url(text);
  if (!bytes || bytes.length !== 65 || bytes[0] !== 0x04) throw new Invalid('Validation failed: p256dh must be an uncompressed P-256 public key (65 bytes, base64url)');
  try {
    // Refuses a point that is not on the curve, which no message could be encrypted to.
    const probe = createECDH('prime256v1');
    probe.generateKeys();
    probe.computeSecret(bytes);
  } catch {
    throw new Invalid('Validation failed: p256dh is not a point on P-256');
  }
  return bytes;
}

function authSecretOf(text: string): Buffer {
  const bytes = decodeBase64Url(text);
  if (!bytes || bytes.length !== 16) throw new Invalid('Validation failed: auth must be a 16-byte secret (base64url)');
  return bytes;
}

/** Alerts and policy from a body's `data` (and masto.js's top-level `policy`); alerts not named are off. */
export function parsePushData(body: UpdateBody): PushData {
  const given = body.data?.alerts ?? {};
  const alerts = Object.fromEntries(PUSH_ALERTS.map((name) => [name, isTrue(given[name])])) as PushAlerts;
  const policy = body.data?.policy ?? body.policy ?? 'all';
  if (!(PUSH_POLICIES as readonly string[]).includes(policy)) {
    throw new Invalid(`Validation failed: policy must be one of ${PUSH_POLICIES.join(', ')}`);
  }
  return { alerts, policy: policy as PushPolicy };
}

/** A new subscription from a POST body, or Invalid naming the first rule it breaks. */
export function parseNewSubscription(body: CreateBody, rules: EndpointRules): NewPushSubscription {
  const { endpoint, keys } = body.subscription;
  const refusal = endpointRefusal(endpoint, rules);
  if (refusal) throw new Invalid(`Validation failed: ${refusal}`);
  return {
    endpoint,
    p256dh: publicKeyOf(keys.p256dh).toString('base64url'),
    auth: authSecretOf(keys.auth).toString('base64url'),
    ...parsePushData(body),
  };
}
