import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/services/library/database.js';
import { Library, type NewPhoto } from '../../../electron/services/library/library.js';
import { migrations, SCHEMA_VERSION } from '../../../electron/services/library/migrations.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { tempDir } from '../../support/fixtures.js';
import { newPhotoRow } from '../../support/photo-row.js';

let counter = 0;
/** A photo row as the importer would hand it over; no files behind it. */
function photo(overrides: Partial<NewPhoto> = {}): NewPhoto {
  counter++;
  return newPhotoRow({ sha256: counter.toString(16).padStart(64, '0'), fileName: `IMG_${1000 + counter}.jpg`, ...overrides });
}

describe('the library database', () => {
  let tmp: ReturnType<typeof tempDir>;
  let library: Library;

  beforeEach(() => {
    tmp = tempDir();
    library = new Library(openDatabase(path.join(tmp.dir, 'library.sqlite3')));
  });
  afterEach(() => {
    library.db.close();
    tmp.cleanup();
  });

  it('uses WAL, foreign keys and the newest schema version', () => {
    expect(library.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(library.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(library.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('sorts by date taken, date imported and name, in both directions, with a stable order', () => {
    const a = library.insertPhoto(photo({ fileName: 'b.jpg', takenAt: '2020-01-01T10:00:00' }), '2024-01-03T00:00:00Z')!;
    const b = library.insertPhoto(photo({ fileName: 'A.jpg', takenAt: '2022-06-01T10:00:00' }), '2024-01-01T00:00:00Z')!;
    const c = library.insertPhoto(photo({ fileName: 'c.jpg', takenAt: '2021-03-01T10:00:00' }), '2024-01-02T00:00:00Z')!;
    const ids = (q: Parameters<Library['list']>[0]) => library.list(q).items.map((p) => p.id);
    expect(ids({ sort: 'takenAt', order: 'desc' })).toEqual([b, c, a]);
    expect(ids({ sort: 'takenAt', order: 'asc' })).toEqual([a, c, b]);
    expect(ids({ sort: 'importedAt', order: 'asc' })).toEqual([b, c, a]);
    expect(ids({ sort: 'fileName', order: 'asc' })).toEqual([b, a, c]);
    expect(ids({ sort: 'fileName', order: 'asc', offset: 1, limit: 1 })).toEqual([a]);
    expect(library.list({ limit: 1 }).total).toBe(3);
  });

  it('filters by rating, colour label, tag and album, and combines the filters', () => {
    const [p1, p2, p3] = [photo(), photo(), photo()].map((p) => library.insertPhoto(p)!) as [number, number, number];
    library.setRating([p1, p2], 4);
    library.setRating([p3], 2);
    library.setColorLabel([p2], 'red');
    library.addTags([p1, p3], ['family', '旅行']);
    const album = library.createAlbum('Summer');
    library.addToAlbum(album, [p2, p3]);
    const ids = (q: Parameters<Library['list']>[0]) => library.list(q).items.map((p) => p.id).sort();
    expect(ids({ minRating: 3 })).toEqual([p1, p2]);
    expect(ids({ colorLabel: 'red' })).toEqual([p2]);
    expect(ids({ tag: 'FAMILY' })).toEqual([p1, p3]);
    expect(ids({ tag: '旅行', albumId: album })).toEqual([p3]);
    expect(ids({ albumId: album, minRating: 3 })).toEqual([p2]);
    expect(library.listTags()).toEqual([
      { name: 'family', count: 2 },
      { name: '旅行', count: 2 },
    ]);
    expect(library.listAlbums()).toEqual([{ id: album, name: 'Summer', count: 2 }]);
    library.removeTags([p1], ['family']);
    expect(ids({ tag: 'family' })).toEqual([p3]);
    expect(library.get(p3).tags).toEqual(['family', '旅行']);
    expect(library.get(p3).albums).toEqual([{ id: album, name: 'Summer' }]);
  });

  it('finds photos by any part of their name or tags, in English and Chinese', () => {
    const cat = library.insertPhoto(photo({ fileName: 'chelsea the cat.png' }))!;
    const family = library.insertPhoto(photo({ fileName: '家庭照片_2019.jpg' }))!;
    const beach = library.insertPhoto(photo({ fileName: 'DSC_0042.jpg' }))!;
    library.addTags([beach], ['beach holiday']);
    const ids = (search: string) => library.list({ search }).items.map((p) => p.id).sort();
    expect(ids('chel')).toEqual([cat]);
    expect(ids('the cat')).toEqual([cat]);
    expect(ids('照片')).toEqual([family]);
    expect(ids('家庭照')).toEqual([family]);
    expect(ids('holiday')).toEqual([beach]);
    expect(ids('ca')).toEqual([cat]);
    expect(ids('50%_"')).toEqual([]);
    library.removeTags([beach], ['beach holiday']);
    expect(ids('holiday')).toEqual([]);
  });

  it('moves photos to the trash, restores them, and empties the trash', () => {
    const keep = library.insertPhoto(photo())!;
    const gone = library.insertPhoto(photo())!;
    library.addTags([gone], ['only-on-gone']);
    library.trash([gone]);
    expect(library.list({}).items.map((p) => p.id)).toEqual([keep]);
    expect(library.list({ trashed: true }).items.map((p) => p.id)).toEqual([gone]);
    library.restore([gone]);
    expect(library.list({}).total).toBe(2);
    library.trash([gone]);
    const sha = library.getSha(gone);
    expect(library.emptyTrash()).toEqual([sha]);
    expect(library.list({ trashed: true }).total).toBe(0);
    expect(library.listTags()).toEqual([]);
    expect(library.hasSha(sha)).toBe(false);
    expect(library.db.prepare('SELECT count(*) FROM photo_search').pluck().get()).toBe(1);
  });

  it('rolls back a change that names an unknown photo, and refuses a duplicate album name', () => {
    const p = library.insertPhoto(photo())!;
    expect(() => library.setRating([p, 999_999], 5)).toThrow(/no photo with id 999999/);
    expect(library.get(p).rating).toBe(0);
    library.createAlbum('Trips');
    expect(() => library.createAlbum('trips')).toThrow(/already an album/);
  });

  it('keeps settings with defaults', () => {
    const defaults = { locale: null, pixelLimitMegapixels: 200, model: 'gemini-2.5-flash-image', monthlyBudgetUsd: null };
    expect(library.getSettings()).toEqual(defaults);
    expect(library.setSettings({ locale: 'zh-CN', monthlyBudgetUsd: 5 })).toEqual({ ...defaults, locale: 'zh-CN', monthlyBudgetUsd: 5 });
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3… with nothing skipped', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('upgrade each version of a database holding rows without losing them', () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'old.sqlite3');
      const v1 = openDatabase(file, { upTo: 1 });
      expect(v1.pragma('user_version', { simple: true })).toBe(1);
      v1.prepare(
        `INSERT INTO photos (id, sha256, file_name, format, byte_size, width, height, imported_at, rating)
         VALUES (7, ?, 'old cat.jpg', 'jpeg', 10, 4, 3, '2020-01-01', 3)`,
      ).run('a'.repeat(64));
      v1.prepare("INSERT INTO tags (id, name) VALUES (1, 'pets')").run();
      v1.prepare('INSERT INTO photo_tags (photo_id, tag_id) VALUES (7, 1)').run();
      v1.close();

      const library = new Library(openDatabase(file));
      expect(library.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const upgraded = library.get(7);
      expect(upgraded).toMatchObject({ fileName: 'old cat.jpg', rating: 3, colorLabel: null, tags: ['pets'] });
      // Migration 2 indexed the rows that were already there.
      expect(library.list({ search: 'old cat' }).items.map((p) => p.id)).toEqual([7]);
      expect(library.list({ search: 'pets' }).items.map((p) => p.id)).toEqual([7]);
      library.setColorLabel([7], 'green');
      library.db.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('roll back a failing migration as a whole and leave the version where it was', () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'bad.sqlite3');
      const broken = [...migrations, { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE x (a); INSERT INTO nope VALUES (1);' }];
      expect(() => openDatabase(file, { migrations: broken })).toThrow(/no such table: nope/);
      const db = new Database(file);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'x'").pluck().get()).toBe(0);
      db.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('the services', () => {
  let tmp: ReturnType<typeof tempDir>;
  let services: Services;
  beforeEach(async () => {
    tmp = tempDir();
    services = await openServices({ libraryDir: tmp.dir, host: 'browser', version: 't', systemLocale: 'zh-CN' });
  });
  afterEach(() => {
    services.close();
    tmp.cleanup();
  });

  it('resolve assets only by a known content hash', async () => {
    expect(await services.resolveAsset('../../etc/passwd', 'original')).toBeNull();
    expect(await services.resolveAsset('f'.repeat(64), 'thumb')).toBeNull();
    const id = services.library.insertPhoto(photo({ format: 'png' }))!;
    const sha = services.library.getSha(id);
    expect(await services.resolveAsset(sha, 'original')).toEqual({ path: services.assets.originalPath(sha), contentType: 'image/png' });
    expect((await services.resolveAsset(sha, 'thumb'))?.contentType).toBe('image/webp');
  });

  it('emit library.changed when a photo is rated, and empty the trash including the files', async () => {
    const events: string[] = [];
    services.subscribe((event) => events.push(event.type));
    const job = await services.runImport({ paths: [path.resolve('tests/fixtures/chelsea.png')] });
    const id = services.library.list({}).items[0]!.id;
    const sha = services.library.getSha(id);
    expect(job.summary.imported).toBe(1);
    await services.handlers['photos.setRating']!({ ids: [id], rating: 5 });
    expect(events).toContain('library.changed');
    expect(events).toContain('import.progress');
    await services.handlers['photos.trash']!({ ids: [id] });
    expect(existsSync(services.assets.originalPath(sha))).toBe(true);
    expect(await services.handlers['trash.empty']!({})).toEqual({ deleted: 1 });
    expect(existsSync(services.assets.originalPath(sha))).toBe(false);
    expect(existsSync(services.assets.thumbPath(sha, 'thumb'))).toBe(false);
  });
});
