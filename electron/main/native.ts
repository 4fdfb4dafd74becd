import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where `scripts/build-electron-native.mjs` puts better-sqlite3 built for Electron's ABI. */
export const ELECTRON_SQLITE_BINDING = path.join('dist', 'native', 'electron', 'better_sqlite3.node');

/**
 * The better-sqlite3 binding built for Electron, for its `nativeBinding` option, or undefined
 * when it was not built. Inside a package the file is read from `app.asar.unpacked`, because a
 * native module cannot be loaded from within the archive.
 */
export function electronSqliteBinding(appPath: string): string | undefined {
  const unpacked = appPath.replace(/app\.asar(?=$|[\\/])/, 'app.asar.unpacked');
  for (const root of unpacked === appPath ? [appPath] : [unpacked, appPath]) {
    const candidate = path.join(root, ELECTRON_SQLITE_BINDING);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
