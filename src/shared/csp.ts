/**
 * The renderer's Content-Security-Policy, one string for Electron (header and meta) and the
 * browser-mode bridge. Scripts only from our own files; nothing inline, nothing remote.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
