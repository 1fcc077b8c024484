// Which feature an authenticated API request used, from its route (the pattern, not the URL), method and
// body. The table is data, so a new route is one line; anything it does not name is a read or an "other".
import type { UsageFeature } from './usage.types.ts';

/**
 * What the usage hook must look up after the reply to finish the event: whether a follow or a reply crosses
 * instances, and whether an approval passes another department's news onward (a relay).
 */
export type UsageFollowUp = 'followed-account' | 'replied-status' | 'approved-item';

export interface UsageClassification {
  feature: UsageFeature;
  followUp: UsageFollowUp | null;
}

interface RouteRule {
  methods: readonly string[];
  /** The route pattern as Fastify registered it (request.routeOptions.url), or a prefix ending in `*`. */
  url: string;
  feature: UsageFeature;
  followUp?: UsageFollowUp;
}

const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The routes that are features; the first match wins. */
export const USAGE_ROUTES: readonly RouteRule[] = [
  // Replies are told apart from posts by the body (below).
  { methods: ['POST'], url: '/api/v1/statuses', feature: 'post' },
  { methods: ['POST'], url: '/api/v1/statuses/:id/favourite', feature: 'favourite' },
  { methods: ['POST'], url: '/api/v1/statuses/:id/reblog', feature: 'boost' },
  { methods: ['POST'], url: '/api/v1/accounts/:id/follow', feature: 'follow', followUp: 'followed-account' },
  { methods: ['GET'], url: '/api/v2/search', feature: 'search' },
  { methods: ['GET'], url: '/api/v1/accounts/search', feature: 'search' },
  // The people directory is how colleagues are found without typing a name.
  { methods: ['GET'], url: '/api/v1/directory', feature: 'search' },
  { methods: ['POST'], url: '/api/v1/kith/proposals', feature: 'proposal' },
  // Approving news that arrived over a link passes it onward: a relay (decided after the reply).
  { methods: ['POST'], url: '/api/v1/kith/proposals/:id/approve', feature: 'approval', followUp: 'approved-item' },
  { methods: ['POST'], url: '/api/v1/kith/proposals/:id/decline', feature: 'approval' },
  { methods: WRITES, url: '/api/v1/kith/onboarding*', feature: 'onboarding' },
];

function matches(rule: RouteRule, url: string): boolean {
  return rule.url.endsWith('*') ? url.startsWith(rule.url.slice(0, -1)) : url === rule.url;
}

/** The feature of a request to `routeUrl` (the route's pattern) with `method` and `body`. */
export function classifyUsage(method: string, routeUrl: string, body: unknown): UsageClassification {
  const verb = method.toUpperCase();
  const rule = USAGE_ROUTES.find((r) => r.methods.includes(verb) && matches(r, routeUrl));
  if (!rule) return { feature: verb === 'GET' || verb === 'HEAD' ? 'read' : 'other', followUp: null };
  if (rule.feature === 'post' && isReply(body)) return { feature: 'reply', followUp: 'replied-status' };
  return { feature: rule.feature, followUp: rule.followUp ?? null };
}

function isReply(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const inReplyTo = (body as Record<string, unknown>).in_reply_to_id;
  return typeof inReplyTo === 'string' ? inReplyTo !== '' : typeof inReplyTo === 'number';
}
