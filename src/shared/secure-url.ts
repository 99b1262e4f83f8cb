/**
 * Where a token may be sent: over https, or over plain http only to this machine (loopback), where no one
 * on the network can read it. The messages environments' URLs, the HTTP sync source and
 * `guidepost message publish --server` all carry a bearer token, so all of them follow this rule.
 */

/** localhost, 127.0.0.0/8 and [::1], as URL.hostname spells them (WHATWG URLs normalize 127.1 to 127.0.0.1). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why a token must not go to this URL, naming it; null when it may (https, or http on loopback). */
export function insecureTokenUrlReason(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${text} is not a URL.`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  if (url.protocol === 'http:') {
    return `${text} uses plain http to another machine, which would send the token readable to anyone on the network: use https (plain http is allowed only for localhost, 127.0.0.0/8 and [::1]).`;
  }
  return `${text} is not an https URL.`;
}

/** The origin a token entered for this URL belongs to (scheme, host and port), or null if it does not parse. */
export function originOf(text: string): string | null {
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
}
