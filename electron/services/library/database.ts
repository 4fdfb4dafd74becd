import Database from 'better-sqlite3';
import { UserFacingError } from '../../../shared/contract/result.js';
import { migrations as allMigrations, type Migration } from './migrations.js';
import { searchText } from './search.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Only for tests of older schemas: stop after this version. */
  upTo?: number;
  migrations?: readonly Migration[];
  readonly?: boolean;
  /** better-sqlite3 built for another ABI (Electron's); Node uses the one in node_modules. */
  nativeBinding?: string;
}

/**
 * Opens (and creates or upgrades) a library database: WAL, foreign keys on, migrations applied
 * one transaction each. A database written by a newer Promptroom is refused, untouched.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? allMigrations;
  assertIncreasing(migrations);
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    timeout: 5000,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    // Migration 8 writes the search text with the same function the library writes it with.
    db.function('search_text', { deterministic: true }, (fileName, tags, prompts) =>
      searchText(String(fileName ?? ''), String(tags ?? ''), String(prompts ?? '')),
    );
    db.pragma('foreign_keys = ON');
    const current = db.pragma('user_version', { simple: true }) as number;
    const newest = migrations[migrations.length - 1]?.version ?? 0;
    if (current > newest) {
      throw new UserFacingError(
        'conflict',
        `This library was written by a newer version of Promptroom (schema ${current}; this version knows up to ${newest}). Update Promptroom to open it; nothing was changed.`,
      );
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, migrations, options.upTo ?? newest);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db, migrations: readonly Migration[], upTo: number): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > upTo) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function assertIncreasing(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration ${migration.name} has version ${migration.version}; expected ${index + 1}.`);
    }
  });
}
