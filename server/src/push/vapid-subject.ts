import type { Config } from '../config.ts';

/**
 * The VAPID "sub" claim (RFC 8292 §2.1): how a push service operator reaches this instance's. The contact
 * address when there is one, else the instance's https origin, else (a local http instance) a mailto: on its host.
 */
export function vapidSubject(config: Pick<Config, 'contactEmail' | 'publicUrl'>): string {
  if (config.contactEmail) return `mailto:${config.contactEmail}`;
  const origin = new URL(config.publicUrl);
  if (origin.protocol === 'https:') return origin.origin;
  return `mailto:push@${origin.hostname}`;
}
