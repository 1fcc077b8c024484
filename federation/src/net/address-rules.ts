// Which IP addresses are special-purpose (loopback, private, link-local, shared, multicast, reserved…),
// in every spelling an address can reach a socket in: IPv4, IPv6, and IPv6 forms that embed an IPv4
// address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). Hostnames never reach these
// rules: the outbound guard resolves them first and judges each resolved address.
import { isIPv4, isIPv6 } from 'node:net';

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
type Bytes = Uint8Array;

interface Range {
  bytes: Bytes;
  prefix: number;
}

/** The IANA special-purpose IPv4 registry, plus multicast and the reserved 240/4. */
const IPV4_SPECIAL: readonly [string, string][] = [
  ['0.0.0.0/8', 'this network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

/** The IANA special-purpose IPv6 registry (the IPv4-embedding ranges are judged by their IPv4 address). */
const IPV6_SPECIAL: readonly [string, string][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
];

function ipv4Bytes(text: string): Bytes {
  return Uint8Array.from(text.split('.').map(Number));
}

function ipv6Bytes(text: string): Bytes {
  let s = text.split('%')[0]!.toLowerCase();
  // A trailing dotted quad (::ffff:127.0.0.1) becomes two hex groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** An IP address literal (IPv6 with or without brackets) as bytes; null for anything else, names included. */
export function parseAddress(text: string): Bytes | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return ipv4Bytes(bare);
  if (isIPv6(bare)) return ipv6Bytes(bare);
  return null;
}

function parseRange(cidr: string): Range | null {
  const slash = cidr.lastIndexOf('/');
  const bytes = parseAddress(slash === -1 ? cidr.trim() : cidr.slice(0, slash).trim());
  if (!bytes) return null;
  const prefix = slash === -1 ? bytes.length * 8 : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) return null;
  return { bytes, prefix };
}

function within(bytes: Bytes, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.prefix; bit += 8) {
    const take = Math.min(8, range.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (range.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

const V4_RANGES = IPV4_SPECIAL.map(([cidr, label]) => ({ range: parseRange(cidr)!, label }));
const V6_RANGES = IPV6_SPECIAL.map(([cidr, label]) => ({ range: parseRange(cidr)!, label }));
const MAPPED = parseRange('::ffff:0:0/96')!;
const NAT64 = parseRange('64:ff9b::/96')!;
const SIX_TO_FOUR = parseRange('2002::/16')!;

/** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), or null. */
export function embeddedIPv4(bytes: Bytes): Bytes | null {
  if (bytes.length !== 16) return null;
  if (within(bytes, MAPPED) || within(bytes, NAT64)) return bytes.slice(12, 16);
  if (within(bytes, SIX_TO_FOUR)) return bytes.slice(2, 6);
  return null;
}

function classify(bytes: Bytes): string | null {
  if (bytes.length === 4) return V4_RANGES.find(({ range }) => within(bytes, range))?.label ?? null;
  const v4 = embeddedIPv4(bytes);
  if (v4) return classify(v4);
  return V6_RANGES.find(({ range }) => within(bytes, range))?.label ?? null;
}

/**
 * Why an address must not be reached without an explicit peer entry ('loopback', 'private', …), or
 * null for an ordinary public address. Anything that does not parse as an address counts as special.
 */
export function specialPurpose(address: string): string | null {
  const bytes = parseAddress(address);
  if (!bytes) return 'not an IP address';
  return classify(bytes);
}

/** Whether `address` lies in `cidr` (an IPv4 CIDR also matches the IPv6 forms that embed it). False when either does not parse. */
export function inCidr(address: string, cidr: string): boolean {
  const bytes = parseAddress(address);
  const range = parseRange(cidr);
  if (!bytes || !range) return false;
  if (within(bytes, range)) return true;
  const v4 = embeddedIPv4(bytes);
  return v4 !== null && within(v4, range);
}

/** Whether a CIDR (or a single address) is well formed. */
export function isCidr(cidr: string): boolean {
  return parseRange(cidr) !== null;
}

/** The address a `host[:port]` is written as (`127.0.0.1:80`, `[::1]:80`), or null when the host is a name. */
export function literalAddressOf(host: string): string | null {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? null : parseAddress(host.slice(0, end + 1)) && host.slice(1, end);
  }
  const name = host.replace(/:\d+$/, '');
  return parseAddress(name) ? name : null;
}
