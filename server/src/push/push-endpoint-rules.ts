// Push endpoints are URLs any client may give, and the instance POSTs to them: without rules they would
// let a client make the server call into its own network (SSRF). An endpoint must be https on a public
// address. Tests run their push service on loopback over http, which the instance allows only when
// PUSH_ALLOW_INSECURE_ENDPOINTS is set, and even then only for loopback addresses.
import { specialPurpose, literalAddressOf } from '@kith/federation';

export interface EndpointRules {
  /** PUSH_ALLOW_INSECURE_ENDPOINTS: http and loopback endpoints are accepted (tests only). */
  allowInsecureLoopback: boolean;
}

const MAX_ENDPOINT_LENGTH = 2048;

/** Why an address may not be connected to, or null when it may. */
export function addressRefusal(address: string, rules: EndpointRules): string | null {
  const special = specialPurpose(address);
  if (special === null) return null;
  if (special === 'loopback' && rules.allowInsecureLoopback) return null;
  return `${address} is a ${special} address`;
}

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Why an endpoint URL is not acceptable, or null when it is. Names are judged again, by the addresses
 * they resolve to, when a message is sent (push-transport.ts).
 */
export function endpointRefusal(endpoint: string, rules: EndpointRules): string | null {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint is not a URL';
  }
  if (url.username || url.password) return 'endpoint must not carry credentials';
  const literal = literalAddressOf(url.host);
  const loopbackEndpoint = literal !== null ? specialPurpose(literal) === 'loopback' : isLoopbackName(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rules.allowInsecureLoopback && loopbackEndpoint)) {
    return 'endpoint must be an https URL';
  }
  if (literal !== null) return addressRefusal(literal, rules);
  if (isLoopbackName(url.hostname) && !rules.allowInsecureLoopback) return 'endpoint must not be a local address';
  return null;
}
