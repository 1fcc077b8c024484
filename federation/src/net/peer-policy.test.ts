// The peer policy's decisions: look-alike hosts, both modes, a block beating an allow, and the
// connect-time decision on resolved addresses (CIDR-restricted peers).
import { describe, expect, it } from 'vitest';
import { hostOf, PeerPolicy } from './peer-policy.ts';
import { allow, block, testPolicy } from './test-peers.ts';

describe('look-alike hosts', () => {
  const { policy } = testPolicy('allowlist', [allow('peer.example'), allow('127.0.0.1:3102')]);

  it.each([
    'http://peer.example/users/bob',
    'http://PEER.Example/users/bob',
    'http://peer.example./users/bob',
    'http://peer.example:80/users/bob',
    'http://127.0.0.1:3102/users/bob',
    'http://2130706433:3102/users/bob',
    'http://0x7f.1:3102/users/bob',
  ])('%s is the peer', async (url) => {
    expect(await policy.allowsUrl(url)).toBe(true);
  });

  it.each([
    'http://peer.example.evil/users/bob',
    'http://evil-peer.example/users/bob',
    'http://peer.example.evil./users/bob',
    'http://peerexample/users/bob',
    'http://peer.example:8080/users/bob',
    'https://peer.example:80/users/bob',
    'http://127.0.0.1.attacker:3102/users/bob',
    'http://127.0.0.1:3103/users/bob',
    'http://localhost:3102/users/bob',
    'http://[::ffff:127.0.0.1]:3102/users/bob',
    'http://user@peer.example.evil/users/bob',
    'not a url',
  ])('%s is refused', async (url) => {
    expect(await policy.allowsUrl(url)).toBe(false);
  });

  it('normalizes case, the trailing dot and default ports', () => {
    expect(hostOf('HTTPS://Peer.Example.:443/x')).toBe('peer.example');
    expect(hostOf('http://[::FFFF:127.0.0.1]:80/')).toBe('[::ffff:7f00:1]');
  });
});

describe('allowlist mode', () => {
  it('connects to allowed peers and our own host at any address, and to nothing else', async () => {
    const { policy } = testPolicy('allowlist', [allow('peer.example'), block('blocked.example')], '127.0.0.1:3101');
    expect(await policy.decideAddress('peer.example', '10.0.0.5')).toBe('allow');
    expect(await policy.decideAddress('127.0.0.1:3101', '127.0.0.1')).toBe('allow');
    expect(await policy.decideAddress('other.example', '93.184.216.34')).toBe('deny');
    expect(await policy.decideAddress('blocked.example', '93.184.216.34')).toBe('deny');
  });
});

describe('open mode', () => {
  const { policy } = testPolicy('open', [allow('intranet.example', '10.0.0.0/8'), allow('db.example'), allow('127.0.0.1:3102'), block('blocked.example'), block('[::1]:3102')]);

  it('allows public addresses of any host not blocked', async () => {
    expect(await policy.decideAddress('stranger.example', '93.184.216.34')).toBe('allow');
    expect(await policy.decideAddress('blocked.example', '93.184.216.34')).toBe('deny');
  });

  it.each(['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'fe80::1', 'fd00::1', '100.64.0.1', '0.0.0.0', '224.0.0.1'])(
    'refuses %s for a host that is not a peer',
    async (address) => {
      expect(await policy.decideAddress('stranger.example', address)).toBe('deny');
    },
  );

  it('allows private addresses for an allowed peer, within its CIDR when it has one', async () => {
    expect(await policy.decideAddress('intranet.example', '10.2.3.4')).toBe('allow');
    expect(await policy.decideAddress('intranet.example', '192.168.0.4')).toBe('deny');
    expect(await policy.decideAddress('intranet.example', '127.0.0.1')).toBe('deny');
    expect(await policy.decideAddress('db.example', '192.168.0.4')).toBe('allow');
  });

  it('refuses a special-purpose address written as the host unless it is a peer, and a block wins', async () => {
    expect(await policy.decide('127.0.0.1:3102')).toBe('allow');
    expect(await policy.decide('127.0.0.1:6379')).toBe('deny');
    expect(await policy.decide('169.254.169.254')).toBe('deny');
    expect(await policy.decide('[::ffff:7f00:1]:3102')).toBe('deny');
    expect(await policy.decide('[::1]:3102')).toBe('deny');
    expect(await policy.decide('8.8.8.8')).toBe('allow');
  });

  it('follows changes to the peer list', async () => {
    const peers = testPolicy('open', [allow('127.0.0.1:3102')]);
    expect(await peers.policy.decideAddress('127.0.0.1:3102', '127.0.0.1')).toBe('allow');
    peers.set([block('127.0.0.1:3102')]);
    expect(await peers.policy.decideAddress('127.0.0.1:3102', '127.0.0.1')).toBe('deny');
  });
});

describe('network members (departments reached over links, docs/connectors-design.md §3)', () => {
  it('are readable once the walk has found them, never recipients of deliveries, and a block still wins', async () => {
    const policy = new PeerPolicy({
      mode: 'allowlist',
      ownDomain: 'kith.example',
      peers: { list: async () => [allow('peer.example'), block('member-blocked.example')], onChange: () => {} },
      networkMembers: async () => ['member.example', 'member-blocked.example'],
    });
    // The first question starts the walk in the background and does not wait for it (walks ask back).
    expect(await policy.allowsUrl('http://member.example/users/x')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await policy.allowsUrl('http://member.example/users/x')).toBe(true);
    expect(await policy.allowsDelivery('http://member.example/inbox')).toBe(false);
    expect(await policy.allowsDelivery('http://peer.example/inbox')).toBe(true);
    expect(await policy.allowsUrl('http://member-blocked.example/users/x')).toBe(false);
    expect(await policy.allowsUrl('http://stranger.example/users/x')).toBe(false);
  });
});

describe('hosts in a link handshake (allowlist mode, no peer entry)', () => {
  const handshakePolicy = (ownDomain: string) =>
    new PeerPolicy({ mode: 'allowlist', ownDomain, peers: { list: async () => [allow('peer.example')], onChange: () => {} } });

  it('reach private networks, never link-local (cloud metadata) or other special ranges', async () => {
    const policy = handshakePolicy('kith.example');
    await policy.allowForLinkRequest('dept.example');
    expect(await policy.decideAddress('dept.example', '10.0.0.5')).toBe('allow');
    expect(await policy.decideAddress('dept.example', '93.184.216.34')).toBe('allow');
    expect(await policy.decideAddress('dept.example', '169.254.169.254')).toBe('deny');
    expect(await policy.decideAddress('dept.example', '127.0.0.1')).toBe('deny');
    expect(await policy.decideAddress('dept.example', '::ffff:169.254.169.254')).toBe('deny');
    expect(await policy.decideAddress('dept.example', '0.0.0.0')).toBe('deny');
    // An explicit peer still connects anywhere in allowlist mode.
    expect(await policy.decideAddress('peer.example', '127.0.0.1')).toBe('allow');
    // No handshake, no connection at all.
    expect(await policy.decideAddress('other.example', '10.0.0.5')).toBe('deny');
  });

  it('reach loopback only when this instance is itself on loopback (a network on one machine)', async () => {
    const policy = handshakePolicy('127.0.0.1:3101');
    await policy.allowForLinkRequest('127.0.0.1:3102');
    expect(await policy.decideAddress('127.0.0.1:3102', '127.0.0.1')).toBe('allow');
    expect(await policy.decideAddress('127.0.0.1:3102', '169.254.169.254')).toBe('deny');
  });
});
