/**
 * A library of 100,000 photo rows, built fast through the library service, and the time the
 * grid's queries take on it.
 */
import { createHash } from 'node:crypto';
import type { ColorLabel, PhotoQuery } from '../shared/contract/api.js';
import type { Library, NewPhoto } from '../electron/services/library/library.js';
import { openServices } from '../electron/services/index.js';
import { log, machineCpu, prng, stats, type Stats } from './common.js';

export const TAGS: { name: string; share: number }[] = [
  { name: 'family', share: 0.1 },
  { name: 'travel', share: 0.08 },
  { name: '旅行', share: 0.03 },
  { name: 'favourite', share: 0.02 },
  { name: 'portfolio', share: 0.005 },
];
const LABELS: ColorLabel[] = ['red', 'yellow', 'green', 'blue', 'purple'];
const CHINESE_PREFIXES = ['家庭照片', '旅行照片', '生日聚会', '毕业典礼', '春节团圆'];

export interface BuiltLibrary {
  rows: number;
  fileNames: string[];
  insertMs: number;
  annotateMs: number;
  ids: number[];
}

/** Creates `rows` synthetic photos in the library at `libraryDir` (which should be new). */
export async function buildLibrary(libraryDir: string, rows: number): Promise<BuiltLibrary> {
  const services = await openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
  try {
    const { library } = services;
    const random = prng(20240601);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const fileNames: string[] = [];
    const ids: number[] = [];
    const from = Date.UTC(2005, 0, 1);
    const span = Date.UTC(2025, 0, 1) - from;
    const importedFrom = Date.UTC(2020, 0, 1);
    const importedSpan = Date.UTC(2025, 6, 1) - importedFrom;

    const insertStarted = performance.now();
    library.db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const fileName =
          random() < 0.05
            ? `${pick(CHINESE_PREFIXES)}_${Math.floor(random() * 1000)}.jpg`
            : `IMG_${String(Math.floor(random() * 100_000)).padStart(5, '0')}.jpg`;
        const takenAt = random() < 0.02 ? null : new Date(from + random() * span).toISOString().slice(0, 19);
        const landscape = random() < 0.7;
        const photo: NewPhoto = {
          sha256: createHash('sha256').update(`bench-photo-${i}`).digest('hex'),
          fileName,
          sourcePath: `/Users/bench/Pictures/${fileName}`,
          format: 'jpeg',
          byteSize: 4_000_000 + Math.floor(random() * 6_000_000),
          width: landscape ? 6000 : 4000,
          height: landscape ? 4000 : 6000,
          orientation: 1,
          takenAt,
          cameraMake: 'Canon',
          cameraModel: 'EOS R6',
          lens: 'RF24-105mm F4 L IS USM',
          iso: 100 * (1 + Math.floor(random() * 32)),
          exposureTime: 1 / (30 + Math.floor(random() * 2000)),
          fNumber: 4,
          focalLength: 24 + Math.floor(random() * 81),
          gpsLatitude: null,
          gpsLongitude: null,
        };
        const id = library.insertPhoto(photo, new Date(importedFrom + random() * importedSpan).toISOString());
        if (id === null) throw new Error('duplicate synthetic row');
        fileNames.push(fileName);
        ids.push(id);
      }
    })();
    const insertMs = performance.now() - insertStarted;

    const annotateStarted = performance.now();
    const byRating = new Map<number, number[]>();
    const byLabel = new Map<ColorLabel, number[]>();
    for (const id of ids) {
      const rating = Math.floor(random() * 6);
      if (rating > 0) {
        const list = byRating.get(rating) ?? [];
        list.push(id);
        byRating.set(rating, list);
      }
      if (random() < 0.1) {
        const label = pick(LABELS);
        const list = byLabel.get(label) ?? [];
        list.push(id);
        byLabel.set(label, list);
      }
    }
    for (const [rating, list] of byRating) library.setRating(list, rating);
    for (const [label, list] of byLabel) library.setColorLabel(list, label);
    for (const tag of TAGS) {
      const tagged = ids.filter(() => random() < tag.share);
      library.addTags(tagged, [tag.name]);
    }
    const annotateMs = performance.now() - annotateStarted;
    log(`library: ${rows} rows inserted in ${(insertMs / 1000).toFixed(1)} s, ratings/labels/tags in ${(annotateMs / 1000).toFixed(1)} s`);
    return { rows, fileNames, insertMs, annotateMs, ids };
  } finally {
    services.close();
  }
}

export interface QueryFigure {
  name: string;
  query: string;
  stats: Stats;
  /** Median number of matching rows (the `total` the grid shows). */
  medianTotal: number;
  /** Cores the rest of the machine kept busy meanwhile (Linux), a sign of a noisy measurement. */
  othersCores: number | null;
}

/** Times `library.list` for one kind of query: `runs` timed calls after a few untimed ones. */
export function timeQuery(
  library: Library,
  name: string,
  describe: string,
  makeQuery: (i: number) => PhotoQuery,
  runs: number,
): QueryFigure {
  const warmup = 10;
  const samples: number[] = [];
  const totals: number[] = [];
  globalThis.gc?.();
  const machineBefore = machineCpu();
  const ownBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let i = 0; i < warmup + runs; i++) {
    const query = makeQuery(i);
    const started = performance.now();
    const page = library.list(query);
    const elapsed = performance.now() - started;
    if (i >= warmup) {
      samples.push(elapsed);
      totals.push(page.total);
    }
  }
  const wall = performance.now() - wallBefore;
  const own = process.cpuUsage(ownBefore);
  const machineAfter = machineCpu();
  const othersCores =
    machineBefore && machineAfter
      ? Math.max(0, machineAfter.busyMs - machineBefore.busyMs - (own.user + own.system) / 1000) / wall
      : null;
  totals.sort((a, b) => a - b);
  return { name, query: describe, stats: stats(samples), medianTotal: totals[Math.floor(totals.length / 2)] ?? 0, othersCores };
}

/** A random 4-character window of a random existing name (any position, extension included). */
export function searchTerms(fileNames: readonly string[], count: number, seed: number, filter?: (term: string) => boolean): string[] {
  const random = prng(seed);
  const terms: string[] = [];
  while (terms.length < count) {
    const chars = [...fileNames[Math.floor(random() * fileNames.length)]!];
    const start = Math.floor(random() * (chars.length - 3));
    const term = chars.slice(start, start + 4).join('');
    if (!filter || filter(term)) terms.push(term);
  }
  return terms;
}

/**
 * Times a search the way the grid meets it, each term typed for the first time (no plan, no
 * collected matches, no counted total): the first page of 200 with the total that comes with it
 * (an estimate when the term is broad), then what the grid asks for next — the lookahead page, the
 * exact count (only when the first page estimated it), a page at a random offset — each its own
 * figure, and the three first calls together.
 */
export function timeSearch(
  library: Library,
  name: string,
  describe: string,
  terms: readonly string[],
  runs: number,
  filters: PhotoQuery = {},
): QueryFigure[] {
  const warmup = 10;
  const first: number[] = [];
  const lookahead: number[] = [];
  const counts: number[] = [];
  const later: number[] = [];
  const together: number[] = [];
  const totals: number[] = [];
  let estimated = 0;
  const random = prng(4242);
  globalThis.gc?.();
  const machineBefore = machineCpu();
  const ownBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let i = 0; i < warmup + runs; i++) {
    const search = terms[i % terms.length]!;
    library.forgetSearches();
    let started = performance.now();
    const page = library.list({ ...filters, search, limit: 200 });
    const firstMs = performance.now() - started;
    started = performance.now();
    library.list({ ...filters, search, limit: 200, offset: 200 });
    const lookaheadMs = performance.now() - started;
    let countMs = 0;
    let total = page.total;
    if (page.estimated) {
      started = performance.now();
      total = library.countMatching({ ...filters, search });
      countMs = performance.now() - started;
    }
    started = performance.now();
    library.list({ ...filters, search, limit: 200, offset: Math.floor(random() * Math.max(1, total - 200)) });
    const laterMs = performance.now() - started;
    if (i < warmup) continue;
    first.push(firstMs);
    lookahead.push(lookaheadMs);
    if (page.estimated) {
      counts.push(countMs);
      estimated++;
    }
    later.push(laterMs);
    together.push(firstMs + lookaheadMs + countMs);
    totals.push(total);
  }
  const wall = performance.now() - wallBefore;
  const own = process.cpuUsage(ownBefore);
  const machineAfter = machineCpu();
  const othersCores =
    machineBefore && machineAfter ? Math.max(0, machineAfter.busyMs - machineBefore.busyMs - (own.user + own.system) / 1000) / wall : null;
  totals.sort((a, b) => a - b);
  const medianTotal = totals[Math.floor(totals.length / 2)] ?? 0;
  const figure = (suffix: string, what: string, samples: number[]): QueryFigure => ({
    name: `${name}${suffix}`,
    query: what,
    stats: stats(samples.length ? samples : [0]),
    medianTotal,
    othersCores,
  });
  return [
    figure('', `${describe}: first page of 200 + the total it brings (estimated when broad: ${estimated} of ${runs})`, first),
    figure(', lookahead page', 'the second page the grid fetches with the first (offset 200)', lookahead),
    figure(
      ', exact count',
      `photos.count after an estimated first page (${estimated} of ${runs} terms): one pass over the folded texts, or the trigram candidates checked when few`,
      counts,
    ),
    figure(', page + lookahead + count', 'the three calls of a typed term, added (the lookahead goes on from where the first page stopped)', together),
    figure(', later page', 'a page at a random offset after the count', later),
  ];
}
