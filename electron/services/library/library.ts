import type { Statement } from 'better-sqlite3';
import type { ColorLabel, PhotoDetail, PhotoQuery, PhotoSummary, Settings } from '../../../shared/contract/api.js';
import { PhotoQuery as PhotoQuerySchema } from '../../../shared/contract/api.js';
import { UserFacingError } from '../../../shared/contract/result.js';
import type { Db } from './database.js';

/** What the importer hands over for one new photo. */
export interface NewPhoto {
  sha256: string;
  fileName: string;
  sourcePath: string | null;
  format: string;
  byteSize: number;
  width: number;
  height: number;
  orientation: number;
  takenAt: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  iso: number | null;
  exposureTime: number | null;
  fNumber: number | null;
  focalLength: number | null;
  gpsLatitude: number | null;
  gpsLongitude: number | null;
}

const SUMMARY_COLUMNS =
  'id, sha256, file_name, width, height, taken_at, imported_at, rating, color_label, trashed_at';

interface SummaryRow {
  id: number;
  sha256: string;
  file_name: string;
  width: number;
  height: number;
  taken_at: string | null;
  imported_at: string;
  rating: number;
  color_label: ColorLabel | null;
  trashed_at: string | null;
}

/** Above this many matches a search page walks the sort index instead of sorting the matches. */
const BROAD_SEARCH = 5000;
const SORT_INDEX = { takenAt: 'photos_by_taken', importedAt: 'photos_by_imported', fileName: 'photos_by_name' } as const;

const DEFAULT_SETTINGS: Settings = { locale: null, pixelLimitMegapixels: 200, model: 'gemini-2.5-flash-image', monthlyBudgetUsd: null };

/** The photo library in SQLite: photos, tags, albums, trash, search and settings. */
export class Library {
  private readonly statements = new Map<string, Statement>();
  /** Totals of recent queries, valid while nothing has written to the database. */
  private readonly totals = new Map<string, number>();
  private totalsVersion = '';
  private hits: { search: string; count: number; version: string } | null = null;

  constructor(readonly db: Db) {}

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  hasSha(sha256: string): boolean {
    return this.prepare('SELECT 1 FROM photos WHERE sha256 = ?').get(sha256) !== undefined;
  }

  /** Inserts a photo and its search row in one transaction; returns null if the bytes are already in. */
  insertPhoto(photo: NewPhoto, importedAt = new Date().toISOString()): number | null {
    return this.db.transaction(() => {
      const result = this.prepare(
        `INSERT INTO photos (sha256, file_name, source_path, format, byte_size, width, height, orientation, taken_at,
           imported_at, camera_make, camera_model, lens, iso, exposure_time, f_number, focal_length, gps_latitude, gps_longitude)
         VALUES (@sha256, @fileName, @sourcePath, @format, @byteSize, @width, @height, @orientation, @takenAt,
           @importedAt, @cameraMake, @cameraModel, @lens, @iso, @exposureTime, @fNumber, @focalLength, @gpsLatitude, @gpsLongitude)
         ON CONFLICT (sha256) DO NOTHING`,
      ).run({ ...photo, importedAt });
      if (result.changes === 0) return null;
      const id = Number(result.lastInsertRowid);
      this.prepare("INSERT INTO photo_search (rowid, file_name, tags, prompts) VALUES (?, ?, '', '')").run(id, photo.fileName);
      return id;
    })();
  }

  count(): number {
    return (this.prepare('SELECT count(*) AS n FROM photos WHERE trashed_at IS NULL').get() as { n: number }).n;
  }

  list(rawQuery: PhotoQuery): { total: number; items: PhotoSummary[] } {
    const query = PhotoQuerySchema.parse(rawQuery);
    const where: string[] = [query.trashed ? 'trashed_at IS NOT NULL' : 'trashed_at IS NULL'];
    const params: Record<string, unknown> = {};
    if (query.minRating !== undefined && query.minRating > 0) {
      where.push('rating >= @minRating');
      params.minRating = query.minRating;
    }
    if (query.colorLabel) {
      where.push('color_label = @colorLabel');
      params.colorLabel = query.colorLabel;
    }
    if (query.tag) {
      where.push('id IN (SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = @tag)');
      params.tag = query.tag;
    }
    if (query.albumId !== undefined) {
      where.push('id IN (SELECT photo_id FROM album_photos WHERE album_id = @albumId)');
      params.albumId = query.albumId;
    }
    const search = query.search?.trim();
    let broadSearch = false;
    if (search) {
      where.push('id IN (SELECT id FROM temp.search_hits)');
      broadSearch = this.searchHits(search) > BROAD_SEARCH;
    }
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const sortColumn = { takenAt: 'taken_at', importedAt: 'imported_at', fileName: 'file_name COLLATE NOCASE' }[query.sort];
    const whereSql = where.join(' AND ');
    // A search alone: the matches minus those in the trash (few), without joining every match.
    const total =
      search && where.length === 2 && !query.trashed
        ? this.hits!.count -
          (this.prepare(
            'SELECT count(*) FROM photos p WHERE p.trashed_at IS NOT NULL AND EXISTS (SELECT 1 FROM temp.search_hits h WHERE h.id = p.id)',
          )
            .pluck()
            .get() as number)
        : this.countCached(whereSql, params, search ?? '');
    // A search matching most of the library is faster walked in sort order than sorted afterwards.
    const source = broadSearch && !query.trashed ? `photos INDEXED BY ${SORT_INDEX[query.sort]}` : 'photos';
    const rows = this.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM ${source} WHERE ${whereSql}
       ORDER BY ${sortColumn} ${direction}, id ${direction} LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: query.limit, offset: query.offset }) as SummaryRow[];
    return { total, items: rows.map(toSummary) };
  }

  /**
   * Counting 100,000 rows for every page of a scroll is the slowest part of a page; the count only
   * changes when something is written, which `data_version` (other connections) and
   * `total_changes()` (this one) tell.
   */
  private dataVersion(): string {
    return `${this.db.pragma('data_version', { simple: true })}:${this.prepare('SELECT total_changes()').pluck().get()}`;
  }

  private countCached(whereSql: string, params: Record<string, unknown>, search: string): number {
    const version = this.dataVersion();
    if (version !== this.totalsVersion) {
      this.totals.clear();
      this.totalsVersion = version;
    }
    const key = `${whereSql}|${JSON.stringify(params)}|${search}`;
    let total = this.totals.get(key);
    if (total === undefined) {
      total = (this.prepare(`SELECT count(*) AS n FROM photos WHERE ${whereSql}`).get(params) as { n: number }).n;
      if (this.totals.size > 200) this.totals.clear();
      this.totals.set(key, total);
    }
    return total;
  }

  /**
   * Puts the ids matching a search into a temp table, once per search text while the data stays
   * the same, so every page of a scroll reuses it; returns how many there are.
   */
  private searchHits(search: string): number {
    if (this.hits && this.hits.search === search && this.hits.version === this.dataVersion()) return this.hits.count;
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)');
    const params: Record<string, unknown> = {};
    const matches = searchMatches(search, params);
    this.db.transaction(() => {
      this.prepare('DELETE FROM temp.search_hits').run();
      // Straight from the index, in rowid order: an append, not a join. Trashed rows are filtered by the page query.
      this.prepare(`INSERT INTO temp.search_hits (id) ${matches}`).run(params);
    })();
    const count = this.prepare('SELECT count(*) FROM temp.search_hits').pluck().get() as number;
    this.hits = { search, count, version: this.dataVersion() };
    return count;
  }

  get(id: number): PhotoDetail {
    const row = this.prepare(`SELECT * FROM photos WHERE id = ?`).get(id) as
      | (SummaryRow & Record<string, string | number | null>)
      | undefined;
    if (!row) throw new UserFacingError('not-found', `There is no photo with id ${id}.`);
    const tags = this.prepare(
      'SELECT t.name FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.photo_id = ? ORDER BY t.name',
    )
      .pluck()
      .all(id) as string[];
    const albums = this.prepare(
      'SELECT a.id, a.name FROM album_photos ap JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = ? ORDER BY a.name',
    ).all(id) as { id: number; name: string }[];
    return {
      ...toSummary(row),
      format: String(row.format),
      byteSize: Number(row.byte_size),
      sourcePath: (row.source_path as string | null) ?? null,
      neverUpload: row.never_upload === 1,
      exif: {
        cameraMake: row.camera_make as string | null,
        cameraModel: row.camera_model as string | null,
        lens: row.lens as string | null,
        iso: row.iso as number | null,
        exposureTime: row.exposure_time as number | null,
        fNumber: row.f_number as number | null,
        focalLength: row.focal_length as number | null,
        orientation: Number(row.orientation),
        gpsLatitude: row.gps_latitude as number | null,
        gpsLongitude: row.gps_longitude as number | null,
      },
      tags,
      albums,
    };
  }

  getSha(id: number): string {
    const sha = this.prepare('SELECT sha256 FROM photos WHERE id = ?').pluck().get(id) as string | undefined;
    if (!sha) throw new UserFacingError('not-found', `There is no photo with id ${id}.`);
    return sha;
  }

  setRating(ids: number[], rating: number): void {
    const update = this.prepare('UPDATE photos SET rating = ? WHERE id = ?');
    this.forEachPhoto(ids, (id) => update.run(rating, id));
  }

  setColorLabel(ids: number[], label: ColorLabel | null): void {
    const update = this.prepare('UPDATE photos SET color_label = ? WHERE id = ?');
    this.forEachPhoto(ids, (id) => update.run(label, id));
  }

  setNeverUpload(ids: number[], neverUpload: boolean): void {
    const update = this.prepare('UPDATE photos SET never_upload = ? WHERE id = ?');
    this.forEachPhoto(ids, (id) => update.run(neverUpload ? 1 : 0, id));
  }

  trash(ids: number[]): void {
    const now = new Date().toISOString();
    const update = this.prepare('UPDATE photos SET trashed_at = ? WHERE id = ? AND trashed_at IS NULL');
    this.forEachPhoto(ids, (id) => update.run(now, id));
  }

  restore(ids: number[]): void {
    const update = this.prepare('UPDATE photos SET trashed_at = NULL WHERE id = ?');
    this.forEachPhoto(ids, (id) => update.run(id));
  }

  /** Deletes the rows of trashed photos; returns their hashes so the caller can remove the files afterwards. */
  emptyTrash(): string[] {
    return this.db.transaction(() => {
      // Photos a project still uses stay in the trash: a step never loses its pixels.
      const rows = this.prepare(
        `SELECT id, sha256 FROM photos WHERE trashed_at IS NOT NULL
           AND id NOT IN (SELECT photo_id FROM projects) AND sha256 NOT IN (SELECT sha256 FROM project_assets)`,
      ).all() as {
        id: number;
        sha256: string;
      }[];
      for (const row of rows) {
        this.prepare('DELETE FROM photo_search WHERE rowid = ?').run(row.id);
        this.prepare('DELETE FROM photos WHERE id = ?').run(row.id);
      }
      this.prepare('DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM photo_tags)').run();
      return rows.map((row) => row.sha256);
    })();
  }

  addTags(ids: number[], tags: string[]): void {
    this.db.transaction(() => {
      for (const name of tags) {
        this.prepare('INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING').run(name);
        const tagId = this.prepare('SELECT id FROM tags WHERE name = ?').pluck().get(name) as number;
        for (const id of ids) {
          this.requirePhoto(id);
          this.prepare('INSERT OR IGNORE INTO photo_tags (photo_id, tag_id) VALUES (?, ?)').run(id, tagId);
        }
      }
      for (const id of ids) this.refreshSearch(id);
    })();
  }

  removeTags(ids: number[], tags: string[]): void {
    this.db.transaction(() => {
      for (const name of tags) {
        for (const id of ids) {
          this.prepare(
            'DELETE FROM photo_tags WHERE photo_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)',
          ).run(id, name);
        }
      }
      this.prepare('DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM photo_tags)').run();
      for (const id of ids) this.refreshSearch(id);
    })();
  }

  listTags(): { name: string; count: number }[] {
    return this.prepare(
      `SELECT t.name AS name, count(p.id) AS count FROM tags t
       JOIN photo_tags pt ON pt.tag_id = t.id JOIN photos p ON p.id = pt.photo_id AND p.trashed_at IS NULL
       GROUP BY t.id ORDER BY t.name COLLATE NOCASE`,
    ).all() as { name: string; count: number }[];
  }

  listAlbums(): { id: number; name: string; count: number }[] {
    return this.prepare(
      `SELECT a.id AS id, a.name AS name,
         (SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
          WHERE ap.album_id = a.id AND p.trashed_at IS NULL) AS count
       FROM albums a ORDER BY a.name COLLATE NOCASE`,
    ).all() as { id: number; name: string; count: number }[];
  }

  createAlbum(name: string): number {
    try {
      return Number(this.prepare('INSERT INTO albums (name, created_at) VALUES (?, ?)').run(name, new Date().toISOString()).lastInsertRowid);
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserFacingError('conflict', `There is already an album named “${name}”.`);
      throw error;
    }
  }

  renameAlbum(id: number, name: string): void {
    try {
      const result = this.prepare('UPDATE albums SET name = ? WHERE id = ?').run(name, id);
      if (result.changes === 0) throw new UserFacingError('not-found', `There is no album with id ${id}.`);
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserFacingError('conflict', `There is already an album named “${name}”.`);
      throw error;
    }
  }

  deleteAlbum(id: number): void {
    const result = this.prepare('DELETE FROM albums WHERE id = ?').run(id);
    if (result.changes === 0) throw new UserFacingError('not-found', `There is no album with id ${id}.`);
  }

  addToAlbum(albumId: number, ids: number[]): void {
    this.requireAlbum(albumId);
    const now = new Date().toISOString();
    const insert = this.prepare('INSERT OR IGNORE INTO album_photos (album_id, photo_id, added_at) VALUES (?, ?, ?)');
    this.forEachPhoto(ids, (id) => insert.run(albumId, id, now));
  }

  removeFromAlbum(albumId: number, ids: number[]): void {
    this.requireAlbum(albumId);
    this.db.transaction(() => {
      for (const id of ids) this.prepare('DELETE FROM album_photos WHERE album_id = ? AND photo_id = ?').run(albumId, id);
    })();
  }

  getSettings(): Settings {
    const rows = this.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const stored = Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
    return { ...DEFAULT_SETTINGS, ...stored } as Settings;
  }

  setSettings(patch: Partial<Settings>): Settings {
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        this.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
          key,
          JSON.stringify(value),
        );
      }
    })();
    return this.getSettings();
  }

  /** Every sha256 a row refers to; used to tell stray files from live ones. */
  knownShas(): Set<string> {
    return new Set(this.prepare('SELECT sha256 FROM photos').pluck().all() as string[]);
  }

  private refreshSearch(id: number): void {
    const tags = this.prepare(
      "SELECT coalesce(group_concat(t.name, ' '), '') FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.photo_id = ?",
    )
      .pluck()
      .get(id) as string;
    this.prepare('UPDATE photo_search SET tags = ? WHERE rowid = ?').run(tags, id);
  }

  /** Applies a change to every photo in one transaction; an unknown id rolls all of it back. */
  private forEachPhoto(ids: number[], change: (id: number) => void): void {
    this.db.transaction(() => {
      for (const id of ids) {
        this.requirePhoto(id);
        change(id);
      }
    })();
  }

  private requirePhoto(id: number): void {
    if (this.prepare('SELECT 1 FROM photos WHERE id = ?').get(id) === undefined) {
      throw new UserFacingError('not-found', `There is no photo with id ${id}.`);
    }
  }

  private requireAlbum(id: number): void {
    if (this.prepare('SELECT 1 FROM albums WHERE id = ?').get(id) === undefined) {
      throw new UserFacingError('not-found', `There is no album with id ${id}.`);
    }
  }
}

function toSummary(row: SummaryRow): PhotoSummary {
  return {
    id: row.id,
    sha256: row.sha256,
    fileName: row.file_name,
    width: row.width,
    height: row.height,
    takenAt: row.taken_at,
    importedAt: row.imported_at,
    rating: row.rating,
    colorLabel: row.color_label,
    trashedAt: row.trashed_at,
  };
}

/**
 * Full-text search over names, tags and prompts. The trigram index answers substrings of three
 * characters or more (also in Chinese); shorter text falls back to a LIKE over the same table.
 */
function searchMatches(search: string, params: Record<string, unknown>): string {
  if ([...search].length >= 3) {
    params.search = search
      .split(/\s+/)
      .filter((word) => [...word].length >= 3)
      .map((word) => `"${word.replaceAll('"', '""')}"`)
      .join(' AND ');
    if (params.search) return 'SELECT rowid FROM photo_search WHERE photo_search MATCH @search';
  }
  params.search = `%${search.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
  return "SELECT rowid FROM photo_search WHERE file_name LIKE @search ESCAPE '\\' OR tags LIKE @search ESCAPE '\\' OR prompts LIKE @search ESCAPE '\\'";
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
