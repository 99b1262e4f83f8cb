/**
 * `guidepost delivery`: runs the delivery API server until Ctrl+C or SIGTERM. The one command outside
 * the contract: it serves its own database, not the desktop cache.
 */
import { fileURLToPath } from 'node:url';
import { startCheckpointer } from '../../delivery/checkpointer';
import { openDeliveryDb } from '../../delivery/db';
import { BYTES_PER_REQUEST, RECORDS_PER_REQUEST } from '../../delivery/pipeline/rate-limit';
import { DEFAULT_PROFILE_EVENTS_PER_NAME } from '../../delivery/profile-store';
import { createDeliveryServer, DEFAULT_MAX_CONNECTIONS, DEFAULT_RATE_LIMIT } from '../../delivery/server';
import { secretListOption, secretOption, type Command } from './command';

/** The built SDK the delivery server serves: out/sdk beside the built CLI's out/main, or from the source tree. */
function sdkFile(): string {
  return fileURLToPath(
    import.meta.url.endsWith('.ts') ? new URL('../../../out/sdk/guidepost.js', import.meta.url) : new URL('../sdk/guidepost.js', import.meta.url),
  );
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function integerFlag(value: string | boolean | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, not "${String(value)}".`);
  }
  return n;
}

export const deliveryCommand: Command = {
  summary: 'Run the delivery API server (messages for the in-app SDK, events for sync) until Ctrl+C or SIGTERM.',
  usage:
    'guidepost delivery --db <file> [--admin-token-file <file>] [--public-key-file <file>] [--port <port>] [--host <address>] ' +
    '[--allowed-origin <origin>...] [--rate-limit <requests per minute>] [--trust-proxy] [--proxy-hops <n>] [--max-connections <n>] ' +
    '[--profile-events-per-name <n>] [--retain-days <n>] [--identity-secret-file <file> (up to 2)] [--json]\n' +
    '  (or GUIDEPOST_DELIVERY_DB, GUIDEPOST_ADMIN_TOKEN, GUIDEPOST_PUBLIC_KEY, GUIDEPOST_ALLOWED_ORIGINS=<origin>,<origin>,\n' +
    '   GUIDEPOST_IDENTITY_SECRETS=<secret>[,<previous secret>]; --admin-token and --identity-secret still work but show the secret in ps)',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'admin-token': { type: 'string' },
    'admin-token-file': { type: 'string' },
    'public-key': { type: 'string' },
    'public-key-file': { type: 'string' },
    'allowed-origin': { type: 'string', multiple: true },
    'rate-limit': { type: 'string' },
    'trust-proxy': { type: 'boolean', default: false },
    'proxy-hops': { type: 'string' },
    'max-connections': { type: 'string' },
    'profile-events-per-name': { type: 'string' },
    'identity-secret': { type: 'string', multiple: true },
    'identity-secret-file': { type: 'string', multiple: true },
    'retain-days': { type: 'string' },
  },
  run: async (ctx) => {
    if (ctx.positionals.length > 0) throw new Error(`unexpected argument "${ctx.positionals[0]}".`);
    const values = ctx.values as Record<string, string | boolean | string[] | undefined>;
    const file = (values.db as string | undefined) ?? process.env.GUIDEPOST_DELIVERY_DB;
    if (!file) throw new Error('name the delivery database with --db <file> (or GUIDEPOST_DELIVERY_DB). It is not the desktop cache.');
    const adminToken = secretOption(ctx, { flag: 'admin-token', fileFlag: 'admin-token-file', envVar: 'GUIDEPOST_ADMIN_TOKEN' });
    const publicKey = secretOption(ctx, { flag: 'public-key', fileFlag: 'public-key-file', envVar: 'GUIDEPOST_PUBLIC_KEY', public: true });
    if (!adminToken) throw new Error('give the admin token in GUIDEPOST_ADMIN_TOKEN or a file named with --admin-token-file.');
    if (!publicKey) throw new Error('give the public key in GUIDEPOST_PUBLIC_KEY or a file named with --public-key-file.');
    const identitySecrets = secretListOption(ctx, { flag: 'identity-secret', fileFlag: 'identity-secret-file', envVar: 'GUIDEPOST_IDENTITY_SECRETS' });
    const flagged = values['allowed-origin'] as string[] | undefined;
    const allowedOrigins =
      flagged && flagged.length > 0
        ? flagged
        : (process.env.GUIDEPOST_ALLOWED_ORIGINS ?? '')
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== '');
    const port = integerFlag(values.port as string | undefined, '--port', 0, 65535, 8787);
    const rateLimit = integerFlag(values['rate-limit'] as string | undefined, '--rate-limit', 0, 10_000_000, DEFAULT_RATE_LIMIT);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const proxyHops = integerFlag(values['proxy-hops'] as string | undefined, '--proxy-hops', 0, 10, values['trust-proxy'] === true ? 1 : 0);
    const retainText = values['retain-days'] as string | undefined;
    const retainDays = retainText === undefined ? undefined : integerFlag(retainText, '--retain-days', 1, 36_500, 0);
    const maxConnections = integerFlag(values['max-connections'] as string | undefined, '--max-connections', 1, 1_000_000, DEFAULT_MAX_CONNECTIONS);
    const profileEventsPerName = integerFlag(
      values['profile-events-per-name'] as string | undefined,
      '--profile-events-per-name',
      1,
      1_000_000,
      DEFAULT_PROFILE_EVENTS_PER_NAME,
    );

    const { db, path } = openDeliveryDb(file);
    // WAL checkpoints in a thread of their own, not in whichever request's commit fills the WAL (checkpointer.ts).
    const checkpointer = startCheckpointer(db, path, { log: (line) => ctx.note(line) });
    let server: ReturnType<typeof createDeliveryServer>;
    let url: string;
    try {
      server = createDeliveryServer({
        db,
        adminToken,
        publicKey,
        allowedOrigins,
        rateLimit,
        sdkFile: sdkFile(),
        proxyHops,
        maxConnections,
        profileEventsPerName,
        identitySecrets,
        ...(retainDays === undefined ? {} : { retainDays }),
      });
      url = await server.listen(port, host);
    } catch (err) {
      await checkpointer.stop();
      db.close();
      throw err;
    }
    const verified = identitySecrets.length > 0;
    if (!verified) {
      ctx.note(
        'warning: identities are unverified: anyone with the public key can act as any userId (decide, identify, track, group). ' +
          'Set GUIDEPOST_IDENTITY_SECRETS or --identity-secret-file to require a backend-signed X-Guidepost-User-Hash (docs/DELIVERY.md, "Verified identity").',
      );
    }
    // Listening for the signals before the banner says how to stop: a signal sent on reading it is handled.
    const stopped = untilStopped();
    if (ctx.json) ctx.out(JSON.stringify({ url, db: path, allowedOrigins, rateLimit, identityVerification: verified, retainDays: retainDays ?? null }));
    else {
      ctx.out(
        [
          `Guidepost delivery server listening on ${url}`,
          `  database:        ${path}`,
          `  allowed origins: ${allowedOrigins.length > 0 ? allowedOrigins.join(', ') : 'none (browsers on other sites cannot call the client endpoints)'}`,
          `  rate limit:      ${
            rateLimit === 0
              ? 'off'
              : `${rateLimit} requests, ${rateLimit * RECORDS_PER_REQUEST} records and ${(rateLimit * BYTES_PER_REQUEST) / 1024 / 1024} MB per minute per key and network (IPv4 address or IPv6 /64)`
          }`,
          `  client address:  ${proxyHops === 0 ? 'the connection’s (no proxy trusted)' : `X-Forwarded-For, behind ${proxyHops} trusted ${proxyHops === 1 ? 'proxy' : 'proxies'}`}`,
          `  connections:     at most ${maxConnections}`,
          `  profiles:        the newest ${profileEventsPerName} events per user of each event name the live rules count`,
          `  identities:      ${
            verified
              ? `verified: client calls need X-Guidepost-User-Hash = HMAC-SHA256(secret, userId) (${identitySecrets.length} ${identitySecrets.length === 1 ? 'secret' : 'secrets, either accepted'})`
              : 'UNVERIFIED (no identity secret): any caller with the public key can act as any userId'
          }`,
          `  retention:       ${
            retainDays === undefined
              ? 'none: records are kept until a user is erased (--retain-days <n> prunes them)'
              : `records pruned ${retainDays} ${retainDays === 1 ? 'day' : 'days'} after they arrived (erase markers kept)`
          }`,
          '  Stop with Ctrl+C.',
        ].join('\n'),
      );
    }
    const signal = await stopped;
    await server.close();
    // The worker's connection first: the last one to close checkpoints the WAL and removes it.
    await checkpointer.stop();
    db.close();
    ctx.note(`Delivery server stopped (${signal}).`);
    return null;
  },
};
