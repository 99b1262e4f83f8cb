/**
 * A PostgreSQL server named by a URL, postgres://user[:password]@host:port/database[?sslmode=…], as both
 * the warehouse sync (a source to read) and the delivery server (its database) take one. Browser-safe
 * (no driver): the renderer checks the warehouse form with it.
 *
 * A password inside the URL shows in process lists, shell history and reports. The warehouse sync refuses
 * it; the delivery server takes it with a warning, because deployments pass URLs in the environment.
 * Either way PGPASSWORD or a pgpass file is the way to give it (pg reads both when no password is set).
 */

/** libpq's sslmode values; without one, pg follows PGSSLMODE (default: no TLS). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface PostgresUrl {
  host: string;
  port: number;
  user: string;
  database: string;
  /** Only when the URL held one and the caller takes it. */
  password?: string;
  /** From `?sslmode=`; absent: PGSSLMODE decides. */
  sslmode?: SslMode;
  /** host:port/database: the server's identity, without user or password (safe to print and to key by). */
  key: string;
}

export interface PostgresUrlOptions {
  /** What the URL is called in errors: "source" or "database". */
  what: string;
  /** The error for a URL holding a password; null: take the password (the caller warns). */
  passwordRefusal: string | null;
}

/** Whether a text names a PostgreSQL server. */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text.trim());
}

/** The parts of a PostgreSQL URL, or the reason it is refused. */
export function parsePostgresUrl(text: string, options: PostgresUrlOptions): PostgresUrl | { error: string } {
  const what = options.what;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { error: `"${text}" is not a URL: write postgres://user@host:port/database.` };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return { error: `"${text}" is not a postgres:// URL: write postgres://user@host:port/database.` };
  }
  if (url.password !== '' && options.passwordRefusal !== null) return { error: options.passwordRefusal };
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname) return { error: `The ${what} URL names no host: write postgres://user@host:port/database.` };
  if (!url.username) return { error: `The ${what} URL names no user: write postgres://user@host:port/database.` };
  if (!database || database.includes('/')) return { error: `The ${what} URL names no database: write postgres://user@host:port/database.` };
  const params = [...url.searchParams.keys()];
  if (url.hash !== '' || params.some((p) => p !== 'sslmode') || params.length > 1) {
    return { error: `The ${what} URL takes one parameter at most, ?sslmode=: write postgres://user@host:port/database[?sslmode=require].` };
  }
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) return { error: `sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}.` };
  const port = url.port === '' ? 5432 : Number(url.port);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(url.username),
    database,
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(sslmode !== null ? { sslmode: sslmode as SslMode } : {}),
    key: `${url.hostname}:${port}/${database}`,
  };
}

/**
 * pg's TLS options for libpq's sslmode: `require` (and `prefer`, which pg cannot fall back from) encrypts
 * without checking the certificate, `verify-ca`/`verify-full` check it against the system's CAs. Without
 * one, pg itself follows PGSSLMODE.
 */
export function pgSslOptions(mode: SslMode | undefined): { ssl?: boolean | { rejectUnauthorized: boolean } } {
  if (mode === undefined) return {};
  if (mode === 'disable') return { ssl: false };
  return { ssl: { rejectUnauthorized: mode === 'verify-ca' || mode === 'verify-full' } };
}
