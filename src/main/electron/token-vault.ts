/**
 * Delivery tokens and PostgreSQL warehouse passwords in the app: encrypted with Electron's safeStorage (the OS keychain's key) in a file
 * under userData, written atomically with mode 0600. The main process decrypts them at start and
 * hands them to the database worker (memory only there); a token the window sets is encrypted and
 * saved here before the call goes on. Where safeStorage cannot encrypt, nothing is stored: plain
 * text is never written.
 *
 * The cipher is injected (main.ts passes safeStorage), so this module runs and is tested without Electron.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ApiError, type Envelope } from '../../shared/errors';
import { ENVIRONMENTS, type Environment } from '../../shared/messages/model';
import { parseWarehouseSource } from '../../shared/warehouse-source';

export interface TokenCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const FORMAT = 'guidepost-tokens';

interface VaultFile {
  format: typeof FORMAT;
  version: 1;
  /** base64 of the encrypted token, per environment. */
  tokens: Partial<Record<Environment, string>>;
  /** base64 of the encrypted password, per PostgreSQL warehouse (host:port/database). */
  warehouse: Record<string, string>;
}

export class TokenVault {
  constructor(
    private readonly file: string,
    private readonly cipher: TokenCipher,
  ) {}

  private read(): VaultFile {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return { format: FORMAT, version: 1, tokens: {}, warehouse: {} };
    }
    const tokens: Partial<Record<Environment, string>> = {};
    const warehouse: Record<string, string> = {};
    if (typeof parsed === 'object' && parsed !== null && (parsed as VaultFile).format === FORMAT) {
      const stored = (parsed as VaultFile).tokens;
      for (const env of ENVIRONMENTS) {
        const value = typeof stored === 'object' && stored !== null ? stored[env] : undefined;
        if (typeof value === 'string') tokens[env] = value;
      }
      const passwords: unknown = (parsed as VaultFile).warehouse;
      if (typeof passwords === 'object' && passwords !== null) {
        for (const [key, value] of Object.entries(passwords)) if (typeof value === 'string') warehouse[key] = value;
      }
    }
    return { format: FORMAT, version: 1, tokens, warehouse };
  }

  private decrypt(data: string): string | null {
    try {
      return this.cipher.decryptString(Buffer.from(data, 'base64'));
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

  private refuseWithoutEncryption(what: string, instead: string): void {
    if (!this.cipher.isEncryptionAvailable()) {
      throw new ApiError(
        'unavailable',
        `This system offers no secure storage for the ${what} (safeStorage is not available), so it was not saved. ` +
          `Unlock or set up the OS keychain, or give the ${what} with ${instead}.`,
      );
    }
  }

  /** The tokens it can decrypt; one it cannot (another machine's key, a damaged file) is left out. */
  load(): Partial<Record<Environment, string>> {
    const out: Partial<Record<Environment, string>> = {};
    if (!this.cipher.isEncryptionAvailable()) return out;
    for (const [env, data] of Object.entries(this.read().tokens) as [Environment, string][]) {
      // Unreadable (another machine's key, a damaged file): the user sets the token again.
      const token = this.decrypt(data);
      if (token !== null) out[env] = token;
    }
    return out;
  }

  /** The warehouse passwords it can decrypt, by warehouse (host:port/database). */
  loadWarehousePasswords(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!this.cipher.isEncryptionAvailable()) return out;
    for (const [key, data] of Object.entries(this.read().warehouse)) {
      const password = this.decrypt(data);
      if (password !== null) out[key] = password;
    }
    return out;
  }

  /** Encrypts and saves a warehouse's password; refuses (and writes nothing) without encryption. */
  saveWarehousePassword(warehouseKey: string, password: string): void {
    this.refuseWithoutEncryption('password', 'PGPASSWORD or a pgpass file and the command line (guidepost sync)');
    const file = this.read();
    file.warehouse[warehouseKey] = this.cipher.encryptString(password).toString('base64');
    this.write(file);
  }

  /** Encrypts and saves one environment's token; refuses (and writes nothing) without encryption. */
  save(environment: Environment, token: string): void {
    this.refuseWithoutEncryption('token', 'GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN');
    const file = this.read();
    file.tokens[environment] = this.cipher.encryptString(token).toString('base64');
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
      const { environment, token } = arg as { environment?: unknown; token?: unknown };
      if (typeof token === 'string' && (ENVIRONMENTS as readonly unknown[]).includes(environment)) {
        vault.save(environment as Environment, token);
      }
    }
    if (method === 'startWarehouseSync' && typeof arg === 'object' && arg !== null) {
      const { source, password } = arg as { source?: unknown; password?: unknown };
      // A source that does not parse is refused by the worker's own validation; nothing is saved for it.
      const parsed = typeof source === 'string' ? parseWarehouseSource(source) : null;
      if (typeof password === 'string' && password !== '' && parsed !== null && !('error' in parsed)) vault.saveWarehousePassword(parsed.key, password);
    }
    return call(method, arg);
  };
}
