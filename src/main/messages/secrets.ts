/**
 * Delivery tokens per environment. The cache never holds them: in browser mode and the CLI they live
 * in memory (or come from GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN); in the app the
 * Electron main process keeps them encrypted with safeStorage (src/main/electron/token-vault.ts) and
 * hands them to the database worker, which holds them in memory only.
 */
import type { Environment, EnvironmentSettings } from '../../shared/messages/model';

export type TokenSource = NonNullable<EnvironmentSettings['tokenSource']>;

export interface SecretStore {
  get(environment: Environment): string | null;
  set(environment: Environment, token: string): void;
  source(environment: Environment): TokenSource | null;
}

export const TOKEN_ENV_VARS: Record<Environment, string> = {
  staging: 'GUIDEPOST_STAGING_TOKEN',
  production: 'GUIDEPOST_PRODUCTION_TOKEN',
};

export interface MemorySecretsOptions {
  /** Tokens known at start, and where they came from. */
  seed?: Partial<Record<Environment, string>>;
  seedSource?: TokenSource;
  /** Where a token set later lives (memory in browser mode; safe-storage when the main process saved it first). */
  setSource?: TokenSource;
  /** Environment variables to read tokens from when the seed has none (default: process.env; pass {} for none). */
  env?: Record<string, string | undefined>;
}

export function memorySecrets(options: MemorySecretsOptions = {}): SecretStore {
  const tokens = new Map<Environment, { token: string; source: TokenSource }>();
  const env = options.env ?? process.env;
  for (const environment of Object.keys(TOKEN_ENV_VARS) as Environment[]) {
    const seeded = options.seed?.[environment];
    const fromEnv = env[TOKEN_ENV_VARS[environment]];
    if (seeded) tokens.set(environment, { token: seeded, source: options.seedSource ?? 'memory' });
    else if (fromEnv) tokens.set(environment, { token: fromEnv, source: 'env' });
  }
  return {
    get: (environment) => tokens.get(environment)?.token ?? null,
    set: (environment, token) => void tokens.set(environment, { token, source: options.setSource ?? 'memory' }),
    source: (environment) => tokens.get(environment)?.source ?? null,
  };
}
