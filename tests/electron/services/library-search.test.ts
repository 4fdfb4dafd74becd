import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColorLabel, PhotoQuery } from '../../../shared/contract/api.js';
import { openDatabase } from '../../../electron/services/library/database.js';
import { Library, type NewPhoto } from '../../../electron/services/library/library.js';
import { tempDir } from '../../support/fixtures.js';

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHINESE = ['家庭照片', '旅行照片', '生日聚会', '毕业典礼', '春节团圆'];
const ENGLISH = ['Beach_Day', 'beach-party', 'Chelsea the Cat', 'SUNSET over Sea', 'snow 50% off', 'Img_copy'];
const TAGS = ['family', 'travel', '旅行', 'New York', 'favourite', '100%_real'];
const LABELS: ColorLabel[] = ['red', 'yellow', 'green', 'blue', 'purple'];

function photoRow(i: number, fileName: string, random: () => number): NewPhoto {
  return {
    sha256: i.toString(16).padStart(64, '0'),
    fileName,
    sourcePath: null,
    format: 'jpeg',
    byteSize: 1000,
    width: 600,
    height: 400,
    orientation: 1,
    takenAt: random() < 0.05 ? null : new Date(Date.UTC(2010, 0, 1) + Math.floor(random() * 400) * 86_400_000).toISOString().slice(0, 19),
    cameraMake: null,
    cameraModel: null,
    lens: null,
    iso: null,
    exposureTime: null,
    fNumber: null,
    focalLength: null,
    gpsLatitude: null,
    gpsLongitude: null,
  };
}

/** Mostly camera names (a broad "IMG_"), some English and Chinese names, tags, labels, an album and a trash. */
function fillLibrary(library: Library, rows: number, seed: number): { names: string[]; album: number } {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const names: string[] = [];
  const ids: number[] = [];
  library.db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const r = random();
      const name =
        r < 0.8
          ? `IMG_${String(Math.floor(random() * 10_000)).padStart(4, '0')}.${random() < 0.9 ? 'jpg' : 'JPG'}`
          : r < 0.9
            ? `${pick(CHINESE)}_${Math.floor(random() * 100)}.jpg`
            : `${pick(ENGLISH)} ${Math.floor(random() * 100)}.png`;
      names.push(name);
      ids.push(library.insertPhoto(photoRow(i + 1, name, random), new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString())!);
    }
  })();
  for (let rating = 1; rating <= 5; rating++) library.setRating(ids.filter(() => random() < 0.15), rating);
  for (const label of LABELS) library.setColorLabel(ids.filter(() => random() < 0.04), label);
  for (const tag of TAGS) library.addTags(ids.filter(() => random() < 0.08), [tag]);
  const album = library.createAlbum('Picked');
  library.addToAlbum(album, ids.filter(() => random() < 0.1));
  library.trash(ids.filter(() => random() < 0.03));
  return { names, album };
}

/**
 * The answer by brute force, on the plain tables: every word LIKE-contained in the file name or a
 * tag, the filters as plain conditions, sorted in SQL. It shares no code with the library's search.
 */
function bruteForce(library: Library, query: PhotoQuery): number[] {
  const where = [query.trashed ? 'trashed_at IS NOT NULL' : 'trashed_at IS NULL'];
  const params: Record<string, unknown> = {};
  if (query.minRating) {
    where.push('rating >= @minRating');
    params.minRating = query.minRating;
  }
  if (query.colorLabel) {
    where.push('color_label = @colorLabel');
    params.colorLabel = query.colorLabel;
  }
  if (query.tag) {
    where.push('EXISTS (SELECT 1 FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.photo_id = p.id AND t.name = @tag)');
    params.tag = query.tag;
  }
  if (query.albumId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM album_photos a WHERE a.photo_id = p.id AND a.album_id = @albumId)');
    params.albumId = query.albumId;
  }
  (query.search ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .forEach((word, i) => {
      params[`w${i}`] = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        `(file_name LIKE @w${i} ESCAPE '\\' OR EXISTS (SELECT 1 FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
           WHERE pt.photo_id = p.id AND t.name LIKE @w${i} ESCAPE '\\'))`,
      );
    });
  const column = { takenAt: 'taken_at', importedAt: 'imported_at', fileName: 'file_name COLLATE NOCASE' }[query.sort ?? 'takenAt'];
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  return library.db
    .prepare(`SELECT id FROM photos p WHERE ${where.join(' AND ')} ORDER BY ${column} ${direction}, id ${direction}`)
    .pluck()
    .all(params) as number[];
}

/** A random piece (1 to 6 characters) of an existing name or tag, its ASCII letters in random case. */
function randomTerm(random: () => number, names: readonly string[]): string {
  const source = random() < 0.85 ? names[Math.floor(random() * names.length)]! : TAGS[Math.floor(random() * TAGS.length)]!;
  const chars = [...source];
  const length = 1 + Math.floor(random() * 6);
  const start = Math.floor(random() * Math.max(1, chars.length - length + 1));
  return chars
    .slice(start, start + length)
    .map((c) => (random() < 0.3 ? c.toUpperCase() : c.toLowerCase()))
    .join('');
}

function randomQuery(random: () => number, names: readonly string[], album: number): PhotoQuery {
  const words = [randomTerm(random, names)];
  if (random() < 0.2) words.push(randomTerm(random, names));
  if (random() < 0.03) words.push('no-such-thing');
  const query: PhotoQuery = {
    search: (random() < 0.1 ? ' ' : '') + words.filter((word) => word.trim() !== '').join(' '),
    sort: (['takenAt', 'importedAt', 'fileName'] as const)[Math.floor(random() * 3)]!,
    order: random() < 0.5 ? 'asc' : 'desc',
    trashed: random() < 0.08,
    limit: 1 + Math.floor(random() * 120),
    offset: random() < 0.5 ? 0 : Math.floor(random() * 900),
  };
  if (random() < 0.2) query.minRating = 1 + Math.floor(random() * 5);
  if (random() < 0.1) query.colorLabel = LABELS[Math.floor(random() * LABELS.length)]!;
  if (random() < 0.1) query.tag = TAGS[Math.floor(random() * TAGS.length)]!;
  if (random() < 0.1) query.albumId = album;
  return query;
}

describe('search', () => {
  let tmp: ReturnType<typeof tempDir>;
  let library: Library;
  let names: string[];
  let album: number;

  beforeAll(() => {
    tmp = tempDir();
    // Small thresholds, so 3,000 rows reach every plan: narrow, a walk of the sort index, collected.
    library = new Library(openDatabase(path.join(tmp.dir, 'library.sqlite3')), { narrowSearch: 150, walkRows: 600 });
    ({ names, album } = fillLibrary(library, 3000, 7));
  });
  afterAll(() => {
    library.db.close();
    tmp.cleanup();
  });

  /** Compares one query with the brute force: the page, and the total (exact, or counted after an estimate). */
  function expectSameAsBruteForce(query: PhotoQuery): void {
    const expected = bruteForce(library, query);
    const page = library.list(query);
    const offset = query.offset ?? 0;
    const context = JSON.stringify(query);
    expect(page.items.map((p) => p.id), context).toEqual(expected.slice(offset, offset + (query.limit ?? 200)));
    if (page.estimated) {
      expect(page.total, context).toBeGreaterThanOrEqual(offset + page.items.length);
      expect(library.countMatching(query), context).toBe(expected.length);
    } else {
      expect(page.total, context).toBe(expected.length);
    }
    expect(library.countMatching(query), context).toBe(expected.length);
  }

  it('gives the same pages and totals as a LIKE over the rows, for many random terms, sorts and filters', () => {
    const random = prng(11);
    let estimated = 0;
    for (let i = 0; i < 400; i++) {
      const query = randomQuery(random, names, album);
      if (library.list(query).estimated) estimated++;
      expectSameAsBruteForce(query);
    }
    // The random terms did reach the broad plan (estimated totals), not only narrow ones.
    expect(estimated).toBeGreaterThan(10);
  });

  it('pages through a broad search in order, from the sort index and then from the collected matches', () => {
    for (const search of ['img_', 'IMG', '.jp', 'g', '1']) {
      for (const sort of ['takenAt', 'importedAt', 'fileName'] as const) {
        // A fresh service on the same database: nothing planned or counted yet.
        const fresh = new Library(library.db, { narrowSearch: 150, walkRows: 600 });
        const query: PhotoQuery = { search, sort, order: 'desc' };
        const expected = bruteForce(library, query);
        expect(expected.length).toBeGreaterThan(500);
        const first = fresh.list({ ...query, limit: 100 });
        expect(first.estimated, search).toBe(true);
        expect(first.items.map((p) => p.id)).toEqual(expected.slice(0, 100));
        // Deep pages collect the matches; from then on the total is exact.
        const ids: number[] = [...first.items.map((p) => p.id)];
        for (let offset = 100; offset < expected.length; offset += 400) {
          ids.push(...fresh.list({ ...query, offset, limit: 400 }).items.map((p) => p.id));
        }
        expect(ids).toEqual(expected);
        expect(fresh.list({ ...query, limit: 100 }), search + sort).toMatchObject({ total: expected.length });
        expect(fresh.list({ ...query, limit: 100 }).estimated).toBeUndefined();
      }
    }
  });

  it('finds English and Chinese names and tags, short terms, several words, and takes % and _ literally', () => {
    const cases = ['家庭', '家庭照片', '照', '旅行', 'new york', 'NEW', 'chelsea cat', 'sea', 'Se', '50%', '%', '_', '100%_', 'img_0', 'beach_day', 'beach-', 'ab', 'zzz', '"', 'a"b'];
    for (const search of cases) {
      const expected = bruteForce(library, { search });
      expect(library.countMatching({ search }), search).toBe(expected.length);
      expectSameAsBruteForce({ search, limit: 50 });
    }
    expect(bruteForce(library, { search: '家庭照片' }).length).toBeGreaterThan(0);
    expect(bruteForce(library, { search: '%' }).length).toBeGreaterThan(0);
    expect(bruteForce(library, { search: 'chelsea cat' }).length).toBeGreaterThan(0);
  });

  it('stays right while typing back and forth and after each change to the library', () => {
    const random = prng(23);
    const typed = ['I', 'IM', 'IMG', 'IMG_', 'IMG_1', 'IMG_12', 'IMG_1', 'IMG_', '家', '家庭', 'IMG_'];
    for (const search of typed) expectSameAsBruteForce({ search, limit: 200 });
    const some = bruteForce(library, { search: 'IMG_1' }).slice(0, 40);
    library.setRating(some, 5);
    expectSameAsBruteForce({ search: 'IMG_1', minRating: 5, limit: 200 });
    library.addTags(some.slice(0, 10), ['imgtag']);
    expectSameAsBruteForce({ search: 'imgtag', limit: 200 });
    expectSameAsBruteForce({ search: 'IMG_', limit: 200, offset: 1000 });
    library.trash(some.slice(0, 20));
    for (const search of typed) {
      expectSameAsBruteForce({ search, limit: 200 });
      expectSameAsBruteForce({ search, trashed: true, limit: 200 });
    }
    library.restore(some.slice(0, 20));
    const newId = library.insertPhoto(photoRow(99_999, 'IMG_new_one.jpg', random))!;
    expect(library.list({ search: 'new_one' }).items.map((p) => p.id)).toEqual([newId]);
    for (let i = 0; i < 60; i++) expectSameAsBruteForce(randomQuery(random, names, album));
  });
});
