/**
 * What of a page's address leaves the browser (issue 16, privacy). Query strings and fragments carry
 * secrets (reset tokens, OAuth access tokens, session ids), so the SDK sends a page's origin and path,
 * plus only the query parameters the site allow-lists, and a referrer cut down to its origin. The
 * delivery server's scrub of records stored before this rule and the companion's warning about page
 * patterns that can no longer match use the same functions. Runs in the browser (the SDK): keep it small.
 */

/**
 * The address without fragment, user name, password, or query parameters other than `keep` (in their
 * order, repeated ones kept). Text that is not a URL gives '' (nothing is better than a secret).
 */
export function trimPageUrl(href: string, keep: readonly string[] = []): string {
  try {
    const url = new URL(href);
    const kept = new URLSearchParams();
    url.searchParams.forEach((value, name) => {
      if (keep.includes(name)) kept.append(name, value);
    });
    url.search = String(kept);
    url.hash = '';
    url.username = url.password = '';
    return url.href;
  } catch {
    return '';
  }
}

/** The referrer's origin (https://example.com), or '' when there is none or it has no real origin. */
export function trimReferrer(href: string): string {
  try {
    const origin = new URL(href).origin;
    return origin === 'null' ? '' : origin;
  } catch {
    return '';
  }
}

/**
 * Why a page pattern can no longer match what the SDK sends, or null when it can. A fragment is never
 * sent; a query string only with the parameters the site lists in `urlParams`.
 */
export function pagePatternWarning(pattern: string): string | null {
  if (pattern.includes('#'))
    return 'This page pattern has a "#": the SDK never sends the part of a page address after "#", so the pattern will not match. Match on the path instead.';
  if (pattern.includes('?'))
    return 'This page pattern has a "?": the SDK sends no query string except the parameters the site lists in guidepost.init({urlParams}), so it matches nothing else. Match on the path instead.';
  return null;
}
