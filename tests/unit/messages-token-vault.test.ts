import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenVault, withTokenVault } from '../../src/main/electron/token-vault';
import { memorySecrets } from '../../src/main/messages/secrets';
import type { Envelope } from '../../src/shared/errors';
import { apiErrorOf, testCipher, useTempDir } from './helpers';

const tempDir = useTempDir();

describe('the token vault', () => {
  it('stores tokens encrypted in a 0600 file, each with its origin, and reads them back', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const vault = new TokenVault(file, testCipher());
    expect(await vault.load()).toEqual({ tokens: {}, origins: {} });
    await vault.save('staging', 'stage-secret-123', 'https://staging.example');
    await vault.save('production', 'prod-secret-456', null);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/secret/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await new TokenVault(file, testCipher()).load()).toEqual({
      tokens: { staging: 'stage-secret-123', production: 'prod-secret-456' },
      origins: { staging: 'https://staging.example' },
    });
  });

  it('refuses to store without encryption and writes nothing', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const vault = new TokenVault(file, testCipher(false));
    const err = await apiErrorOf(vault.save('staging', 'secret', null));
    expect(err.message).toMatch(/no secure storage/);
    expect(() => statSync(file)).toThrow();
  });

  it('a damaged or foreign file loads as no tokens; a version 1 file loads its tokens without an origin', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const none = { tokens: {}, origins: {} };
    writeFileSync(file, '{"format":"guidepost-tokens","version":1,"tokens":{"staging":"bm90IG91cnM="}}');
    expect(await new TokenVault(file, testCipher()).load()).toEqual(none);
    writeFileSync(file, 'garbage');
    expect(await new TokenVault(file, testCipher()).load()).toEqual(none);
    const v1 = (await testCipher().encryptString('old-token')).toString('base64');
    writeFileSync(file, JSON.stringify({ format: 'guidepost-tokens', version: 1, tokens: { staging: v1 }, warehouse: {} }));
    expect(await new TokenVault(file, testCipher()).load()).toEqual({ tokens: { staging: 'old-token' }, origins: {} });
  });

  it('setEnvironment with a token is saved before it is forwarded; without encryption the call fails', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const forwarded: unknown[] = [];
    const call = async (method: string, arg: unknown): Promise<Envelope<unknown>> => {
      forwarded.push([method, arg]);
      return { ok: true, value: null };
    };
    const wrapped = withTokenVault(new TokenVault(file, testCipher()), call);
    await wrapped('setEnvironment', { environment: 'staging', url: 'https://d.example', token: 'tok-1' });
    await wrapped('getEnvironments', {});
    expect(forwarded).toHaveLength(2);
    expect(await new TokenVault(file, testCipher()).load()).toEqual({ tokens: { staging: 'tok-1' }, origins: { staging: 'https://d.example' } });

    const refusing = withTokenVault(new TokenVault(join(tempDir(), 'x.json'), testCipher(false)), call);
    await expect(refusing('setEnvironment', { environment: 'staging', url: null, token: 'tok-2' })).rejects.toThrow(/no secure storage/);
    expect(forwarded).toHaveLength(2);
  });

  it('a URL moved to another origin drops the saved token; the same origin keeps it; a refused URL changes nothing', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const wrapped = withTokenVault(new TokenVault(file, testCipher()), async () => ({ ok: true, value: null }));
    const load = () => new TokenVault(file, testCipher()).load();
    await wrapped('setEnvironment', { environment: 'staging', url: 'https://a.example', token: 'tok-a' });
    await wrapped('setEnvironment', { environment: 'staging', url: 'https://a.example/other/path' });
    expect((await load()).tokens).toEqual({ staging: 'tok-a' });
    await wrapped('setEnvironment', { environment: 'staging', url: 'http://b.example' });
    expect((await load()).tokens).toEqual({ staging: 'tok-a' });
    await wrapped('setEnvironment', { environment: 'staging', url: 'https://b.example' });
    expect((await load()).tokens).toEqual({});
  });

  it('refuses the basic_text backend: writes nothing to the file, keeps tokens in memory only, and loads nothing', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    // An earlier run (before this check) may have left a file: basic_text decrypts it with a public key, so it is not trusted.
    await new TokenVault(file, testCipher()).save('production', 'old', null);
    const before = readFileSync(file, 'utf8');
    const vault = new TokenVault(file, testCipher(true, 'basic_text'));
    expect(await vault.protection()).toBe('memory-only');
    const forwarded: unknown[] = [];
    const wrapped = withTokenVault(vault, async (method, arg) => {
      forwarded.push([method, arg]);
      return { ok: true, value: null };
    });
    await wrapped('setEnvironment', { environment: 'staging', url: 'https://d.example', token: 'tok-basic' });
    await wrapped('startWarehouseSync', { source: 'postgres://reader@wh.example:5439/analytics', schema: 'shop', password: 'pg-basic' });
    expect(forwarded).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(await vault.load()).toEqual({ tokens: {}, origins: {} });
    expect(await vault.loadWarehousePasswords()).toEqual({});
    // Another Linux backend (a real keyring) encrypts as usual.
    expect(await new TokenVault(join(tempDir(), 'k.json'), testCipher(true, 'gnome_libsecret')).protection()).toBe('encrypted');
    // The worker, told the storage is memory, reports tokens set later as held in memory.
    const worker = memorySecrets({ seed: {}, seedSource: 'safe-storage', setSource: 'memory', env: {} });
    worker.set('staging', 'tok-basic', 'https://d.example');
    expect(worker.source('staging')).toBe('memory');
  });

  it('the worker holds decrypted tokens in memory as safe-storage; env vars seed browser mode', () => {
    const app = memorySecrets({ seed: { staging: 'a' }, seedSource: 'safe-storage', setSource: 'safe-storage', env: {} });
    expect([app.get('staging'), app.source('staging'), app.source('production')]).toEqual(['a', 'safe-storage', null]);
    const browser = memorySecrets({ env: { GUIDEPOST_PRODUCTION_TOKEN: 'p' } });
    expect([browser.get('production'), browser.source('production')]).toEqual(['p', 'env']);
    browser.set('staging', 's', null);
    expect(browser.source('staging')).toBe('memory');
  });
});
