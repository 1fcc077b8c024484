// The only reader of process.env. Validates at boot and fails with a message naming the variable.
import { isIP } from 'node:net';

export type RegistrationMode = 'closed' | 'invite' | 'open';
/** allowlist: only peers (federation_peers entries in state allow) federate; open: anyone not blocked. */
export type FederationMode = 'allowlist' | 'open';
/** How a department link makes its peer: `auto` adds the host to the allowlist, `admin` waits for an admin. */
export type LinkPeering = 'auto' | 'admin';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** The host (with port) other instances and WebFinger use for this instance, from publicUrl. */
  domain: string;
  instanceName: string;
  mongodbUrl: string;
  /** One database per instance, so several instances can share one MongoDB server. */
  mongodbDatabase: string;
  redisUrl: string;
  /** One key prefix per instance, so several instances can share one Redis server. */
  redisPrefix: string;
  logLevel: LogLevel;
  /** REGISTRATION_MODE: the default; an admin's choice overrides it (services.registrationMode has the mode in force). */
  registrationMode: RegistrationMode;
  /** Whether the server processes background jobs itself (off for API-only processes). */
  runJobs: boolean;
  /** Writes (POST, PUT, PATCH, DELETE) one account (or app token, or address) may make per 5 minutes. */
  writeRateLimit: number;
  /** Reads (GET, HEAD) one account (or app token, or address) may make per 5 minutes. */
  readRateLimit: number;
  /** Sign-in, token and sign-up requests one address may make per 5 minutes. */
  authRateLimit: number;
  /** Which proxies' X-Forwarded-For to believe (Fastify's trustProxy): none, a hop count, or addresses/CIDRs. */
  trustProxy: TrustProxy;
  /** The instance's public contact address (Mastodon's instance email); empty for none. */
  contactEmail: string;
  /** Who this instance federates with: allowlisted peers only (the default), or anyone not blocked. */
  federationMode: FederationMode;
  /** LINK_PEERING: whether a department link adds its peer itself or waits for an admin (docs/connectors-design.md §2). */
  linkPeering: LinkPeering;
  /** Largest image upload, in megabytes. */
  mediaMaxImageMb: number;
  /** Largest upload of an office file or text, in megabytes. */
  mediaMaxFileMb: number;
  /**
   * The built web app (adapter-node's output folder, holding handler.js) served for every path the API does
   * not own; null (WEB_APP_DIR unset) serves the plain landing page, as server tests expect.
   */
  webAppDir: string | null;
  /** Tests only: Web Push endpoints may be http, on loopback addresses (never private ones). */
  pushAllowInsecureEndpoints: boolean;
  /** METRICS_TOKEN: the bearer token Prometheus scrapes GET /metrics with; null (unset) leaves /metrics absent. */
  metricsToken: string | null;
  /** USAGE_RECORDING: whether authenticated actions are recorded as usage events (adoption analytics). */
  usageRecording: boolean;
  /** USAGE_RETENTION_DAYS: how long raw usage events are kept (7-3650) until an admin sets another period. */
  usageRetentionDays: number;
}

export type TrustProxy = false | number | string[];

export class ConfigError extends Error {}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const REGISTRATION_MODES: readonly RegistrationMode[] = ['closed', 'invite', 'open'];
const FEDERATION_MODES: FederationMode[] = ['allowlist', 'open'];
const LINK_PEERINGS: LinkPeering[] = ['auto', 'admin'];

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function port(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number 0-65535 (got "${value}")`);
  return n;
}

function positiveInteger(name: string, value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new ConfigError(`${name} must be a positive whole number (got "${value}")`);
  return Number(value);
}

// proxy-addr's names for address ranges, accepted besides addresses and CIDRs.
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function integerBetween(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value) || n < min || n > max) throw new ConfigError(`${name} must be a whole number ${min}-${max} (got "${value}")`);
  return n;
}

function trustProxy(name: string, value: string): TrustProxy {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 100) throw new ConfigError(`${name} must be a hop count 1-100, or addresses (got "${value}")`);
    return hops;
  }
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!PROXY_RANGE_NAMES.includes(entry) && !isAddressOrCidr(entry)) {
      throw new ConfigError(`${name} must be false, a hop count, or a comma-separated list of addresses or CIDRs (got "${entry}")`);
    }
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

function email(name: string, value: string): string {
  const text = value.trim();
  if (text !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) throw new ConfigError(`${name} must be an email address (got "${value}")`);
  return text;
}

function url(name: string, value: string, protocols: string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL (got "${value}")`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got "${value}")`);
  }
  return parsed;
}

/** An optional secret: null when unset or empty; else 16-256 printable characters. The message never echoes it. */
function secretToken(name: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!/^[\x21-\x7e]{16,256}$/.test(value)) {
    throw new ConfigError(`${name} must be 16-256 printable characters without spaces (got ${value.length} characters)`);
  }
  return value;
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const portNumber = port('PORT', env.PORT ?? '3000');
  const host = env.HOST ?? '127.0.0.1';
  const publicUrl = url('PUBLIC_URL', env.PUBLIC_URL ?? `http://127.0.0.1:${portNumber}`, ['http:', 'https:']);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError(`PUBLIC_URL must be an origin without a path (got "${env.PUBLIC_URL}")`);
  }
  const instanceName = env.INSTANCE_NAME ?? 'kith';
  if (!/^[a-z0-9][a-z0-9_-]{0,29}$/i.test(instanceName)) {
    throw new ConfigError(`INSTANCE_NAME must be 1-30 letters, digits, "-" or "_" (got "${instanceName}")`);
  }
  if (!env.MONGODB_URL) throw new ConfigError('MONGODB_URL is not set (npm start sets it for the zero-config stand-in)');
  url('MONGODB_URL', env.MONGODB_URL, ['mongodb:', 'mongodb+srv:']);
  if (!env.REDIS_URL) throw new ConfigError('REDIS_URL is not set (npm start sets it for the zero-config Redis)');
  url('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']);
  const slug = instanceName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return {
    port: portNumber,
    host,
    publicUrl: publicUrl.origin,
    domain: publicUrl.host,
    instanceName,
    mongodbUrl: env.MONGODB_URL,
    mongodbDatabase: env.MONGODB_DATABASE ?? `kith_${slug}`,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX ?? `kith:${slug}:`,
    logLevel: oneOf('LOG_LEVEL', env.LOG_LEVEL ?? 'info', LOG_LEVELS),
    registrationMode: oneOf('REGISTRATION_MODE', env.REGISTRATION_MODE ?? 'invite', REGISTRATION_MODES),
    runJobs: (env.RUN_JOBS ?? 'true') !== 'false',
    writeRateLimit: positiveInteger('WRITE_RATE_LIMIT', env.WRITE_RATE_LIMIT ?? '300'),
    readRateLimit: positiveInteger('READ_RATE_LIMIT', env.READ_RATE_LIMIT ?? '3000'),
    authRateLimit: positiveInteger('AUTH_RATE_LIMIT', env.AUTH_RATE_LIMIT ?? '30'),
    trustProxy: trustProxy('TRUST_PROXY', env.TRUST_PROXY ?? ''),
    contactEmail: email('CONTACT_EMAIL', env.CONTACT_EMAIL ?? ''),
    federationMode: oneOf('FEDERATION_MODE', env.FEDERATION_MODE ?? 'allowlist', FEDERATION_MODES),
    linkPeering: oneOf('LINK_PEERING', env.LINK_PEERING ?? 'auto', LINK_PEERINGS),
    mediaMaxImageMb: positiveInteger('MEDIA_MAX_IMAGE_MB', env.MEDIA_MAX_IMAGE_MB ?? '16'),
    mediaMaxFileMb: positiveInteger('MEDIA_MAX_FILE_MB', env.MEDIA_MAX_FILE_MB ?? '40'),
    webAppDir: env.WEB_APP_DIR?.trim() || null,
    pushAllowInsecureEndpoints: oneOf('PUSH_ALLOW_INSECURE_ENDPOINTS', env.PUSH_ALLOW_INSECURE_ENDPOINTS ?? 'false', ['true', 'false']) === 'true',
    usageRecording: oneOf('USAGE_RECORDING', env.USAGE_RECORDING ?? 'true', ['true', 'false']) === 'true',
    usageRetentionDays: integerBetween('USAGE_RETENTION_DAYS', env.USAGE_RETENTION_DAYS ?? '180', 7, 3650),
    metricsToken: secretToken('METRICS_TOKEN', env.METRICS_TOKEN),
  };
}
