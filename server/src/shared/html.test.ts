import { describe, expect, it } from 'vitest';
import { escapeHtml, plainTextToHtml } from './html.ts';

describe('plainTextToHtml', () => {
  it('escapes every tag and quote', () => {
    expect(plainTextToHtml('<script>alert("x")</script> & \'y\'')).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>');
    expect(escapeHtml('"><img src=x onerror=alert(1)>')).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('makes paragraphs and line breaks', () => {
    expect(plainTextToHtml('one\ntwo\n\n\nthree\r\n')).toBe('<p>one<br />two</p><p>three</p>');
  });

  it('links URLs without trailing punctuation, and never javascript: URLs', () => {
    const html = plainTextToHtml('See https://example.com/a?b=1&c=2. Or javascript:alert(1)');
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="nofollow noopener noreferrer">example.com/a?b=1&amp;c=2</a>.');
    expect(html).not.toContain('href="javascript');
  });
});
