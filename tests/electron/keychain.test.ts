import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyStore, type SafeStorageLike } from '../../electron/main/keychain.js';
import { readApiKey, writeKeyFile } from '../../electron/services/providers/key.js';
import { tempDir } from '../support/fixtures.js';

/** A stand-in keychain: reversible, but the stored bytes do not contain the key. */
const fakeSafeStorage: SafeStorageLike = {
  isAsyncEncryptionAvailable: async () => true,
  encryptStringAsync: async (text) => Buffer.from([...Buffer.from(text)].map((b) => b ^ 0x5a)),
  decryptStringAsync: async (data) => ({ result: Buffer.from([...data].map((b) => b ^ 0x5a)).toString(), shouldReEncrypt: false }),
};

describe('the Gemini key', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const KEY = 'AIzaSyTestKeyThatMustNotLeak123';

  it('is stored encrypted by safeStorage in Electron and read back after a restart', async () => {
    const file = path.join(tmp.dir, 'gemini-key.bin');
    const store = createKeyStore(fakeSafeStorage, file);
    await store.load();
    expect(store.get()).toMatchObject({ missing: expect.stringMatching(/No Gemini API key/) });
    await store.set(KEY);
    expect(readFileSync(file).includes(KEY)).toBe(false);
    expect(statSync(file).mode & 0o077).toBe(0);
    const restarted = createKeyStore(fakeSafeStorage, file);
    await restarted.load();
    expect(restarted.get()).toEqual({ key: KEY });
    await restarted.set(null);
    expect(restarted.get()).toHaveProperty('missing');
  });

  it('refuses to store a key when the keychain is not available', async () => {
    const store = createKeyStore({ ...fakeSafeStorage, isAsyncEncryptionAvailable: async () => false }, path.join(tmp.dir, 'k2'));
    await expect(store.set(KEY)).rejects.toThrow(/keychain is not available/);
  });

  it('comes from GEMINI_API_KEY or an owner-only key file on the browser host and CLI', async () => {
    const file = path.join(tmp.dir, 'config', 'gemini-api-key');
    expect(readApiKey({ GEMINI_API_KEY: KEY }, file)).toEqual({ key: KEY });
    expect(readApiKey({}, file)).toMatchObject({ missing: expect.stringMatching(/set GEMINI_API_KEY/) });
    await writeKeyFile(KEY, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readApiKey({}, file)).toEqual({ key: KEY });
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    expect(readApiKey({}, file)).toMatchObject({ missing: expect.stringMatching(/chmod 600/) });
  });
});
