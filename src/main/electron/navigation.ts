/** Navigation rules for the app's windows: nothing navigates away, and only http(s) links leave, to the browser. */

export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** In-window navigation is allowed only within the app's own page (hash changes). */
export function isAllowedNavigation(url: string, isAppUrl: (url: string) => boolean): boolean {
  return isAppUrl(url);
}
