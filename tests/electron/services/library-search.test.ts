import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColorLabel, PhotoQuery } from '../../../shared/contract/api.js';
import { openDatabase } from '../../../electron/services/library/database.js';
import { Library, type NewPhoto } from '../../../electron/services/library/library.js';
import { tempDir } from '../../support/fixtures.js';
import { newPhotoRow } from '../../support/photo-row.js';

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
/** Names whose case folds beyond ASCII: accents, ß, Greek with its final sigma, the dotted İ. */
const FOLDED = ['Été à Paris', 'ÉTÉ_plage', 'Straße', 'STRASSE am Meer', 'ΟΔΟΣ Ερμού', 'İstanbul', 'Ærøskøbing'];
const TAGS = ['family', 'travel', '旅行', 'New York', 'favourite', '100%_real', 'Été', 'Größe'];
const LABELS: ColorLabel[] = ['red', 'yellow', 'green', 'blue', 'purple'];

function photoRow(i: number, fileName: string, random: () => number): NewPhoto {
  return newPhotoRow({
    sha256: i.toString(16).padStart(64, '0'),
    fileName,
    takenAt: random() < 0.05 ? null : new Date(Date.UTC(2010, 0, 1) + Math.floor(random() * 400) * 86_400_000).toISOString().slice(0, 19),
  });
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
            : `${pick(random() < 0.6 ? ENGLISH : FOLDED)} ${Math.floor(random() * 100)}.png`;
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
 * Case folding as the search defines it, written out here again: lower case, then the full upper
 * case (ß → SS), then lower case again, and the final sigma as σ.
 */
function fold(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, 'σ');
}

/**
 * The answer by brute force, on the plain tables: every word contained in the file name or a tag
 * once both are folded (String.includes in JavaScript), the filters as plain conditions, sorted in
 * SQL. It shares no code with the library's search.
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
      params[`w${i}`] = word;
      where.push(
        `(test_contains(file_name, @w${i}) OR EXISTS (SELECT 1 FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
           WHERE pt.photo_id = p.id AND test_contains(t.name, @w${i})))`,
      );
    });
  const column = { takenAt: 'taken_at', importedAt: 'imported_at', fileName: 'file_name COLLATE NOCASE' }[query.sort ?? 'takenAt'];
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  return library.db
    .prepare(`SELECT id FROM photos p WHERE ${where.join(' AND ')} ORDER BY ${column} ${direction}, id ${direction}`)
    .pluck()
    .all(params) as number[];
}

/** A random piece (1 to 6 characters) of an existing name or tag, its letters in random case. */
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
    library.db.function('test_contains', { deterministic: true }, (text, word) => (fold(String(text)).includes(fold(String(word))) ? 1 : 0));
  });
  afterAll(() => {
    library.db.close();
    tmp.cleanup();
  });

  /** Compares one query with the brute force: the page, and the total (exact, or counted after an estimate). */
  function expectSameAsBruteForce(query: PhotoQuery, searched = library): void {
    const expected = bruteForce(library, query);
    const page = searched.list(query);
    const offset = query.offset ?? 0;
    const context = JSON.stringify(query);
    expect(page.items.map((p) => p.id), context).toEqual(expected.slice(offset, offset + (query.limit ?? 200)));
    if (page.estimated) {
      expect(page.total, context).toBeGreaterThanOrEqual(offset + page.items.length);
      expect(searched.countMatching(query), context).toBe(expected.length);
    } else {
      expect(page.total, context).toBe(expected.length);
    }
    expect(searched.countMatching(query), context).toBe(expected.length);
  }

  it('gives the same pages and totals as a folded substring test over the rows, for many random terms, sorts and filters', () => {
    // Broad searches find every match through the trigram candidates or by reading every text,
    // depending on their share: both ways, and the default in between.
    for (const scanDensity of [0, 1, undefined]) {
      const searched = new Library(library.db, { narrowSearch: 150, walkRows: 600, ...(scanDensity === undefined ? {} : { scanDensity }) });
      const random = prng(11);
      let estimated = 0;
      for (let i = 0; i < 300; i++) {
        const query = randomQuery(random, names, album);
        if (searched.list(query).estimated) estimated++;
        expectSameAsBruteForce(query, searched);
      }
      // The random terms did reach the broad plan (estimated totals), not only narrow ones.
      expect(estimated).toBeGreaterThan(10);
    }
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
        // Deep pages out of sequence collect the matches (or, for the broadest, the photos that do
        // not match); from then on the total is exact.
        const offsets: number[] = [];
        for (let offset = 100; offset < expected.length; offset += 400) offsets.push(offset);
        const pages = new Map<number, number[]>();
        for (const offset of [...offsets].reverse()) pages.set(offset, fresh.list({ ...query, offset, limit: 400 }).items.map((p) => p.id));
        expect([...first.items.map((p) => p.id), ...offsets.flatMap((offset) => pages.get(offset)!)]).toEqual(expected);
        expect(fresh.list({ ...query, limit: 100 }), search + sort).toMatchObject({ total: expected.length });
        expect(fresh.list({ ...query, limit: 100 }).estimated).toBeUndefined();
      }
    }
  });

  it('walks on from where the previous page stopped, in every order, undated photos and filters included', () => {
    for (const search of ['img_', 'g', '.JP']) {
      for (const sort of ['takenAt', 'importedAt', 'fileName'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          for (const filters of [{}, { minRating: 1 }]) {
            const fresh = new Library(library.db, { narrowSearch: 150, walkRows: 600 });
            const query: PhotoQuery = { search, sort, order, ...filters };
            const expected = bruteForce(library, query);
            const context = JSON.stringify(query);
            expect(expected.length, context).toBeGreaterThan(1000);
            // To the end, far beyond what a walk may test from the start: each page goes on from the previous one.
            const ids: number[] = [];
            for (let offset = 0; offset < expected.length; offset += 60) {
              const page = fresh.list({ ...query, offset, limit: 60 });
              if (offset + 60 < expected.length) expect(page.estimated, `${context} at ${offset}`).toBe(true);
              else if (page.items.length < 60) expect(page.total, context).toBe(expected.length);
              ids.push(...page.items.map((p) => p.id));
            }
            expect(ids, context).toEqual(expected);
            // A page out of sequence starts over (and, this deep, collects the matches).
            expect(fresh.list({ ...query, offset: 300, limit: 60 }).items.map((p) => p.id), context).toEqual(expected.slice(300, 360));
            expect(fresh.list({ ...query, offset: 1140, limit: 60 }).items.map((p) => p.id), context).toEqual(expected.slice(1140, 1200));
          }
        }
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

describe('search folds case for all of Unicode', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: ReturnType<typeof openDatabase>;
  const id: Record<string, number> = {};

  beforeAll(() => {
    tmp = tempDir();
    db = openDatabase(path.join(tmp.dir, 'library.sqlite3'));
    const library = new Library(db);
    const random = prng(3);
    const names = {
      ete: 'été 2019.jpg',
      ETE: 'ÉTÉ_plage.JPG',
      strasse: 'Straße.jpg',
      STRASSE: 'STRASSE 2.jpg',
      odos: 'ΟΔΟΣ.jpg',
      family: '家庭照片.jpg',
      tagged: 'IMG_0001.jpg',
    };
    Object.entries(names).forEach(([key, name], i) => (id[key] = library.insertPhoto(photoRow(i + 1, name, random))!));
    library.addTags([id.tagged!], ['Été']);
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  // Narrow (collected through the index), and broad (walked) with every match found both ways.
  const plans = [{}, { narrowSearch: 0, scanDensity: 0 }, { narrowSearch: 0, scanDensity: 1 }];

  function found(search: string): string[] {
    const answers = plans.map((tuning) => {
      const library = new Library(db, tuning);
      const page = library.list({ search, sort: 'fileName', order: 'asc' });
      expect(library.countMatching({ search }), search).toBe(page.items.length);
      return page.items.map((p) => Object.keys(id).find((key) => id[key] === p.id)!).sort();
    });
    expect(answers[1], search).toEqual(answers[0]);
    expect(answers[2], search).toEqual(answers[0]);
    return answers[0]!;
  }

  it('"ÉTÉ", "été" and "Été" find the same names and tags; accents still count', () => {
    for (const search of ['ÉTÉ', 'été', 'Été', 'éTé', 'ÉT', 'té']) expect(found(search), search).toEqual(['ETE', 'ete', 'tagged']);
    expect(found('ete')).toEqual([]);
    expect(found('ÉTÉ 2019')).toEqual(['ete']);
  });

  it('folds ß to ss: "Straße", "STRASSE", "strasse" and "STRAẞE" find both spellings', () => {
    for (const search of ['Straße', 'STRASSE', 'strasse', 'STRAẞE', 'ß', 'SS']) expect(found(search), search).toEqual(['STRASSE', 'strasse']);
    expect(found('strase')).toEqual([]);
  });

  it('finds Greek with either sigma, and leaves Chinese as it is', () => {
    for (const search of ['οδος', 'ΟΔΟΣ', 'οδοσ', 'ΟΣ', 'ος']) expect(found(search), search).toEqual(['odos']);
    for (const search of ['家庭照片', '照片', '家庭照片.JPG', '庭']) expect(found(search), search).toEqual(['family']);
    expect(found('家庭照片 ÉTÉ')).toEqual([]);
  });
});
