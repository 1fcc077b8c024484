import { describe, expect, it } from 'vitest';
import { remoteText, sanitizeRemoteHtml } from './sanitize-in.ts';

describe('sanitizeRemoteHtml', () => {
  it('keeps Mastodon markup: paragraphs, mention and hashtag links, lists, quotes, code', () => {
    const html =
      '<p>Hi <span class="h-card"><a href="https://b.example/users/bob" class="u-url mention">@<span>bob</span></a></span> ' +
      '<a href="https://b.example/tags/kith" class="mention hashtag" rel="tag">#<span>kith</span></a></p>' +
      '<ul><li>one</li></ul><blockquote cite="https://b.example/x">q</blockquote><pre><code>x &lt; y</code></pre>';
    expect(sanitizeRemoteHtml(html)).toBe(
      '<p>Hi <span class="h-card"><a href="https://b.example/users/bob" class="u-url mention" rel="nofollow noopener" target="_blank">@<span>bob</span></a></span> ' +
        '<a href="https://b.example/tags/kith" class="mention hashtag" rel="nofollow noopener" target="_blank">#<span>kith</span></a></p>' +
        '<ul><li>one</li></ul><blockquote cite="https://b.example/x">q</blockquote><pre><code>x &lt; y</code></pre>',
    );
  });

  it('drops script and style elements with their content', () => {
    expect(sanitizeRemoteHtml('<p>a<script>alert(1)</script>b</p><style>p{display:none}</style>')).toBe('<p>ab</p>');
  });

  it('drops event handler and style attributes', () => {
    expect(sanitizeRemoteHtml('<p onclick="x()" style="color:red">a<img src="x" onerror="alert(1)"></p>')).toBe('<p>a</p>');
    expect(sanitizeRemoteHtml('<span onmouseover="x()" class="evil invisible">a</span>')).toBe('<span class="invisible">a</span>');
  });

  it('makes javascript:, data: and relative links inert', () => {
    const out = sanitizeRemoteHtml(
      '<a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(1)">b</a><a href="data:text/html,x">c</a><a href="/admin">d</a><a href="//evil.example/">e</a>',
    );
    expect(out).not.toMatch(/href/);
    expect(out).toBe(
      '<a rel="nofollow noopener" target="_blank">a</a><a rel="nofollow noopener" target="_blank">b</a>' +
        '<a rel="nofollow noopener" target="_blank">c</a><a rel="nofollow noopener" target="_blank">d</a><a rel="nofollow noopener" target="_blank">e</a>',
    );
  });

  it('drops iframes, objects, embeds, forms and svg', () => {
    const out = sanitizeRemoteHtml(
      '<p>x</p><iframe src="https://evil.example/"></iframe><object data="x">o</object><embed src="x"><form action="x"><input name="a"></form><svg><script>1</script></svg>',
    );
    expect(out).toBe('<p>x</p>');
  });

  it('rewrites rel and target instead of trusting them', () => {
    expect(sanitizeRemoteHtml('<a href="https://a.example/" rel="opener" target="_self">x</a>')).toBe(
      '<a href="https://a.example/" rel="nofollow noopener" target="_blank">x</a>',
    );
  });

  it('turns headings into paragraphs and unknown elements into their text', () => {
    expect(sanitizeRemoteHtml('<h1>Title</h1><div><marquee>t</marquee></div>')).toBe('<p>Title</p>t');
  });
});

describe('remoteText', () => {
  it('strips markup, decodes entities and caps the length', () => {
    expect(remoteText('<b>CW</b> &amp; <script>x</script>spoilers\u0007', 100)).toBe('CW & spoilers');
    expect(remoteText('abcdef', 3)).toBe('abc');
  });
});
