import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/services/library/database.js';
import { migrations, SCHEMA_VERSION } from '../../../electron/services/library/migrations.js';
import { Library } from '../../../electron/services/library/library.js';
import { tempDir } from '../../support/fixtures.js';
import { newPhotoRow } from '../../support/photo-row.js';

const folded = migrations.find((m) => m.name === 'search text folded for all of Unicode')!;

/** Writes a photo the way the library of schema 7 did: its row, its tags, and its search row of three columns. */
function oldPhoto(db: Db, id: number, fileName: string, options: { tags?: string[]; prompts?: string; trashed?: boolean } = {}): void {
  db.prepare(
    `INSERT INTO photos (id, sha256, file_name, format, byte_size, width, height, taken_at, imported_at, trashed_at)
     VALUES (?, ?, ?, 'jpeg', 100, 64, 48, ?, '2024-01-01T00:00:00Z', ?)`,
  ).run(id, id.toString(16).padStart(64, '0'), fileName, `2020-01-${String(1 + (id % 28)).padStart(2, '0')}T10:00:00`, options.trashed ? '2024-02-01' : null);
  for (const tag of options.tags ?? []) {
    db.prepare('INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING').run(tag);
    db.prepare('INSERT INTO photo_tags (photo_id, tag_id) SELECT ?, id FROM tags WHERE name = ?').run(id, tag);
  }
  db.prepare('INSERT INTO photo_search (rowid, file_name, tags, prompts) VALUES (?, ?, ?, ?)').run(
    id,
    fileName,
    (options.tags ?? []).join(' '),
    options.prompts ?? '',
  );
}

function ids(library: Library, search: string, trashed = false): number[] {
  return library
    .list({ search, trashed, sort: 'fileName', order: 'asc', limit: 1000 })
    .items.map((p) => p.id)
    .sort((a, b) => a - b);
}

describe('migration 8, search text folded for all of Unicode', () => {
  it('upgrades a library holding photos, tags, prompts and a trash; old and new rows are found in any case', () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'library.sqlite3');
      const old = openDatabase(file, { upTo: folded.version - 1 });
      expect(old.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('photo_search')).toEqual(['file_name', 'tags', 'prompts']);
      old.transaction(() => {
        oldPhoto(old, 1, 'été 2019.jpg', { tags: ['Plage'] });
        oldPhoto(old, 2, 'ÉTÉ_PLAGE.JPG');
        oldPhoto(old, 3, 'Straße.jpg', { trashed: true });
        oldPhoto(old, 4, '家庭照片_1.jpg', { tags: ['旅行', 'Family'] });
        oldPhoto(old, 5, 'sky.png', { prompts: 'Make the sky BLUE' });
        // Enough camera names for the broad plans of a library tuned small.
        for (let id = 10; id < 400; id++) oldPhoto(old, id, `IMG_${String(id).padStart(4, '0')}.JPG`, { trashed: id % 50 === 0 });
      })();
      old.close();

      const db = openDatabase(file);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(folded.version);
        expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('photo_search')).toEqual(['text']);
        // Every photo kept its search row, now one folded text: name, tags, prompts, one per line.
        expect(db.prepare('SELECT count(*) FROM photo_search').pluck().get()).toBe(db.prepare('SELECT count(*) FROM photos').pluck().get());
        const text = db.prepare('SELECT text FROM photo_search WHERE rowid = ?').pluck();
        expect(text.get(1)).toBe('été 2019.jpg\nplage\n');
        expect(text.get(2)).toBe('été_plage.jpg\n\n');
        expect(text.get(3)).toBe('strasse.jpg\n\n');
        expect(String(text.get(4)).split('\n')[1]!.split(' ').sort()).toEqual(['family', '旅行']);
        expect(text.get(5)).toBe('sky.png\n\nmake the sky blue');
        expect(() => db.prepare("INSERT INTO photo_search (photo_search) VALUES ('integrity-check')").run()).not.toThrow();

        for (const library of [new Library(db), new Library(db, { narrowSearch: 5, walkRows: 50 })]) {
          expect(ids(library, 'ÉTÉ')).toEqual([1, 2]);
          expect(ids(library, 'été')).toEqual([1, 2]);
          expect(ids(library, 'PLAGE')).toEqual([1, 2]);
          expect(ids(library, 'STRASSE')).toEqual([]);
          expect(ids(library, 'STRASSE', true)).toEqual([3]);
          expect(ids(library, 'family 旅行')).toEqual([4]);
          expect(ids(library, 'blue SKY')).toEqual([5]);
          const cameras = Array.from({ length: 390 }, (_, i) => i + 10).filter((id) => id % 50 !== 0);
          expect(ids(library, 'img_')).toEqual(cameras);
          expect(library.countMatching({ search: 'img_' })).toBe(cameras.length);
          expect(library.countMatching({ search: 'Img_01' })).toBe(cameras.filter((id) => id >= 100 && id < 200).length);
        }

        // The library's writes keep the folded text after the upgrade.
        const library = new Library(db);
        library.addTags([2], ['Sommer', 'Größe']);
        expect(ids(library, 'SOMMER')).toEqual([2]);
        expect(ids(library, 'GRÖSSE')).toEqual([2]);
        expect(text.get(2)).toMatch(/^été_plage\.jpg\n(sommer grösse|grösse sommer)\n$/);
        library.removeTags([1], ['Plage']);
        expect(ids(library, 'plage')).toEqual([2]);
        const added = library.insertPhoto(newPhotoRow({ sha256: 'f'.repeat(64), fileName: 'ÄRGER.png', format: 'png', byteSize: 10, width: 8, height: 8 }))!;
        expect(ids(library, 'ärger')).toEqual([added]);
        library.emptyTrash();
        expect(db.prepare('SELECT count(*) FROM photo_search WHERE rowid = 3').pluck().get()).toBe(0);
        expect(() => db.prepare("INSERT INTO photo_search (photo_search) VALUES ('integrity-check')").run()).not.toThrow();
      } finally {
        db.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
