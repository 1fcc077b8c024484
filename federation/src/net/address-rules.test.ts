// The address rules of the outbound guard: every special-purpose range, in every spelling that reaches a socket.
import { describe, expect, it } from 'vitest';
import { embeddedIPv4, inCidr, literalAddressOf, parseAddress, specialPurpose } from './address-rules.ts';

describe('specialPurpose', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['0.0.0.0', 'this network'],
    ['0.1.2.3', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['localhost', 'not an IP address'],
    ['2130706433', 'not an IP address'],
  ])('%s is %s', (address, label) => {
    expect(specialPurpose(address)).toBe(label);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.253.255.255', '2606:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1'])('%s is public', (address) => {
    expect(specialPurpose(address)).toBeNull();
  });
});

describe('parsing', () => {
  it('decodes the mapped IPv4 address in both spellings', () => {
    expect(Array.from(embeddedIPv4(parseAddress('::ffff:7f00:1')!)!)).toEqual([127, 0, 0, 1]);
    expect(Array.from(embeddedIPv4(parseAddress('::FFFF:127.0.0.1')!)!)).toEqual([127, 0, 0, 1]);
  });

  it('reads the address a host[:port] is written as, and null for names', () => {
    expect(literalAddressOf('127.0.0.1:3101')).toBe('127.0.0.1');
    expect(literalAddressOf('[::ffff:7f00:1]:80')).toBe('::ffff:7f00:1');
    expect(literalAddressOf('[::1]')).toBe('::1');
    expect(literalAddressOf('127.0.0.1.attacker:3101')).toBeNull();
    expect(literalAddressOf('peer.example')).toBeNull();
  });
});

describe('inCidr', () => {
  it('matches IPv4, IPv6 and the IPv6 forms of an IPv4 range', () => {
    expect(inCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(inCidr('192.168.1.77', '192.168.1.64/26')).toBe(true);
    expect(inCidr('192.168.1.128', '192.168.1.64/26')).toBe(false);
    expect(inCidr('::ffff:10.9.9.9', '10.0.0.0/8')).toBe(true);
    expect(inCidr('fd00::5', 'fd00::/8')).toBe(true);
    expect(inCidr('fe80::5', 'fd00::/8')).toBe(false);
    expect(inCidr('127.0.0.1', '127.0.0.1')).toBe(true);
  });

  it('matches nothing for a malformed CIDR', () => {
    expect(inCidr('10.1.2.3', '10.0.0.0/33')).toBe(false);
    expect(inCidr('10.1.2.3', 'ten/8')).toBe(false);
    expect(inCidr('10.1.2.3', '')).toBe(false);
  });
});
