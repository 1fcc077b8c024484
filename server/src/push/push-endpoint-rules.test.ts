import { describe, expect, it } from 'vitest';
import { addressRefusal, endpointRefusal } from './push-endpoint-rules.ts';

const strict = { allowInsecureLoopback: false };
const tests = { allowInsecureLoopback: true };

describe('push endpoint rules', () => {
  it('accepts https endpoints on names and public addresses', () => {
    expect(endpointRefusal('https://push.example.com/wpush/v2/abc', strict)).toBeNull();
    expect(endpointRefusal('https://93.184.216.34/x', strict)).toBeNull();
  });

  it('refuses loopback and http unless the test flag is set, and then only on loopback', () => {
    expect(endpointRefusal('http://127.0.0.1:9000/x', strict)).toMatch(/https/);
    expect(endpointRefusal('https://127.0.0.1:9000/x', strict)).toMatch(/loopback/);
    expect(endpointRefusal('https://[::1]/x', strict)).toMatch(/loopback/);
    expect(endpointRefusal('https://localhost/x', strict)).toMatch(/local/);
    expect(endpointRefusal('https://push.localhost/x', strict)).toMatch(/local/);
    // Decimal spelling of 127.0.0.1: the URL parser normalizes it, the rule sees the address.
    expect(endpointRefusal('https://2130706433/x', strict)).toMatch(/loopback/);

    expect(endpointRefusal('http://127.0.0.1:9000/x', tests)).toBeNull();
    expect(endpointRefusal('http://push.example.com/x', tests)).toMatch(/https/);
    expect(endpointRefusal('http://10.1.2.3/x', tests)).toMatch(/https/);
    expect(endpointRefusal('https://10.1.2.3/x', tests)).toMatch(/private/);
  });

  it('judges resolved addresses the same way', () => {
    expect(addressRefusal('8.8.8.8', strict)).toBeNull();
    expect(addressRefusal('127.0.0.1', strict)).toMatch(/loopback/);
    expect(addressRefusal('127.0.0.1', tests)).toBeNull();
    expect(addressRefusal('192.168.0.10', tests)).toMatch(/private/);
    expect(addressRefusal('fd00::1', tests)).toMatch(/unique-local/);
    expect(addressRefusal('::ffff:10.0.0.1', tests)).toMatch(/private/);
  });
});
