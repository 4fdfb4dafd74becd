import { promises as fs } from 'node:fs';
import type { KeyLookup } from '../services/providers/key.js';

/** The part of Electron's safeStorage this uses (its async API). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
}

/**
 * The Gemini key in Electron: encrypted by the OS keychain (safeStorage) in a file of its own in
 * userData, decrypted into memory once. It never enters the library database, the logs or the renderer.
 */
export function createKeyStore(safeStorage: SafeStorageLike, file: string) {
  let key: string | null = null;
  let problem = 'No Gemini API key yet: add one in Settings.';

  return {
    async load(): Promise<void> {
      const encrypted = await fs.readFile(file).catch(() => null);
      if (!encrypted) return;
      try {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(encrypted);
        key = result || null;
        if (key && shouldReEncrypt) await this.set(key);
      } catch {
        problem = 'The saved Gemini key could not be decrypted (the system keychain changed); enter it again in Settings.';
      }
    },
    get(): KeyLookup {
      return key ? { key } : { missing: problem };
    },
    async set(next: string | null): Promise<void> {
      if (next === null) {
        key = null;
        await fs.rm(file, { force: true });
        return;
      }
      if (!(await safeStorage.isAsyncEncryptionAvailable())) {
        throw new Error('The system keychain is not available, so the key cannot be stored safely.');
      }
      const encrypted = await safeStorage.encryptStringAsync(next);
      const temp = `${file}.tmp`;
      await fs.writeFile(temp, encrypted, { mode: 0o600 });
      await fs.rename(temp, file);
      key = next;
    },
  };
}
