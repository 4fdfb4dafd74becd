/**
 * Promptroom's benchmark: prints figures next to their targets. It never fails on timing; it
 * measures. `npm run bench` (BENCH_PHOTOS=N to import N photos instead of 200).
 *
 *   1. Import of 24-megapixel JPEGs, against sharp alone making the same thumbnails.
 *   2. Queries of the grid on a library of 100,000 rows.
 *   3. Opening a library: process start to the first page.
 *
 * The editor (`editor`, or each part by name: `replay`, `render`, `export`):
 *   E1. Replay of a 500-step history (stackAt from scratch) against structuredClone × 500.
 *   E2. One slider change re-rendered at proxy size in Chromium (and in Node), per-layer split.
 *   E3. Export of a 24-megapixel photo with five adjustment layers and a mask, against sharp alone.
 *
 * AI edits (`edit`, or `ai`), against a fake Gemini on 127.0.0.1:
 *   E4. Bytes uploaded per edit, answer → layer committed (unmasked, masked), the cached repeat.
 *
 * Restoration sessions (`session`):
 *   S1. Local-engine session throughput at 12 MP against the same LocalEngine.apply calls in a loop
 *       with the same photos in flight (BENCH_SESSION_PHOTOS, _ROUNDS, _RECIPE, _CONCURRENCY), peak RSS;
 *   S2. a 500-photo session (0.8 MP): RSS over the photos, event-loop delay (BENCH_SESSION_LONG_PHOTOS);
 *   S3. input latency in Chromium while a session runs (`session-ui` rows; BENCH_SESSION_UI=0 skips).
 *
 * Restoration (`restore`), issue 5's "Quality, measured":
 *   R1. Each degradation (noise, fading, cast, blur, JPEG, scratches, dust) of each sample photo
 *       restored: PSNR/SSIM before and after, gain, ms/MP, against a sharp operation of that kind;
 *   R2. LocalEngine.restore() on "old prints", quality and ms/MP against a sharp chain; R3. per
 *       sub-step timing (BENCH_RESTORE_RUNS, BENCH_RESTORE_PRINT_RUNS, BENCH_RESTORE_LARGE_MP).
 *
 * BENCH_ONLY=import,library,open,editor,edit,session,restore (all by default). Results also go to
 * dist/bench-results.json.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServices } from '../electron/services/index.js';
import { PREVIEW_EDGE, THUMB_EDGE } from '../electron/services/importer.js';
import { benchDir, fmt, log, median, prng, repoRoot, runChild, type ChildRun } from './common.js';
import { benchEdit } from './edit-bench.js';
import { benchExport } from './export-bench.js';
import { benchReplay } from './history-bench.js';
import { buildLibrary, searchTerms, timeQuery, timeSearch, type QueryFigure } from './library-bench.js';
import { PHOTO_HEIGHT, PHOTO_WIDTH } from './photos.js';
import { benchRender } from './render-bench.js';
import { benchRestore } from './restore-bench.js';
import { benchSession } from './session-bench.js';

const PHOTOS = positiveInt(process.env.BENCH_PHOTOS, 200);
const ROWS = positiveInt(process.env.BENCH_ROWS, 100_000);
const QUERY_RUNS = Math.max(200, positiveInt(process.env.BENCH_QUERY_RUNS, 300));
const OPEN_RUNS = 5;
/** Comma-separated subset of import,library,open,editor,edit,session,restore (all by default); see the top. */
const GROUPS: Record<string, string[]> = { editor: ['replay', 'render', 'export'], edit: ['ai'] };
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? 'import,library,open,editor,edit,session,restore')
    .split(',')
    .map((s) => s.trim())
    .flatMap((name) => [name, ...(GROUPS[name] ?? [])]),
);

interface Resources {
  maxRssKB: number;
  vmHwmKB: number | null;
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

interface BaselineResult extends Resources {
  count: number;
  elapsedMs: number;
  photosPerSecond: number;
}

interface BreakdownResult extends BaselineResult {
  steps: Record<string, number>;
}

interface PhotoSet {
  dir: string;
  files: string[];
  totalBytes: number;
  generated: number;
}

interface ImportResult extends BaselineResult {
  state: string;
  imported: number;
  duplicates: number;
  failed: { path: string; reason: string }[];
  openMs: number;
}

interface OpenResult {
  atStart: number;
  loaded: number;
  opened: number;
  listed: number;
  total: number;
  items: number;
}

interface SummaryRow {
  figure: string;
  value: string;
  target: string;
  ok: string;
}

const summary: SummaryRow[] = [];
const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / 1024 ** 2),
    photos: PHOTOS,
    rows: ROWS,
    queryRuns: QUERY_RUNS,
  },
};

function row(figure: string, value: string, target = '', ok: boolean | null = null): void {
  summary.push({ figure, value, target, ok: ok === null ? '' : ok ? 'yes' : 'NO' });
}

/** What the editor and edit benchmarks report through. */
const reporter = {
  row: (figure: string, value: string, target = '', ok: boolean | null = null) => row(figure, value, target, ok),
  table: (title: string, header: string[], rows: string[][]) => printTable(title, header, rows),
};

/** Runs one part; a failure is printed and recorded, and the rest still runs. */
async function part(name: string, body: () => Promise<unknown>): Promise<void> {
  try {
    results[name] = await body();
  } catch (error) {
    console.error(`\n${name} failed:`, error);
    results[name] = { error: error instanceof Error ? error.message : String(error) };
    row(`${name}: FAILED`, error instanceof Error ? error.message.split('\n')[0]!.slice(0, 80) : String(error));
  }
}

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function benchImport(): Promise<void> {
  log(`1. import of ${PHOTOS} photos of ${PHOTO_WIDTH}×${PHOTO_HEIGHT}`);
  // Generated in a child so this process stays small (see resourceFigures in common.ts).
  const photos = (await runChild<PhotoSet>('generate-child.js', [String(PHOTOS)], { inheritStderr: true })).result;
  log(`photos in ${photos.dir}: ${photos.files.length} files, ${(photos.totalBytes / 1024 ** 2).toFixed(0)} MB`);

  const runs: { label: string; run: ChildRun<BaselineResult>; imported?: ImportResult }[] = [];
  log('baseline (sharp alone), first run…');
  const baseline1 = await runChild<BaselineResult>('baseline-child.js', [photos.dir]);
  runs.push({ label: 'sharp baseline, 1st', run: baseline1 });
  log(`  ${fmt(baseline1.result.photosPerSecond, 2)} photos/s`);

  const libraryDir = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-import-'));
  let imported: ChildRun<ImportResult>;
  try {
    log(`promptroom import into ${libraryDir}…`);
    imported = await runChild<ImportResult>('import-child.js', [photos.dir, libraryDir]);
    runs.push({ label: 'promptroom import', run: imported, imported: imported.result });
    log(`  ${fmt(imported.result.photosPerSecond, 2)} photos/s`);
  } finally {
    await fs.rm(libraryDir, { recursive: true, force: true });
  }

  log('baseline (sharp alone), second run…');
  const baseline2 = await runChild<BaselineResult>('baseline-child.js', [photos.dir]);
  runs.push({ label: 'sharp baseline, 2nd', run: baseline2 });
  log(`  ${fmt(baseline2.result.photosPerSecond, 2)} photos/s`);

  const best = baseline1.result.photosPerSecond >= baseline2.result.photosPerSecond ? baseline1 : baseline2;
  const imp = imported.result;
  const ratio = imp.photosPerSecond / best.result.photosPerSecond;
  const rssMB = imp.peakRssKB / 1024;
  const mb = photos.totalBytes / 1024 ** 2;

  printTable(
    `1. Import of ${photos.files.length} JPEGs, ${PHOTO_WIDTH}×${PHOTO_HEIGHT} (${(mb / photos.files.length).toFixed(1)} MB each on average), preview ${PREVIEW_EDGE} px + thumb ${THUMB_EDGE} px, 2 workers`,
    ['run', 'photos', 'seconds', 'photos/s', 'MB/s in', 'CPU user+sys s', 'CPU use', 'others\' CPU', 'peak RSS MB', 'wall s'],
    runs.map(({ label, run, imported: i }) => {
      const r = run.result;
      const cpuMs = r.userCpuMs + r.systemCpuMs;
      return [
        label,
        String(i ? i.imported : r.count),
        fmt(r.elapsedMs / 1000, 2),
        fmt(r.photosPerSecond, 2),
        fmt(mb / (r.elapsedMs / 1000), 0),
        `${fmt(r.userCpuMs / 1000, 1)}+${fmt(r.systemCpuMs / 1000, 1)}`,
        `${fmt(cpuMs / r.elapsedMs, 2)} cores`,
        run.machineBusyMs === null ? '-' : `${fmt(Math.max(0, run.machineBusyMs - cpuMs) / run.wallMs, 2)} cores`,
        fmt(r.peakRssKB / 1024, 0),
        fmt(run.wallMs / 1000, 2),
      ];
    }),
  );
  console.log(`  (peak RSS: the child's own VmHWM; CPU use: the child's CPU time / elapsed; others' CPU: the rest of the machine's busy time meanwhile, out of ${os.cpus().length} cores)`);
  if (imp.failed.length > 0 || imp.imported !== photos.files.length) {
    console.log(`  warning: imported ${imp.imported} of ${photos.files.length}; failed: ${JSON.stringify(imp.failed.slice(0, 5))}`);
  }

  let breakdown: BreakdownResult | null = null;
  if (process.env.BENCH_BREAKDOWN === '1') {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-breakdown-'));
    try {
      log('breakdown of the import steps…');
      breakdown = (await runChild<BreakdownResult>('breakdown-child.js', [photos.dir, scratch])).result;
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
    const sum = Object.values(breakdown.steps).reduce((a, b) => a + b, 0);
    printTable(
      `1b. Where an import's time goes (the importer's steps re-enacted and timed, 2 workers, ${fmt(breakdown.photosPerSecond, 2)} photos/s)`,
      ['step', 'ms per photo', 'share'],
      Object.entries(breakdown.steps).map(([step, ms]) => [step, fmt(ms / breakdown!.count, 1), `${fmt((100 * ms) / sum, 0)}%`]),
    );
  }

  row('import photos/s (promptroom)', fmt(imp.photosPerSecond, 2));
  row('import photos/s (sharp baseline, best)', fmt(best.result.photosPerSecond, 2));
  row('import ratio', `${fmt(ratio, 2)}x`, '>= 0.8', ratio >= 0.8);
  row('import peak RSS', `${fmt(rssMB, 0)} MB`, '< 600 MB', rssMB < 600);
  results.import = {
    photos: photos.files.length,
    photoBytes: photos.totalBytes,
    directory: photos.dir,
    baselineRuns: [baseline1, baseline2].map((r) => ({ ...r.result, wallMs: r.wallMs })),
    promptroom: { ...imp, wallMs: imported.wallMs },
    baselinePhotosPerSecond: best.result.photosPerSecond,
    promptroomPhotosPerSecond: imp.photosPerSecond,
    ratio,
    peakRssMB: rssMB,
    breakdown,
  };
}

async function benchLibrary(libraryDir: string): Promise<void> {
  log(`2. library of ${ROWS} rows in ${libraryDir}`);
  const built = await buildLibrary(libraryDir, ROWS);

  // A fresh connection, as the app would have after a restart.
  const services = await openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
  const figures: (QueryFigure & { target?: number })[] = [];
  try {
    const { library } = services;
    const random = prng(777);
    const offsetIn = (total: number) => Math.floor(random() * Math.max(1, total - 200));
    const totalAll = library.list({ limit: 1 }).total;
    const totalRated = library.list({ minRating: 3, limit: 1 }).total;
    const totalFamily = library.list({ tag: 'family', limit: 1 }).total;

    figures.push(timeQuery(library, 'first page', "sort takenAt desc, limit 200, offset 0", () => ({ limit: 200 }), QUERY_RUNS));
    figures.push({
      ...timeQuery(
        library,
        'rated, by date',
        'sort takenAt desc, minRating 3, limit 200, random offset',
        () => ({ sort: 'takenAt', order: 'desc', minRating: 3, limit: 200, offset: offsetIn(totalRated) }),
        QUERY_RUNS,
      ),
      target: 10,
    });
    figures.push(
      timeQuery(
        library,
        'by file name',
        'sort fileName asc, limit 200, random offset',
        () => ({ sort: 'fileName', order: 'asc', limit: 200, offset: offsetIn(totalAll) }),
        QUERY_RUNS,
      ),
    );
    figures.push(
      timeQuery(
        library,
        'tag filter',
        `tag "family" (${totalFamily} photos), by date, limit 200, random offset`,
        () => ({ tag: 'family', limit: 200, offset: offsetIn(totalFamily) }),
        QUERY_RUNS,
      ),
    );
    // Each search timed as typed for the first time; see timeSearch for what each figure holds.
    const anyTerms = searchTerms(built.fileNames, QUERY_RUNS + 10, 1);
    const [typed, lookahead, count, together, later] = timeSearch(library, 'search (FTS)', '4-char substring of a random existing name', anyTerms, QUERY_RUNS);
    figures.push({ ...typed!, target: 20 }, lookahead!, count!, { ...together!, target: 20 }, later!);
    figures.push(...timeSearch(library, 'search + rating ≥ 3', 'the same terms with minRating 3', anyTerms, QUERY_RUNS, { minRating: 3 }).slice(0, 3));
    const digitTerms = searchTerms(built.fileNames, QUERY_RUNS + 10, 2, (t) => /^\d{4}$/.test(t));
    figures.push(timeSearch(library, 'search, digits only', '4 digits from a name, e.g. "2345"', digitTerms, QUERY_RUNS)[0]!);
    const chineseTerms = searchTerms(
      built.fileNames.filter((n) => /[\u4e00-\u9fff]/.test(n)),
      QUERY_RUNS + 10,
      3,
      (t) => /^[\u4e00-\u9fff]{4}$/.test(t),
    );
    figures.push(timeSearch(library, 'search, Chinese', '4 Chinese characters, e.g. "家庭照片"', chineseTerms, QUERY_RUNS)[0]!);
    figures.push(...timeSearch(library, 'search, broad', '"IMG_" (almost every row)', ['IMG_'], QUERY_RUNS).slice(0, 3));
    const shortTerms = searchTerms(built.fileNames, QUERY_RUNS + 10, 4).map((t) => t.slice(0, 2));
    figures.push(...timeSearch(library, 'search, 2 characters', 'first 2 characters of those pieces (no trigram)', shortTerms, QUERY_RUNS).slice(0, 3));
  } finally {
    services.close();
  }

  printTable(
    `2. Library of ${ROWS.toLocaleString('en')} rows (inserted in ${fmt(built.insertMs / 1000, 1)} s; ratings, labels, tags in ${fmt(built.annotateMs / 1000, 1)} s): library.list, ${QUERY_RUNS} runs each`,
    ['query', 'p50 ms', 'p95 ms', 'max ms', 'matches', 'others\' CPU', 'what'],
    figures.map((f) => [f.name, fmt(f.stats.p50, 2), fmt(f.stats.p95, 2), fmt(f.stats.max, 2), String(f.medianTotal), fmt(f.othersCores, 2), f.query]),
  );
  for (const f of figures) {
    const value = `p50 ${fmt(f.stats.p50, 2)} / p95 ${fmt(f.stats.p95, 2)} ms`;
    if (f.target !== undefined) row(`list: ${f.name} (p95)`, value, `< ${f.target} ms`, f.stats.p95 < f.target);
    else row(`list: ${f.name} (p95)`, value);
  }
  results.library = {
    rows: ROWS,
    insertMs: built.insertMs,
    annotateMs: built.annotateMs,
    queries: figures.map((f) => ({
      name: f.name,
      query: f.query,
      ...f.stats,
      medianTotal: f.medianTotal,
      othersCores: f.othersCores,
      targetP95Ms: f.target ?? null,
    })),
  };
}

async function benchOpen(libraryDir: string): Promise<void> {
  log(`3. opening the library (${OPEN_RUNS} runs)`);
  // One untimed run of each first, so the files are in the page cache for every timed run.
  await runChild<OpenResult>('open-child.js', [libraryDir]);
  await wallOfNoop(libraryDir);
  const opens: ChildRun<OpenResult>[] = [];
  const noops: number[] = [];
  for (let i = 0; i < OPEN_RUNS; i++) {
    opens.push(await runChild<OpenResult>('open-child.js', [libraryDir]));
    noops.push(await wallOfNoop(libraryDir));
  }
  const wall = median(opens.map((o) => o.wallMs));
  const noop = median(noops);
  const phase = (pick: (r: OpenResult) => number) => median(opens.map((o) => pick(o.result)));
  printTable(
    `3. Opening a library of ${(opens[0]?.result.total ?? 0).toLocaleString('en')} photos: spawn → first page of 200 → exit, median of ${OPEN_RUNS}`,
    ['step', 'ms'],
    [
      ['node start-up (spawn → exit, child does nothing)', fmt(noop, 0)],
      ['in child: script running (since process start)', fmt(phase((r) => r.atStart), 0)],
      ['in child: services loaded (import of index.js)', fmt(phase((r) => r.loaded), 0)],
      ['in child: library opened (openServices)', fmt(phase((r) => r.opened), 0)],
      ['in child: first page listed', fmt(phase((r) => r.listed), 0)],
      ['spawn → exit (wall)', fmt(wall, 0)],
    ],
  );
  row('open: spawn to first page (median)', `${fmt(wall, 0)} ms`, '< 1000 ms', wall < 1000);
  row('open: node start-up alone (median)', `${fmt(noop, 0)} ms`);
  results.open = {
    runs: OPEN_RUNS,
    medianWallMs: wall,
    medianNodeStartupMs: noop,
    wallMs: opens.map((o) => o.wallMs),
    nodeStartupMs: noops,
    phases: opens.map((o) => o.result),
  };
}

function wallOfNoop(libraryDir: string): Promise<number> {
  // `--noop` exits before printing, so time the spawn directly.
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(benchDir, 'open-child.js'), libraryDir, '--noop'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`Promptroom benchmark — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
  if (ONLY.has('import')) await benchImport();
  if (ONLY.has('library') || ONLY.has('open')) {
    const libraryDir = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-library-'));
    try {
      // The open benchmark needs the 100,000-row library, so it is always built (and measured).
      await benchLibrary(libraryDir);
      if (ONLY.has('open')) await benchOpen(libraryDir);
    } finally {
      await fs.rm(libraryDir, { recursive: true, force: true });
    }
  }
  if (ONLY.has('replay')) await part('replay', () => benchReplay(reporter));
  if (ONLY.has('render')) await part('render', () => benchRender(reporter));
  if (ONLY.has('export')) await part('export', () => benchExport(reporter));
  if (ONLY.has('ai')) await part('edit', () => benchEdit(reporter));
  if (ONLY.has('session')) await part('session', () => benchSession(reporter));
  if (ONLY.has('restore')) await part('restore', () => benchRestore(reporter));

  printTable(
    'Summary',
    ['figure', 'value', 'target', 'ok'],
    summary.map((r) => [r.figure, r.value, r.target, r.ok]),
  );
  results.summary = summary;
  results.totalSeconds = (performance.now() - started) / 1000;
  const out = path.join(repoRoot, 'dist', 'bench-results.json');
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults written to ${path.relative(process.cwd(), out) || out} (${fmt(results.totalSeconds as number, 0)} s in all).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

