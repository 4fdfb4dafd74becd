import { promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the CLI and browser host look for a key file when GEMINI_API_KEY is not set. */
export function defaultKeyFile(): string {
  const config = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(config, 'promptroom', 'gemini-api-key');
}

export type KeyLookup = { key: string } | { missing: string };

/**
 * The Gemini API key for the browser host and CLI: `GEMINI_API_KEY`, else a key file that only
 * its owner can read. The key is only ever held in memory; it is never stored, logged or sent
 * to the renderer.
 */
export function readApiKey(env: NodeJS.ProcessEnv = process.env, file = env.PROMPTROOM_KEY_FILE ?? defaultKeyFile()): KeyLookup {
  const fromEnv = env.GEMINI_API_KEY?.trim();
  if (fromEnv) return { key: fromEnv };
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return { missing: `No Gemini API key: set GEMINI_API_KEY or put the key in ${file} (readable only by you).` };
  }
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    return { missing: `The key file ${file} can be read by other users; run chmod 600 on it, then try again.` };
  }
  const key = readFileSync(file, 'utf8').trim();
  return key ? { key } : { missing: `The key file ${file} is empty.` };
}

/** Writes (or removes) the key file, readable only by its owner, atomically. */
export async function writeKeyFile(key: string | null, file = process.env.PROMPTROOM_KEY_FILE ?? defaultKeyFile()): Promise<void> {
  if (key === null) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${key}\n`, { mode: 0o600 });
  await fs.chmod(temp, 0o600);
  await fs.rename(temp, file);
}
