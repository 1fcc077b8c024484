// Unit tests of the pure parts of usage recording: route → feature, caller → client and device, a batch → rollup counts.
import { describe, expect, it } from 'vitest';
import { classifyUsage, USAGE_ROUTES } from './usage-classifier.ts';
import { deviceOf, UsageClients } from './usage-client.ts';
import { cachedApplicationLookup } from '../statuses/status-applications.ts';
import { toDayIncrements, toEventRecords } from './usage-recorder.ts';
import { OTHER_API_CLIENT, PWA_CLIENT, USAGE_FEATURES, WEB_CLIENT, type UsageEvent } from './usage.types.ts';

describe('classifyUsage', () => {
  it('maps each feature route, and tells replies from posts by the body', () => {
    const cases: [string, string, unknown, string, string | null][] = [
      ['POST', '/api/v1/statuses', { status: 'hi' }, 'post', null],
      ['POST', '/api/v1/statuses', { status: 'hi', in_reply_to_id: '' }, 'post', null],
      ['POST', '/api/v1/statuses', { status: 'hi', in_reply_to_id: '123' }, 'reply', 'replied-status'],
      ['POST', '/api/v1/statuses/:id/favourite', {}, 'favourite', null],
      ['POST', '/api/v1/statuses/:id/reblog', {}, 'boost', null],
      ['POST', '/api/v1/accounts/:id/follow', {}, 'follow', 'followed-account'],
      ['GET', '/api/v2/search', undefined, 'search', null],
      ['GET', '/api/v1/accounts/search', undefined, 'search', null],
      ['GET', '/api/v1/directory', undefined, 'search', null],
      ['POST', '/api/v1/kith/proposals', { status_id: '1' }, 'proposal', null],
      ['POST', '/api/v1/kith/proposals/:id/approve', {}, 'approval', 'approved-item'],
      ['POST', '/api/v1/kith/proposals/:id/decline', { reason: 'no' }, 'approval', null],
      ['PATCH', '/api/v1/kith/onboarding', { completed: ['profile'] }, 'onboarding', null],
      ['POST', '/api/v1/kith/onboarding/steps', {}, 'onboarding', null],
      ['GET', '/api/v1/kith/onboarding', undefined, 'read', null],
      ['GET', '/api/v1/timelines/home', undefined, 'read', null],
      ['GET', '/api/v1/statuses/:id', undefined, 'read', null],
      ['POST', '/api/v1/statuses/:id/unfavourite', {}, 'other', null],
      ['DELETE', '/api/v1/statuses/:id', undefined, 'other', null],
      ['POST', '/api/v1/markers', {}, 'other', null],
    ];
    for (const [method, url, body, feature, followUp] of cases) {
      expect(classifyUsage(method, url, body), `${method} ${url}`).toEqual({ feature, followUp });
    }
  });

  it('names only known features, and only write methods except for searches and reads', () => {
    for (const rule of USAGE_ROUTES) {
      expect(USAGE_FEATURES).toContain(rule.feature);
      expect(rule.url.startsWith('/api/')).toBe(true);
    }
  });
});

describe('clients and devices', () => {
  it('tells phones and tablets from desktops by the User-Agent', () => {
    expect(deviceOf('Tusky/25.0 Android/14')).toBe('mobile');
    expect(deviceOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148')).toBe('mobile');
    expect(deviceOf('Ice Cubes/1.0 iOS/17')).toBe('mobile');
    expect(deviceOf('Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0')).toBe('desktop');
    expect(deviceOf(undefined)).toBe('desktop');
  });

  it('labels the web app, the installed web app, OAuth apps by name, and others', async () => {
    const asked: string[] = [];
    const apps: Record<string, string> = { a1: '  Tusky  ', a2: 'x'.repeat(100), a3: '   ' };
    const clients = new UsageClients(cachedApplicationLookup(async (id) => {
      asked.push(id);
      if (!(id in apps)) throw new Error('gone');
      return { name: apps[id]!, website: null };
    }));
    expect(await clients.labelOf({ appId: null, tokenId: 'session:abc' }, undefined)).toBe(WEB_CLIENT);
    expect(await clients.labelOf({ appId: null, tokenId: 'session:abc' }, 'pwa')).toBe(PWA_CLIENT);
    expect(await clients.labelOf({ appId: null, tokenId: '42' }, 'pwa')).toBe(OTHER_API_CLIENT);
    expect(await clients.labelOf({ appId: 'a1', tokenId: '1' }, 'pwa')).toBe('Tusky');
    expect(await clients.labelOf({ appId: 'a1', tokenId: '2' }, undefined)).toBe('Tusky');
    expect(await clients.labelOf({ appId: 'a2', tokenId: '3' }, undefined)).toBe('x'.repeat(80));
    expect(await clients.labelOf({ appId: 'a3', tokenId: '4' }, undefined)).toBe(OTHER_API_CLIENT);
    expect(await clients.labelOf({ appId: 'gone', tokenId: '5' }, undefined)).toBe(OTHER_API_CLIENT);
    // Names are cached: each app was asked for once.
    expect(asked).toEqual(['a1', 'a2', 'a3', 'gone']);
  });
});

describe('rollup of a batch', () => {
  const at = (iso: string) => new Date(iso);
  const event = (over: Partial<UsageEvent>): UsageEvent => ({
    accountId: 'a', department: 'Sales', feature: 'read', client: WEB_CLIENT, device: 'desktop', at: at('2025-03-01T10:00:00Z'), ...over,
  });

  it('counts per day and account, with keys safe for MongoDB and the department of the latest event', () => {
    const batch = [
      event({ feature: 'follow', crossInstance: true, client: 'Ice.Cubes$' }),
      event({ feature: 'follow', crossInstance: false, department: 'Ops', at: at('2025-03-01T12:00:00Z') }),
      event({ feature: 'reply', crossInstance: true, department: 'Late', at: at('2025-03-01T09:00:00Z'), device: 'mobile' }),
      event({ feature: 'post', at: at('2025-03-02T00:00:00Z') }),
      event({ accountId: 'b', feature: 'reply' }),
    ];
    const rows = toDayIncrements(batch);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.day === '2025-03-01' && r.account === 'a')).toEqual({
      day: '2025-03-01', account: 'a', department: 'Ops',
      inc: {
        events: 3, follows: 2, crossFollows: 1, replies: 1, crossReplies: 1,
        'features.follow': 2, 'features.reply': 1, 'clients.Ice\uff0eCubes\uff04': 1, [`clients.${WEB_CLIENT}`]: 2, 'devices.desktop': 2, 'devices.mobile': 1,
      },
    });
    expect(rows.find((r) => r.day === '2025-03-02')!.inc).toMatchObject({ events: 1, 'features.post': 1, follows: 0 });
    expect(rows.find((r) => r.account === 'b')!.inc).toMatchObject({ replies: 1, crossReplies: 0 });
    expect(toEventRecords(batch)[0]).toEqual({
      day: '2025-03-01', at: batch[0]!.at, account: 'a', department: 'Sales', feature: 'follow', client: 'Ice.Cubes$', device: 'desktop', crossInstance: true,
    });
    expect('crossInstance' in toEventRecords([event({})])[0]!).toBe(false);
  });
});
