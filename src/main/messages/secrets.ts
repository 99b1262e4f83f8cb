/**
 * Delivery tokens per environment. The cache never holds them: in browser mode and the CLI they live
 * in memory (or come from GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN); in the app the
 * Electron main process keeps them encrypted with safeStorage (src/main/electron/token-vault.ts) and
 * hands them to the database worker, which holds them in memory only.
 */
import type { Environment, EnvironmentSettings } from '../../shared/messages/model';

export type TokenSource = NonNullable<EnvironmentSettings['tokenSource']>;

/**
 * Each token is bound to the origin (scheme, host, port) it was entered for, so pointing the environment
 * at another server drops it rather than sending it there. A token read from an environment variable, or
 * from a vault file written before origins were kept, has no origin of its own: it is taken to belong to
 * the environment's URL at the time (see MessagesService.setEnvironment).
 */
export interface SecretStore {
  get(environment: Environment): string | null;
  set(environment: Environment, token: string, origin: string | null): void;
  source(environment: Environment): TokenSource | null;
  /** The origin the held token was entered for; null without a token or when unknown. */
  origin(environment: Environment): string | null;
  forget(environment: Environment): void;
}

export const TOKEN_ENV_VARS: Record<Environment, string> = {
  staging: 'GUIDEPOST_STAGING_TOKEN',
  production: 'GUIDEPOST_PRODUCTION_TOKEN',
};

export interface MemorySecretsOptions {
  /** Tokens known at start, and where they came from. */
  seed?: Partial<Record<Environment, string>>;
  seedSource?: TokenSource;
  /** The origin each seeded token was entered for, where known. */
  seedOrigins?: Partial<Record<Environment, string>>;
  /** Where a token set later lives (memory in browser mode; safe-storage when the main process saved it first). */
  setSource?: TokenSource;
  /** Environment variables to read tokens from when the seed has none (default: process.env; pass {} for none). */
  env?: Record<string, string | undefined>;
}

export function memorySecrets(options: MemorySecretsOptions = {}): SecretStore {
  const tokens = new Map<Environment, { token: string; source: TokenSource; origin: string | null }>();
  const env = options.env ?? process.env;
  for (const environment of Object.keys(TOKEN_ENV_VARS) as Environment[]) {
    const seeded = options.seed?.[environment];
    const fromEnv = env[TOKEN_ENV_VARS[environment]];
    if (seeded) tokens.set(environment, { token: seeded, source: options.seedSource ?? 'memory', origin: options.seedOrigins?.[environment] ?? null });
    else if (fromEnv) tokens.set(environment, { token: fromEnv, source: 'env', origin: null });
  }
  return {
    get: (environment) => tokens.get(environment)?.token ?? null,
    set: (environment, token, origin) => void tokens.set(environment, { token, source: options.setSource ?? 'memory', origin }),
    source: (environment) => tokens.get(environment)?.source ?? null,
    origin: (environment) => tokens.get(environment)?.origin ?? null,
    forget: (environment) => void tokens.delete(environment),
  };
}
