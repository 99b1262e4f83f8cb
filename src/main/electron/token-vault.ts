/**
 * Delivery tokens and PostgreSQL warehouse passwords in the app: encrypted with Electron's safeStorage (the OS keychain's key) in a file
 * under userData, written atomically with mode 0600. The main process decrypts them at start and
 * hands them to the database worker (memory only there); a token the window sets is encrypted and
 * saved here before the call goes on, with the origin it was entered for. Where safeStorage cannot
 * encrypt, nothing is stored: plain text is never written. Nor is anything stored on Linux's basic_text
 * backend (a key hard-coded in Chromium, so the file would be as good as plain text): tokens are then
 * held in memory for this run only, and the app says so.
 *
 * The cipher is injected (main.ts passes safeStorage), so this module runs and is tested without Electron.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ApiError, type Envelope } from '../../shared/errors';
import { ENVIRONMENTS, type Environment } from '../../shared/messages/model';
import { insecureTokenUrlReason, originOf } from '../../shared/secure-url';
import { parseWarehouseSource } from '../../shared/warehouse-source';

/**
 * What the vault needs of Electron's safeStorage, asynchronous as its current API is (main.ts adapts the
 * deprecated synchronous one where the async one is missing).
 */
export interface TokenCipher {
  isEncryptionAvailable(): Promise<boolean>;
  /**
   * On Linux, the key store safeStorage picked (getSelectedStorageBackend); null elsewhere. `basic_text`
   * means no keyring was found and the "encryption" uses a key hard-coded in Chromium: anyone who can read
   * the file can decrypt it, though safeStorage still reports encryption as available.
   */
  storageBackend(): string | null;
  encryptString(plain: string): Promise<Buffer>;
  decryptString(encrypted: Buffer): Promise<string>;
}

/**
 * encrypted: tokens are saved encrypted with the OS keychain's key.
 * memory-only: Linux's basic_text backend (a hard-coded key): nothing is saved, tokens live for this run only.
 * unavailable: no encryption at all; saving a token is refused with a message saying how to give it instead.
 */
export type VaultProtection = 'encrypted' | 'memory-only' | 'unavailable';

const FORMAT = 'guidepost-tokens';

interface StoredToken {
  /** base64 of the encrypted token. */
  data: string;
  /** The origin the token was entered for; null for a token saved before origins were kept. */
  origin: string | null;
}

interface VaultFile {
  format: typeof FORMAT;
  version: 2;
  /** Per environment. Version 1 files held the base64 string alone: read as a token of unknown origin. */
  tokens: Partial<Record<Environment, StoredToken>>;
  /** base64 of the encrypted password, per PostgreSQL warehouse (host:port/database). */
  warehouse: Record<string, string>;
}

/** The tokens the vault could decrypt, and the origin each was entered for (where known). */
export interface LoadedTokens {
  tokens: Partial<Record<Environment, string>>;
  origins: Partial<Record<Environment, string>>;
}

export class TokenVault {
  private protectionOnce: Promise<VaultProtection> | null = null;

  constructor(
    private readonly file: string,
    private readonly cipher: TokenCipher,
  ) {}

  /** How tokens are kept on this system; asked once (safeStorage's async encryptor initializes lazily). */
  protection(): Promise<VaultProtection> {
    this.protectionOnce ??= (async () => {
      if (this.cipher.storageBackend() === 'basic_text') return 'memory-only';
      return (await this.cipher.isEncryptionAvailable()) ? 'encrypted' : 'unavailable';
    })();
    return this.protectionOnce;
  }

  private read(): VaultFile {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return { format: FORMAT, version: 2, tokens: {}, warehouse: {} };
    }
    const tokens: Partial<Record<Environment, StoredToken>> = {};
    const warehouse: Record<string, string> = {};
    if (typeof parsed === 'object' && parsed !== null && (parsed as VaultFile).format === FORMAT) {
      const stored: unknown = (parsed as VaultFile).tokens;
      for (const env of ENVIRONMENTS) {
        const value: unknown = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>)[env] : undefined;
        if (typeof value === 'string') tokens[env] = { data: value, origin: null };
        else if (typeof value === 'object' && value !== null && typeof (value as StoredToken).data === 'string') {
          const origin = (value as StoredToken).origin;
          tokens[env] = { data: (value as StoredToken).data, origin: typeof origin === 'string' ? origin : null };
        }
      }
      const passwords: unknown = (parsed as VaultFile).warehouse;
      if (typeof passwords === 'object' && passwords !== null) {
        for (const [key, value] of Object.entries(passwords)) if (typeof value === 'string') warehouse[key] = value;
      }
    }
    return { format: FORMAT, version: 2, tokens, warehouse };
  }

  private async decrypt(data: string): Promise<string | null> {
    try {
      return await this.cipher.decryptString(Buffer.from(data, 'base64'));
    } catch {
      return null;
    }
  }

  private write(file: VaultFile): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(file)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  /** Whether to write: true when encrypted; false (memory only) on basic_text; throws without encryption. */
  private async mayStore(what: string, instead: string): Promise<boolean> {
    const protection = await this.protection();
    if (protection === 'unavailable') {
      throw new ApiError(
        'unavailable',
        `This system offers no secure storage for the ${what} (safeStorage is not available), so it was not saved. ` +
          `Unlock or set up the OS keychain, or give the ${what} with ${instead}.`,
      );
    }
    return protection === 'encrypted';
  }

  /** The tokens it can decrypt; one it cannot (another machine's key, a damaged file) is left out. Nothing unless encrypted. */
  async load(): Promise<LoadedTokens> {
    const out: LoadedTokens = { tokens: {}, origins: {} };
    if ((await this.protection()) !== 'encrypted') return out;
    for (const [env, stored] of Object.entries(this.read().tokens) as [Environment, StoredToken][]) {
      // Unreadable (another machine's key, a damaged file): the user sets the token again.
      const token = await this.decrypt(stored.data);
      if (token === null) continue;
      out.tokens[env] = token;
      if (stored.origin !== null) out.origins[env] = stored.origin;
    }
    return out;
  }

  /** The warehouse passwords it can decrypt, by warehouse (host:port/database). */
  async loadWarehousePasswords(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if ((await this.protection()) !== 'encrypted') return out;
    for (const [key, data] of Object.entries(this.read().warehouse)) {
      const password = await this.decrypt(data);
      if (password !== null) out[key] = password;
    }
    return out;
  }

  /** Encrypts and saves a warehouse's password; refuses (and writes nothing) without encryption, keeps nothing on basic_text. */
  async saveWarehousePassword(warehouseKey: string, password: string): Promise<void> {
    if (!(await this.mayStore('password', 'PGPASSWORD or a pgpass file and the command line (guidepost sync)'))) return;
    const encrypted = await this.cipher.encryptString(password);
    const file = this.read();
    file.warehouse[warehouseKey] = encrypted.toString('base64');
    this.write(file);
  }

  /**
   * Encrypts and saves one environment's token with the origin it was entered for; refuses (and writes
   * nothing) without encryption; on basic_text writes nothing and the worker holds it for this run only.
   */
  async save(environment: Environment, token: string, origin: string | null): Promise<void> {
    if (!(await this.mayStore('token', 'GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN'))) return;
    const encrypted = await this.cipher.encryptString(token);
    const file = this.read();
    file.tokens[environment] = { data: encrypted.toString('base64'), origin };
    this.write(file);
  }

  /** Drops an environment's saved token when its URL moved to another origin (or was cleared). */
  forgetUnlessOrigin(environment: Environment, origin: string | null): void {
    const file = this.read();
    const stored = file.tokens[environment];
    if (stored === undefined || (stored.origin !== null && stored.origin === origin)) return;
    // A token of unknown origin (an older file) is dropped too: the worker drops it on the same change.
    delete file.tokens[environment];
    this.write(file);
  }
}

/**
 * Wraps the worker call of bindIpc: a setEnvironment carrying a token, or a startWarehouseSync carrying
 * a password, is saved in the vault first, then forwarded (the worker keeps it in memory). If saving
 * fails, the call fails and nothing changes.
 */
export function withTokenVault(
  vault: TokenVault,
  call: (method: string, arg: unknown) => Promise<Envelope<unknown>>,
): (method: string, arg: unknown) => Promise<Envelope<unknown>> {
  return async (method, arg) => {
    if (method === 'setEnvironment' && typeof arg === 'object' && arg !== null) {
      const { environment, url, token } = arg as { environment?: unknown; url?: unknown; token?: unknown };
      // A URL the worker refuses (not https, not loopback) changes nothing: its validation answers.
      const acceptable = url === null || (typeof url === 'string' && insecureTokenUrlReason(url) === null);
      if ((ENVIRONMENTS as readonly unknown[]).includes(environment) && acceptable) {
        const origin = typeof url === 'string' ? originOf(url) : null;
        if (typeof token === 'string') await vault.save(environment as Environment, token, origin);
        else vault.forgetUnlessOrigin(environment as Environment, origin);
      }
    }
    if (method === 'startWarehouseSync' && typeof arg === 'object' && arg !== null) {
      const { source, password } = arg as { source?: unknown; password?: unknown };
      // A source that does not parse is refused by the worker's own validation; nothing is saved for it.
      const parsed = typeof source === 'string' ? parseWarehouseSource(source) : null;
      if (typeof password === 'string' && password !== '' && parsed !== null && !('error' in parsed)) await vault.saveWarehousePassword(parsed.key, password);
    }
    return call(method, arg);
  };
}
