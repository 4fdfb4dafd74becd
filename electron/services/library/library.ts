import type { Statement } from 'better-sqlite3';
import type { ColorLabel, PhotoDetail, PhotoPage, PhotoQuery, PhotoSummary, Settings } from '../../../shared/contract/api.js';
import { PhotoQuery as PhotoQuerySchema } from '../../../shared/contract/api.js';
import { UserFacingError } from '../../../shared/contract/result.js';
import type { Db } from './database.js';
import { parseSearch, searchText, type SearchTerms } from './search.js';

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
  'p.id, p.sha256, p.file_name, p.width, p.height, p.taken_at, p.imported_at, p.rating, p.color_label, p.trashed_at';

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

/** Above this many matches a page of materialized hits walks the sort index instead of sorting the matches. */
const BROAD_SEARCH = 5000;
/**
 * A search whose trigram candidates are at most this many is narrow: its matches are collected and
 * counted at once. Above it, the grid's pages walk the sort index and test each row.
 */
const NARROW_SEARCH = 3000;
/** A walk is expected to test at most this many rows; a deeper page collects the matches instead. */
const WALK_ROWS = 12_000;
/**
 * Above this share of trigram candidates, finding every match reads every search text once
 * instead of checking the candidates one by one.
 */
const SCAN_DENSITY = 0.15;
/** Above this share, collecting a search stores the photos that do not match instead. */
const INVERT_DENSITY = 0.5;
/** Rows read to estimate how common a search without a word of three characters is. */
const SAMPLE_ROWS = 2000;
const SORT_INDEX = { takenAt: 'photos_by_taken', importedAt: 'photos_by_imported', fileName: 'photos_by_name' } as const;

/** The last row of a walked page: its offset after it, its sort value and id. */
interface WalkEnd {
  offset: number;
  value: string | null;
  id: number;
}

/** What the library knows about one search text while the data stays the same. */
interface SearchState {
  search: string;
  terms: SearchTerms;
  /** Share of the library estimated to match. */
  density: number;
  /** Few enough trigram candidates to collect through the index (else every row is tested). */
  narrow: boolean;
  /** temp.search_hits holds exactly its matches, trashed ones included (or, when `inverted`, every other photo). */
  collected: boolean;
  /** temp.search_hits holds the photos that do not match: fewer to write for a search that most photos match. */
  inverted: boolean;
  /** Matches, trashed ones included, once collected. */
  count: number;
}

const DEFAULT_SETTINGS: Settings = { locale: null, pixelLimitMegapixels: 200, model: 'gemini-2.5-flash-image', monthlyBudgetUsd: null };

/** The photo library in SQLite: photos, tags, albums, trash, search and settings. */
export class Library {
  private readonly statements = new Map<string, Statement>();
  /** Totals of recent queries, valid while nothing has written to the database. */
  private readonly totals = new Map<string, number>();
  private totalsVersion = '';
  /** Recent search texts, so typing back and forth or paging never plans a search twice. */
  private readonly searches = new Map<string, SearchState>();
  /** The search whose matches temp.search_hits holds. */
  private collectedFor: string | null = null;
  /** Where recent walks stopped (by query without its paging), so the next page goes on from there. */
  private readonly walkEnds = new Map<string, WalkEnd>();

  private readonly narrowSearch: number;
  private readonly walkRows: number;
  private readonly scanDensity: number;

  constructor(
    readonly db: Db,
    /** Thresholds of the search plans; tests make them small to reach every plan with few rows. */
    tuning: { narrowSearch?: number; walkRows?: number; scanDensity?: number } = {},
  ) {
    this.narrowSearch = tuning.narrowSearch ?? NARROW_SEARCH;
    this.walkRows = tuning.walkRows ?? WALK_ROWS;
    this.scanDensity = tuning.scanDensity ?? SCAN_DENSITY;
  }

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
      this.prepare('INSERT INTO photo_search (rowid, text) VALUES (?, ?)').run(id, searchText(photo.fileName, ''));
      return id;
    })();
  }

  count(): number {
    return (this.prepare('SELECT count(*) AS n FROM photos WHERE trashed_at IS NULL').get() as { n: number }).n;
  }

  /**
   * A page of photos and the number the query matches. A broad search does not count its matches
   * for the first pages: `total` is then an estimate (`estimated: true`) and `countMatching` gives
   * the exact number, so typing a search answers before every match has been found.
   */
  list(rawQuery: PhotoQuery): PhotoPage {
    const query = PhotoQuerySchema.parse(rawQuery);
    const { filters, params } = filterSql(query);
    const state = this.searchState(query.search);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const order = `ORDER BY ${SORT_COLUMN[query.sort]} ${direction}, p.id ${direction} LIMIT @limit OFFSET @offset`;
    const paging = { limit: query.limit, offset: query.offset };
    if (state && !state.collected && !query.trashed) {
      // A page that continues the previous walk only tests its own rows; another tests every row before it too.
      const resume = this.walkEnds.get(walkKey(query, filters, params, state.search));
      const tested = resume?.offset === query.offset ? query.limit : query.offset + query.limit;
      if (tested / Math.max(state.density, 1e-6) <= this.walkRows) return this.walk(query, filters, params, state);
      this.collect(state);
    }
    const where = state ? [...filters, searchFilter(state)] : filters;
    // Collected matches of most of the library are faster walked in sort order than sorted afterwards.
    const source =
      state?.collected && state.count > BROAD_SEARCH && !query.trashed ? `photos p INDEXED BY ${SORT_INDEX[query.sort]}` : 'photos p';
    const rows = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM ${source} WHERE ${where.join(' AND ')} ${order}`).all({
      ...params,
      ...(state && !state.collected ? state.terms.params : {}),
      ...paging,
    }) as SummaryRow[];
    return { total: this.exactTotal(query, filters, params, state), items: rows.map(toSummary) };
  }

  /** Forgets search plans, collected matches and search totals, as if no search had been typed yet (for the bench). */
  forgetSearches(): void {
    this.searches.clear();
    this.walkEnds.clear();
    this.collectedFor = null;
    for (const key of [...this.totals.keys()]) if (!key.endsWith('|')) this.totals.delete(key);
  }

  /**
   * The exact number of photos a query matches (paging ignored). A broad search is counted in one
   * pass over the search texts (or its trigram candidates, when they are a small share), without
   * collecting its matches: a deep page collects them if it ever needs them.
   */
  countMatching(rawQuery: PhotoQuery): number {
    const query = PhotoQuerySchema.parse(rawQuery);
    const { filters, params } = filterSql(query);
    return this.exactTotal(query, filters, params, this.searchState(query.search));
  }

  /**
   * A page of a broad search: walks the sort index and tests each row that passes the filters, so
   * the first pages come after a few hundred rows, long before every match could be collected.
   * The total is exact when the walk reached the end or it was counted before, else estimated.
   */
  private walk(query: ParsedQuery, filters: string[], params: Record<string, unknown>, state: SearchState): PhotoPage {
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const where = [...filters];
    const values: Record<string, unknown> = { ...params, ...state.terms.params, limit: query.limit, offset: query.offset };
    const endKey = walkKey(query, filters, params, state.search);
    const resume = this.walkEnds.get(endKey);
    if (resume && resume.offset === query.offset) {
      // The next page starts after the last row of the previous one: the rows before it are
      // skipped inside the sort index, without reading their search text.
      where.push(afterRow(query, resume.value === null));
      Object.assign(values, { offset: 0, afterValue: resume.value, afterId: resume.id });
    }
    const rows = this.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM photos p INDEXED BY ${SORT_INDEX[query.sort]}
       CROSS JOIN photo_search_content s ON s.id = p.id
       WHERE ${where.join(' AND ')} AND ${state.terms.condition}
       ORDER BY ${SORT_COLUMN[query.sort]} ${direction}, p.id ${direction} LIMIT @limit OFFSET @offset`,
    ).all(values) as SummaryRow[];
    const last = rows.at(-1);
    if (last && rows.length === query.limit) {
      if (this.walkEnds.size > 50) this.walkEnds.clear();
      this.walkEnds.set(endKey, { offset: query.offset + rows.length, value: last[SORT_FIELD[query.sort]], id: last.id });
    }
    const items = rows.map(toSummary);
    const key = totalKey(filters, params, state.search);
    const known = this.totals.get(key);
    if (known !== undefined) return { total: known, items };
    if (items.length < query.limit && (items.length > 0 || query.offset === 0)) {
      // The walk reached the end: that is the exact total.
      this.remember(key, query.offset + items.length);
      return { total: query.offset + items.length, items };
    }
    const estimate = Math.round(state.density * this.countCached(filters, params));
    const atLeast = query.offset + items.length + (items.length === query.limit ? 1 : 0);
    return { total: Math.max(estimate, atLeast), items, estimated: true };
  }

  /** The number of photos passing `filters` and the search, if any; remembered until the next write. */
  private exactTotal(query: ParsedQuery, filters: string[], params: Record<string, unknown>, state: SearchState | null): number {
    if (!state) return this.countCached(filters, params);
    const key = totalKey(filters, params, state.search);
    let total = this.totals.get(key);
    if (total === undefined) {
      total = query.trashed
        ? // The trash is small: each of its photos is tested.
          (this.prepare(`SELECT count(*) FROM photos p WHERE ${[...filters, searchFilter(state)].join(' AND ')}`)
            .pluck()
            .get({ ...params, ...(state.collected ? {} : state.terms.params) }) as number)
        : this.countMatches(filters, params, state);
      this.remember(key, total);
    }
    return total;
  }

  /** Counts the matches of a search outside the trash that pass `filters`. */
  private countMatches(filters: string[], params: Record<string, unknown>, state: SearchState): number {
    const onlyTrash = filters.length === 1;
    /** The photos in temp.search_hits that pass the filters. */
    const collectedPassing = (): number =>
      this.prepare(`SELECT count(*) FROM temp.search_hits h CROSS JOIN photos p ON p.id = h.id WHERE ${filters.join(' AND ')}`)
        .pluck()
        .get(params) as number;
    if (state.collected && state.inverted) {
      // The photos passing the filters, minus those of them that do not match.
      return this.countCached(filters, params) - collectedPassing();
    }
    if (state.collected) {
      if (!onlyTrash) return collectedPassing();
      // The matches minus those in the trash (few), without joining every match.
      const trashed = this.prepare(
        'SELECT count(*) FROM photos p WHERE p.trashed_at IS NOT NULL AND EXISTS (SELECT 1 FROM temp.search_hits h WHERE h.id = p.id)',
      )
        .pluck()
        .get() as number;
      return state.count - trashed;
    }
    const { source, where, values } = this.matches(state);
    if (!onlyTrash) {
      // Matches first, in rowid order, then their photo rows: the filters are tested on matches only.
      return this.prepare(`SELECT count(*) FROM ${source} CROSS JOIN photos p ON p.id = s.id WHERE ${where} AND ${filters.join(' AND ')}`)
        .pluck()
        .get({ ...params, ...values }) as number;
    }
    const all = this.prepare(`SELECT count(*) FROM ${source} WHERE ${where}`).pluck().get(values) as number;
    const trashed = this.prepare(
      `SELECT count(*) FROM photos p WHERE p.trashed_at IS NOT NULL
         AND EXISTS (SELECT 1 FROM photo_search_content s WHERE s.id = p.id AND ${state.terms.condition})`,
    )
      .pluck()
      .get(state.terms.params) as number;
    return all - trashed;
  }

  /**
   * The rows of `photo_search_content s` that are the matches of a search, trashed ones included:
   * the trigram candidates checked one by one when they are few enough, else every text read once.
   */
  private matches(state: SearchState): { source: string; where: string; values: Record<string, unknown> } {
    if (state.terms.ftsQuery !== null && (state.narrow || state.density <= this.scanDensity)) {
      // The index gives candidates in rowid order, each text read by its rowid.
      return {
        source: 'photo_search f CROSS JOIN photo_search_content s ON s.id = f.rowid',
        where: `f.photo_search MATCH @match AND ${state.terms.condition}`,
        values: { ...state.terms.params, match: state.terms.ftsQuery },
      };
    }
    return { source: 'photo_search_content s', where: state.terms.condition, values: state.terms.params };
  }

  /**
   * Counting 100,000 rows for every page of a scroll is the slowest part of a page; the count only
   * changes when something is written, which `data_version` (other connections) and
   * `total_changes()` (this one) tell.
   */
  private dataVersion(): string {
    return `${this.db.pragma('data_version', { simple: true })}:${this.prepare('SELECT total_changes()').pluck().get()}`;
  }

  /** Forgets totals and search plans once anything was written. */
  private refresh(): void {
    const version = this.dataVersion();
    if (version !== this.totalsVersion) {
      this.totals.clear();
      this.searches.clear();
      this.walkEnds.clear();
      this.collectedFor = null;
      this.totalsVersion = version;
    }
  }

  private remember(key: string, total: number): void {
    if (this.totals.size > 200) this.totals.clear();
    this.totals.set(key, total);
  }

  /** The number of photos passing `filters` (no search); remembered until the next write. */
  private countCached(filters: string[], params: Record<string, unknown>): number {
    this.refresh();
    const key = totalKey(filters, params, '');
    let total = this.totals.get(key);
    if (total === undefined) {
      total = this.prepare(`SELECT count(*) FROM photos p WHERE ${filters.join(' AND ')}`).pluck().get(params) as number;
      this.remember(key, total);
    }
    return total;
  }

  /**
   * Plans a search once per text while the data stays the same: a narrow one (few trigram
   * candidates, or only short words that a sample finds rarely) is collected at once; a broad one
   * gets an estimate of the share of the library it matches.
   */
  private searchState(search: string | undefined): SearchState | null {
    const terms = parseSearch(search ?? '');
    if (!terms) return null;
    const text = search!.trim();
    this.refresh();
    const cached = this.searches.get(text);
    if (cached) {
      // Another search has the temp table now; a narrow one is collected again (cheap), a broad one walks.
      if (cached.collected && this.collectedFor !== text) {
        cached.collected = false;
        if (cached.narrow) this.collect(cached);
      }
      return cached;
    }
    const state: SearchState = { search: text, terms, density: 1, narrow: false, collected: false, inverted: false, count: 0 };
    if (terms.ftsQuery) {
      const candidates = this.prepare(
        'SELECT count(*) AS n, max(rowid) AS last FROM (SELECT rowid FROM photo_search WHERE photo_search MATCH @match LIMIT @limit)',
      ).get({ match: terms.ftsQuery, limit: this.narrowSearch + 1 }) as { n: number; last: number | null };
      state.narrow = candidates.n <= this.narrowSearch;
      if (!state.narrow) {
        // Candidates come in rowid order: this many among the rows up to the last one is the share.
        // Those rows are estimated from the ids (which have few gaps), not counted: SQLite counts a
        // whole table and finds its largest id without reading the rows, in two statements.
        const rows = this.prepare('SELECT count(*) FROM photo_search_content').pluck().get() as number;
        const lastId = this.prepare('SELECT max(id) FROM photo_search_content').pluck().get() as number;
        state.density = Math.min(1, candidates.n / Math.max(1, (candidates.last! * rows) / lastId));
      }
    } else {
      const sampled = this.prepare(
        `SELECT count(*) AS rows, coalesce(sum(${terms.condition}), 0) AS hits
         FROM (SELECT * FROM photo_search_content ORDER BY id LIMIT ${SAMPLE_ROWS}) s`,
      ).get(terms.params) as { rows: number; hits: number };
      state.density = sampled.rows ? sampled.hits / sampled.rows : 0;
      state.narrow = state.density * this.countCached(['p.trashed_at IS NULL'], {}) <= this.narrowSearch;
    }
    if (state.narrow) this.collect(state);
    if (this.searches.size > 20) this.searches.clear();
    this.searches.set(text, state);
    return state;
  }

  /** Puts the ids of every match (trashed ones too) into temp.search_hits; one search at a time. */
  private collect(state: SearchState): void {
    if (state.collected && this.collectedFor === state.search) return;
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)');
    const inverted = !state.narrow && state.density > INVERT_DENSITY;
    const { source, where, values } = inverted
      ? { source: 'photo_search_content s', where: `NOT (${state.terms.condition})`, values: state.terms.params }
      : this.matches(state);
    const before = this.dataVersion();
    this.db.transaction(() => {
      this.prepare('DELETE FROM temp.search_hits').run();
      // In rowid order: an append.
      this.prepare(`INSERT INTO temp.search_hits (id) SELECT s.id FROM ${source} WHERE ${where}`).run(values);
    })();
    const stored = this.prepare('SELECT count(*) FROM temp.search_hits').pluck().get() as number;
    // Every photo has one search text.
    state.count = inverted ? (this.prepare('SELECT count(*) FROM photo_search_content').pluck().get() as number) - stored : stored;
    state.inverted = inverted;
    state.collected = true;
    this.collectedFor = state.search;
    // total_changes() counts the temp table too: that write is ours and changes no total.
    if (before === this.totalsVersion) this.totalsVersion = this.dataVersion();
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

  /** Writes a photo's search text again after its tags changed (nothing writes prompts yet: that line stays empty). */
  private refreshSearch(id: number): void {
    const row = this.prepare(
      `SELECT p.file_name AS fileName,
         (SELECT coalesce(group_concat(t.name, ' '), '') FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.photo_id = p.id) AS tags
       FROM photos p WHERE p.id = ?`,
    ).get(id) as { fileName: string; tags: string };
    this.prepare('UPDATE photo_search SET text = ? WHERE rowid = ?').run(searchText(row.fileName, row.tags), id);
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

type ParsedQuery = ReturnType<typeof PhotoQuerySchema.parse>;

const SORT_COLUMN = { takenAt: 'p.taken_at', importedAt: 'p.imported_at', fileName: 'p.file_name COLLATE NOCASE' } as const;

/** The query's conditions other than the search, on `photos p`; the first is always the trash state. */
function filterSql(query: ParsedQuery): { filters: string[]; params: Record<string, unknown> } {
  const filters: string[] = [query.trashed ? 'p.trashed_at IS NOT NULL' : 'p.trashed_at IS NULL'];
  const params: Record<string, unknown> = {};
  if (query.minRating !== undefined && query.minRating > 0) {
    filters.push('p.rating >= @minRating');
    params.minRating = query.minRating;
  }
  if (query.colorLabel) {
    filters.push('p.color_label = @colorLabel');
    params.colorLabel = query.colorLabel;
  }
  if (query.tag) {
    filters.push('p.id IN (SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = @tag)');
    params.tag = query.tag;
  }
  if (query.albumId !== undefined) {
    filters.push('p.id IN (SELECT photo_id FROM album_photos WHERE album_id = @albumId)');
    params.albumId = query.albumId;
  }
  return { filters, params };
}

/** The search as a condition on `photos p`: the collected matches (or non-matches), or each row tested (the trash, which is small). */
function searchFilter(state: SearchState): string {
  if (state.collected) return state.inverted ? 'p.id NOT IN (SELECT id FROM temp.search_hits)' : 'p.id IN (SELECT id FROM temp.search_hits)';
  return `EXISTS (SELECT 1 FROM photo_search_content s WHERE s.id = p.id AND ${state.terms.condition})`;
}

const SORT_FIELD = { takenAt: 'taken_at', importedAt: 'imported_at', fileName: 'file_name' } as const;

/**
 * The rows after a given one in the page order (NULL sorts first, so last when descending), as a
 * condition on `photos p` with @afterValue and @afterId.
 */
function afterRow(query: ParsedQuery, afterNull: boolean): string {
  const column = SORT_COLUMN[query.sort];
  if (query.order === 'asc') {
    return afterNull
      ? `(${column} IS NOT NULL OR p.id > @afterId)`
      : `(${column} > @afterValue OR (${column} = @afterValue AND p.id > @afterId))`;
  }
  return afterNull
    ? `(${column} IS NULL AND p.id < @afterId)`
    : `(${column} < @afterValue OR (${column} = @afterValue AND p.id < @afterId) OR ${column} IS NULL)`;
}

function walkKey(query: ParsedQuery, filters: string[], params: Record<string, unknown>, search: string): string {
  return `${query.sort} ${query.order}|${totalKey(filters, params, search)}`;
}

function totalKey(filters: string[], params: Record<string, unknown>, search: string): string {
  return `${filters.join(' AND ')}|${JSON.stringify(params)}|${search}`;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
