import { describe, expect, it } from 'vitest';
import { pagePatternWarning, trimPageUrl, trimReferrer } from '../../src/shared/page-url';

describe('trimPageUrl: what of a page address the SDK sends', () => {
  it('drops the query string and the fragment by default (the review found both secrets sent)', () => {
    expect(trimPageUrl('https://app.example.com/reset-password?token=s3cret#access_token=t0ken')).toBe('https://app.example.com/reset-password');
  });

  it('keeps only allow-listed query parameters, in order, repeated ones too', () => {
    const href = 'https://shop.example/landing?token=x&utm_source=news&ref=a&utm_source=mail&utm_medium=email#frag';
    expect(trimPageUrl(href, ['utm_source', 'utm_medium'])).toBe('https://shop.example/landing?utm_source=news&utm_source=mail&utm_medium=email');
    expect(trimPageUrl(href, ['absent'])).toBe('https://shop.example/landing');
  });

  it('drops a user name and password written into the address', () => {
    expect(trimPageUrl('https://ann:hunter2@app.example.com/x?y=1')).toBe('https://app.example.com/x');
  });

  it('keeps the port and the path as the browser normalizes them', () => {
    expect(trimPageUrl('http://localhost:5173/a/../b/c%20d?q#')).toBe('http://localhost:5173/b/c%20d');
    expect(trimPageUrl('https://app.example.com')).toBe('https://app.example.com/');
  });

  it('handles odd addresses: a bare "?" or "#", a "#" inside the query, about:blank, file:, and text that is no URL', () => {
    expect(trimPageUrl('https://a.example/p?#')).toBe('https://a.example/p');
    expect(trimPageUrl('https://a.example/p?next=/q#x&token=1', ['next'])).toBe('https://a.example/p?next=%2Fq');
    expect(trimPageUrl('about:blank')).toBe('about:blank');
    expect(trimPageUrl('file:///home/ann/page.html?token=1#t')).toBe('file:///home/ann/page.html');
    expect(trimPageUrl('not a url?token=1')).toBe('');
    expect(trimPageUrl('')).toBe('');
  });
});

describe('trimReferrer: the referrer as its origin only', () => {
  it('cuts path, query and fragment', () => {
    expect(trimReferrer('https://mail.example.com/inbox/42?token=x#y')).toBe('https://mail.example.com');
    expect(trimReferrer('http://localhost:8080/a')).toBe('http://localhost:8080');
  });

  it('gives nothing for no referrer, an opaque origin, or text that is no URL', () => {
    expect(trimReferrer('')).toBe('');
    expect(trimReferrer('about:blank')).toBe('');
    expect(trimReferrer('file:///home/ann/x.html')).toBe('');
    expect(trimReferrer('nonsense')).toBe('');
  });
});

describe('pagePatternWarning', () => {
  it('warns, with a sentence, about a pattern with "?" or "#" and says nothing about a path pattern', () => {
    expect(pagePatternWarning('https://app.example.com/billing?tab=plans')).toMatch(/"\?".*query string.*urlParams/);
    expect(pagePatternWarning('*#/settings')).toMatch(/"#".*never sends/);
    expect(pagePatternWarning('https://app.example.com/projects/*')).toBeNull();
    expect(pagePatternWarning('*')).toBeNull();
  });
});
