import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenVault, withTokenVault } from '../../src/main/electron/token-vault';
import { memorySecrets } from '../../src/main/messages/secrets';
import type { Envelope } from '../../src/shared/errors';
import { apiErrorOf, testCipher, useTempDir } from './helpers';

const tempDir = useTempDir();

describe('the token vault', () => {
  it('stores tokens encrypted in a 0600 file and reads them back', () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const vault = new TokenVault(file, testCipher());
    expect(vault.load()).toEqual({});
    vault.save('staging', 'stage-secret-123');
    vault.save('production', 'prod-secret-456');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/secret/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new TokenVault(file, testCipher()).load()).toEqual({ staging: 'stage-secret-123', production: 'prod-secret-456' });
  });

  it('refuses to store without encryption and writes nothing', async () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    const vault = new TokenVault(file, testCipher(false));
    const err = await apiErrorOf(() => vault.save('staging', 'secret'));
    expect(err.message).toMatch(/no secure storage/);
    expect(() => statSync(file)).toThrow();
  });

  it('a damaged or foreign file loads as no tokens', () => {
    const file = join(tempDir(), 'delivery-tokens.json');
    writeFileSync(file, '{"format":"guidepost-tokens","version":1,"tokens":{"staging":"bm90IG91cnM="}}');
    expect(new TokenVault(file, testCipher()).load()).toEqual({});
    writeFileSync(file, 'garbage');
    expect(new TokenVault(file, testCipher()).load()).toEqual({});
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
    expect(new TokenVault(file, testCipher()).load()).toEqual({ staging: 'tok-1' });

    const refusing = withTokenVault(new TokenVault(join(tempDir(), 'x.json'), testCipher(false)), call);
    await expect(refusing('setEnvironment', { environment: 'staging', url: null, token: 'tok-2' })).rejects.toThrow(/no secure storage/);
    expect(forwarded).toHaveLength(2);
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
