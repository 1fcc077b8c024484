import { describe, expect, it } from 'vitest';
import { countedLength, localMentionCandidates, remoteMentionCandidates, renderStatusText, type MentionTarget } from './status-text.ts';

const publicUrl = 'http://kith.test:3001';
const localDomain = 'kith.test:3001';
const targets = new Map<string, MentionTarget>([
  ['alice', { id: '1000000000000001', username: 'alice', url: `${publicUrl}/@alice` }],
  ['bob', { id: '1000000000000002', username: 'Bob', url: `${publicUrl}/@Bob` }],
]);
const render = (text: string) => renderStatusText(text, { publicUrl, localDomain, targets });

describe('renderStatusText', () => {
  it('escapes hostile markup so it can only come out as text', () => {
    const { html } = render('<script>alert(1)</script> "><img src=x onerror=alert(1)> & \'quotes\'');
    expect(html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39;</p>');
    expect(html).not.toMatch(/<(script|img)/);
  });

  it('renders mentions of local accounts the way Mastodon does, and leaves unknown ones as text', () => {
    const result = render(`hi @alice and @BOB@${localDomain}, not @nobody nor @alice@elsewhere.test or mail@alice.test`);
    expect(result.html).toBe(
      '<p>hi <span class="h-card" translate="no"><a href="http://kith.test:3001/@alice" class="u-url mention">@<span>alice</span></a></span>' +
        ' and <span class="h-card" translate="no"><a href="http://kith.test:3001/@Bob" class="u-url mention">@<span>Bob</span></a></span>,' +
        ' not @nobody nor @alice@elsewhere.test or mail@alice.test</p>',
    );
    expect(result.mentionIds).toEqual(['1000000000000001', '1000000000000002']);
  });

  it('renders hashtags, keeping the typed case and storing lower case once', () => {
    const result = render('Launch #Kith today! #kith #café_2 but not #123 or a#b');
    expect(result.html).toBe(
      '<p>Launch <a href="http://kith.test:3001/tags/kith" class="mention hashtag" rel="tag">#<span>Kith</span></a> today!' +
        ' <a href="http://kith.test:3001/tags/kith" class="mention hashtag" rel="tag">#<span>kith</span></a>' +
        ' <a href="http://kith.test:3001/tags/caf%C3%A9_2" class="mention hashtag" rel="tag">#<span>café_2</span></a> but not #123 or a#b</p>',
    );
    expect(result.tags).toEqual(['kith', 'café_2']);
  });

  it('links URLs, and a tag or mention inside a URL stays part of the link', () => {
    const result = render('see https://example.test/page#alice?x=1&y=@alice, then\n\nnew paragraph\nline');
    expect(result.html).toBe(
      '<p>see <a href="https://example.test/page#alice?x=1&amp;y=@alice" target="_blank" rel="nofollow noopener noreferrer">example.test/page#alice?x=1&amp;y=…</a>, then</p>' +
        '<p>new paragraph<br />line</p>',
    );
    expect(result.tags).toEqual([]);
    expect(result.mentionIds).toEqual([]);
  });
});

describe('remote mentions', () => {
  it('finds handles of other instances once each, and renders known ones as "@user" linking their profile', () => {
    expect(remoteMentionCandidates(`@Carol@HQ.test:3103 @carol@hq.test:3103 @alice @bob@${localDomain} @dan@eng.test`, localDomain)).toEqual([
      { username: 'Carol', domain: 'hq.test:3103' },
      { username: 'dan', domain: 'eng.test' },
    ]);
    const withRemote = new Map(targets).set('carol@hq.test:3103', { id: '2000000000000001', username: 'carol', url: 'http://hq.test:3103/@carol' });
    const result = renderStatusText('hi @Carol@HQ.test:3103 and @dan@eng.test', { publicUrl, localDomain, targets: withRemote });
    expect(result.html).toBe(
      '<p>hi <span class="h-card" translate="no"><a href="http://hq.test:3103/@carol" class="u-url mention">@<span>carol</span></a></span> and @dan@eng.test</p>',
    );
    expect(result.mentionIds).toEqual(['2000000000000001']);
  });
});

describe('localMentionCandidates', () => {
  it('finds handles without a domain or with this one, once each, in lower case', () => {
    expect(localMentionCandidates(`@Alice @alice @bob@${localDomain} @carol@other.test`, localDomain)).toEqual(['alice', 'bob']);
  });
});

describe('countedLength', () => {
  it('counts URLs as 23 characters, user-perceived characters as one, and the content warning too', () => {
    expect(countedLength(`look https://example.test/${'a'.repeat(200)}`)).toBe(5 + 23);
    expect(countedLength('👩‍👩‍👧‍👦é', 'cw')).toBe(4);
    expect(countedLength(`@alice@${localDomain} hi`)).toBe('@alice hi'.length);
  });

  it('counts a URL longer than 2048 characters at its full length', () => {
    const url = (length: number) => `https://example.test/${'a'.repeat(length - 21)}`;
    expect(countedLength(`look ${url(2048)}`)).toBe(5 + 23);
    expect(countedLength(`look ${url(2049)}`)).toBe(5 + 2049);
  });

  it('finds tags in any script, combining marks included, and never numbers alone', () => {
    expect(render('#Kith #हिन्दी #1 #café_2 a#b').tags).toEqual(['kith', 'हिन्दी', 'café_2']);
  });
});
