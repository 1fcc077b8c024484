import { describe, expect, it } from 'vitest';
import { claimedSignatures, missingComponents, parseSignatureInput } from './signature-policy.ts';
import { foreignEmbeddedObject, hasForbiddenKey } from './inbound-guard.ts';

describe('signature policy', () => {
  it('reads what Fedify and Mastodon sign in the cavage form and accepts it', () => {
    const headers = new Headers({ signature: 'keyId="https://b.example/users/bob#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="AAAA"' });
    const [signature] = claimedSignatures(headers)!;
    expect(signature).toEqual({ spec: 'draft-cavage', keyId: 'https://b.example/users/bob#main-key', components: ['(request-target)', 'host', 'date', 'digest', 'content-type'], created: null });
    expect(missingComponents(signature!, 'POST')).toBeNull();
  });

  it('refuses cavage signatures without host, date or digest, and treats a missing headers list as date only', () => {
    const [partial] = claimedSignatures(new Headers({ signature: 'keyId="k",headers="(request-target) date digest",signature="A"' }))!;
    expect(missingComponents(partial!, 'POST')).toContain('host');
    expect(missingComponents(partial!, 'GET')).toContain('host');
    const [bare] = claimedSignatures(new Headers({ signature: 'keyId="k",signature="A"' }))!;
    expect(missingComponents(bare!, 'POST')).toBe('the signature does not cover (request-target), host, digest');
  });

  it('reads RFC 9421 Signature-Input as Fedify writes it, with several labels and component parameters', () => {
    const input = 'sig1=("@method" "@target-uri" "@authority" "host" "date" "content-digest");alg="rsa-v1_5-sha256";keyid="https://b.example/users/bob#main-key";created=1700000000, sig2=("@method" "@target-uri" "@authority" "content-digest";sf);keyid="k2";created=1700000001';
    const signatures = parseSignatureInput(input)!;
    expect(signatures.map((s) => [s.keyId, s.created])).toEqual([['https://b.example/users/bob#main-key', 1700000000], ['k2', 1700000001]]);
    expect(signatures[1]!.components).toEqual(['@method', '@target-uri', '@authority', 'content-digest']);
    for (const signature of signatures) expect(missingComponents(signature, 'POST')).toBeNull();
  });

  it('refuses RFC 9421 signatures without @authority, content-digest on a POST, or created', () => {
    const [noAuthority] = parseSignatureInput('sig1=("@method" "@target-uri" "content-digest");keyid="k";created=1')!;
    expect(missingComponents(noAuthority!, 'POST')).toContain('@authority');
    const [noDigest] = parseSignatureInput('sig1=("@method" "@target-uri" "@authority");keyid="k";created=1')!;
    expect(missingComponents(noDigest!, 'POST')).toContain('content-digest');
    expect(missingComponents(noDigest!, 'GET')).toBeNull();
    const [noCreated] = parseSignatureInput('sig1=("@method" "@target-uri" "@authority");keyid="k"')!;
    expect(missingComponents(noCreated!, 'GET')).toContain('created');
    expect(parseSignatureInput('garbage')).toBeNull();
    expect(parseSignatureInput('sig1=("@method");created=1')).toBeNull();
  });
});

describe('inbound guard helpers', () => {
  it('finds prototype keys at any depth, without recursion', () => {
    expect(hasForbiddenKey(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'))).toBe(true);
    expect(hasForbiddenKey(JSON.parse('{"constructor":1}'))).toBe(true);
    expect(hasForbiddenKey({ a: [{ b: { prototypes: 1 } }] })).toBe(false);
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(hasForbiddenKey(deep)).toBe(false);
  });

  it('refuses a Create/Update embedding an object of another origin or author', () => {
    const actor = 'https://b.example/users/bob';
    const note = (object: Record<string, unknown>) => ({ type: 'Create', actor, object: { type: 'Note', ...object } });
    expect(foreignEmbeddedObject(note({ id: `${actor}/statuses/1`, attributedTo: actor }), actor)).toBeNull();
    expect(foreignEmbeddedObject(note({ id: 'https://c.example/users/carol/statuses/1', attributedTo: actor }), actor)).toContain('origin');
    expect(foreignEmbeddedObject(note({ id: `${actor}/statuses/1`, attributedTo: { id: 'https://b.example/users/bea' } }), actor)).toContain('attributed');
    expect(foreignEmbeddedObject({ type: 'Update', actor, object: { id: actor, type: 'Person' } }, actor)).toBeNull();
    expect(foreignEmbeddedObject({ type: 'Announce', actor, object: { id: 'https://c.example/n/1' } }, actor)).toBeNull();
  });
});
