/**
 * Restoration sessions on the local engine (issue 6):
 *
 * S1. Throughput at 12 MP: a session (`sessions.create` + `sessions.run`) against the same
 *     `LocalEngine.apply` calls run directly in a loop, in the same run, with the same parallelism:
 *     the loop keeps as many photos in flight as the session runs local steps at once
 *     (BENCH_SESSION_CONCURRENCY, default 2, the session's own default for the local engine), and
 *     both engines do their pixel work on one worker thread. So the ratio is the cost of the
 *     session's queue, history and storage only. Runs alternate loop, session, session, loop… (each a
 *     fresh library in its own process); each round gives a paired ratio, and the median of those is
 *     the figure (the best of each is shown too). CPU per photo, less sensitive to a busy machine
 *     than wall time, is compared as well.
 * S2. A long session: BENCH_SESSION_LONG_PHOTOS (default 500) photos of 1024 × 768 (0.8 MP, to keep
 *     the run to minutes), the same recipe, memory sampled every 200 ms with the photos finished by
 *     then: peak RSS, RSS after 50 and after all photos, the slope per 100 photos, the main
 *     thread's event-loop delay.
 * S3. Input latency in Chromium while a session runs (bench/session-ui.ts), unless BENCH_SESSION_UI=0.
 *
 * BENCH_SESSION_PHOTOS (default 4), BENCH_SESSION_ROUNDS (default 2), BENCH_SESSION_RECIPE (default
 * "denoise, then sepia": one raster and one parametric step), BENCH_SESSION_CONCURRENCY (default 2;
 * 1 runs both one photo after the other), BENCH_SESSION_PARTS (default "throughput,long,ui").
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, runChild, type ChildRun, type Reporter } from './common.js';
import type { MemorySample, SessionRun } from './session-child.js';
import { PHOTOS_SMALL, SESSION_PHOTO_HEIGHT, SESSION_PHOTO_WIDTH } from './session-photos.js';
import { benchSessionUi } from './session-ui.js';

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The median, halfway between the two middle values of an even count (common.ts's `median` takes the lower one). */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

const mb = (kb: number | null | undefined) => (typeof kb === 'number' ? fmt(kb / 1024, 0) : '-');

async function runOnce(mode: 'loop' | 'session', photoDir: string, recipe: string, concurrency: number): Promise<ChildRun<SessionRun>> {
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), `promptroom-bench-session-${mode}-`));
  try {
    return await runChild<SessionRun>('session-child.js', [mode, photoDir, path.join(scratch, 'library'), recipe, String(concurrency)]);
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** CPU seconds per finished photo over the timed part, worker thread included. */
function cpuPerPhotoS(r: SessionRun): number {
  return r.timedCpuMs / 1000 / Math.max(1, r.done);
}

async function benchThroughput(report: Reporter, recipe: string, concurrency: number): Promise<unknown> {
  const count = positiveInt(process.env.BENCH_SESSION_PHOTOS, 4);
  const rounds = positiveInt(process.env.BENCH_SESSION_ROUNDS, 2);
  log(`S1. local-engine session of ${count} photos of ${SESSION_PHOTO_WIDTH}×${SESSION_PHOTO_HEIGHT}, recipe "${recipe}", ${concurrency} in flight, ${rounds} round(s) of loop + session`);
  const photos = (await runChild<{ dir: string; files: string[]; totalBytes: number }>('session-photos.js', [String(count)], { inheritStderr: true })).result;

  const runs: { label: string; round: number; run: ChildRun<SessionRun> }[] = [];
  for (let round = 1; round <= rounds; round++) {
    // loop, session | session, loop | …: a machine getting busier or quieter favours neither.
    const order = round % 2 === 1 ? (['loop', 'session'] as const) : (['session', 'loop'] as const);
    for (const mode of order) {
      log(`  ${mode}, round ${round}…`);
      const run = await runOnce(mode, photos.dir, recipe, concurrency);
      runs.push({ label: `${mode} ${round}`, round, run });
      log(`    ${fmt(run.result.photosPerMinute, 2)} photos/min (${run.result.done} done, ${run.result.failed} failed, ${run.result.steps} steps)`);
    }
  }

  const ofMode = (mode: 'loop' | 'session') => runs.filter((r) => r.run.result.mode === mode).map((r) => r.run.result);
  const best = (mode: 'loop' | 'session') => ofMode(mode).reduce((a, b) => (b.photosPerMinute > a.photosPerMinute ? b : a));
  const loop = best('loop');
  const session = best('session');
  // Per round: session throughput / loop throughput, each pair measured back to back.
  const paired = Array.from({ length: rounds }, (_, i) => {
    const pair = runs.filter((r) => r.round === i + 1).map((r) => r.run.result);
    const l = pair.find((r) => r.mode === 'loop')!;
    const s = pair.find((r) => r.mode === 'session')!;
    return s.photosPerMinute / l.photosPerMinute;
  });
  const ratio = middle(paired);
  const overhead = 1 / ratio - 1;
  const bestOverhead = loop.photosPerMinute / session.photosPerMinute - 1;
  const cpuRatio = middle(ofMode('session').map(cpuPerPhotoS)) / middle(ofMode('loop').map(cpuPerPhotoS));
  const sessionPeaks = ofMode('session').map((r) => r.runPeakKB ?? r.peakRssKB);
  const loopPeaks = ofMode('loop').map((r) => r.runPeakKB ?? r.peakRssKB);

  report.table(
    `S1. Local-engine session against the same applies in a loop, ${count} JPEGs of ${SESSION_PHOTO_WIDTH}×${SESSION_PHOTO_HEIGHT} (${fmt(photos.totalBytes / count / 1024 ** 2, 1)} MB each), recipe "${recipe}", ${concurrency} photo(s) in flight in both, each run a fresh library in its own process`,
    ['run', 'done', 'failed', 'steps', 'seconds', 'photos/min', 'CPU s/photo', 'RSS before MB', 'peak RSS MB', 'RSS after MB', 'loop lag p99/max ms'],
    runs.map(({ label, run }) => {
      const r = run.result;
      return [
        label,
        String(r.done),
        String(r.failed),
        String(r.steps),
        fmt(r.elapsedMs / 1000, 1),
        fmt(r.photosPerMinute, 2),
        fmt(cpuPerPhotoS(r), 2),
        mb(r.rssBeforeKB),
        mb(r.runPeakKB ?? r.peakRssKB),
        mb(r.rssAfterKB),
        `${fmt(r.eventLoopDelayMs.p99, 0)}/${fmt(r.eventLoopDelayMs.max, 0)}`,
      ];
    }),
  );
  console.log('  (timed: projects made → last step committed; the import before it is not. loop = services.local().apply per step, N photos in flight;');
  console.log('   session = sessions.create + sessions.run on the local engine, N local steps in flight. Both: pixel work on 1 worker thread. Peak RSS: VmHWM');
  console.log('   reset after the import. CPU s/photo: the whole process, worker included, timed part. loop lag: event-loop delay, timed part.)');
  console.log(`  paired ratios session/loop by round: ${paired.map((p) => fmt(p, 3)).join(', ')}`);
  if (loop.steps !== session.steps || loop.failed + session.failed > 0) {
    console.log(`  warning: the runs did not do the same work (loop ${loop.steps} steps, ${loop.failed} failed; session ${session.steps} steps, ${session.failed} failed)`);
  }

  report.row(`session photos/min (local, 12 MP, ${concurrency} in flight, best)`, fmt(session.photosPerMinute, 2));
  report.row('session: same applies in a loop, photos/min (best)', fmt(loop.photosPerMinute, 2));
  report.row('session/loop throughput (median of paired rounds)', fmt(ratio, 3));
  report.row('session overhead vs loop (median of pairs)', `${fmt(overhead * 100, 1)}% (best vs best ${fmt(bestOverhead * 100, 1)}%)`, '< 15%', overhead < 0.15);
  report.row('session: CPU per photo, session/loop', fmt(cpuRatio, 3));
  report.row('session peak RSS (12 MP)', `${mb(Math.max(...sessionPeaks))} MB (loop ${mb(Math.max(...loopPeaks))} MB)`);

  return {
    photos: count,
    width: SESSION_PHOTO_WIDTH,
    height: SESSION_PHOTO_HEIGHT,
    photoBytes: photos.totalBytes,
    recipe,
    rounds,
    concurrency,
    runs: runs.map(({ label, run }) => ({ label, wallMs: run.wallMs, machineBusyMs: run.machineBusyMs, ...run.result, memory: undefined })),
    loopPhotosPerMinute: loop.photosPerMinute,
    sessionPhotosPerMinute: session.photosPerMinute,
    pairedRatios: paired,
    ratio,
    overhead,
    bestOverhead,
    cpuRatio,
    sessionPeakRssMB: Math.max(...sessionPeaks) / 1024,
    loopPeakRssMB: Math.max(...loopPeaks) / 1024,
  };
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

/** The median of a memory figure over the samples taken while `from` ≤ photos done < `to`. */
function around(memory: MemorySample[], from: number, to: number, pick: (m: MemorySample) => number): number {
  const values = memory.filter((m) => m.done >= from && m.done < to).map(pick);
  return values.length > 0 ? middle(values) : Number.NaN;
}

async function benchLongSession(report: Reporter, recipe: string, concurrency: number): Promise<unknown> {
  const count = positiveInt(process.env.BENCH_SESSION_LONG_PHOTOS, 500);
  log(`S2. a session of ${count} photos of ${PHOTOS_SMALL.width}×${PHOTOS_SMALL.height}, recipe "${recipe}", memory over time`);
  const photos = (await runChild<{ dir: string; totalBytes: number }>('session-photos.js', [String(count), 'small'], { inheritStderr: true })).result;
  const run = await runOnce('session', photos.dir, recipe, concurrency);
  const r = run.result;
  const memory = r.memory;
  const early = Math.min(50, Math.floor(count / 10));
  const window = Math.max(5, Math.floor(count / 50));
  const rssEarly = around(memory, early, early + window, (m) => m.rssKB);
  const rssLate = around(memory, count - window, count + 1, (m) => m.rssKB);
  const steady = memory.filter((m) => m.done >= early);
  const perHundred = (pick: (m: MemorySample) => number) => (slope(steady.map((m) => ({ x: m.done, y: pick(m) / 1024 }))) * 100);
  const rssSlope = perHundred((m) => m.rssKB);
  const heapSlope = perHundred((m) => m.heapUsedKB);
  const externalSlope = perHundred((m) => m.externalKB);

  // RSS by tenths of the session, for the table.
  const tenths = Array.from({ length: 10 }, (_, i) => {
    const from = Math.round((i * count) / 10);
    const to = Math.round(((i + 1) * count) / 10);
    const slice = memory.filter((m) => m.done >= from && m.done < to);
    return {
      photos: `${from}–${to}`,
      rssMax: slice.length ? Math.max(...slice.map((m) => m.rssKB)) : Number.NaN,
      rssMedian: slice.length ? middle(slice.map((m) => m.rssKB)) : Number.NaN,
      heapMedian: slice.length ? middle(slice.map((m) => m.heapUsedKB)) : Number.NaN,
      externalMedian: slice.length ? middle(slice.map((m) => m.externalKB)) : Number.NaN,
    };
  });
  report.table(
    `S2. A local session of ${r.done} photos of ${PHOTOS_SMALL.width}×${PHOTOS_SMALL.height} (${fmt((PHOTOS_SMALL.width * PHOTOS_SMALL.height) / 1e6, 1)} MP), recipe "${recipe}", ${concurrency} in flight: memory of the process (worker thread included) by tenth of the session`,
    ['photos done', 'RSS median MB', 'RSS max MB', 'JS heap MB', 'external MB'],
    tenths.map((t) => [t.photos, mb(t.rssMedian), mb(t.rssMax), mb(t.heapMedian), mb(t.externalMedian)]),
  );
  console.log(
    `  ${r.done} done, ${r.failed} failed in ${fmt(r.elapsedMs / 1000, 0)} s (${fmt(r.photosPerMinute, 1)} photos/min); ${memory.length} samples; ` +
      `main thread event-loop delay p50 ${fmt(r.eventLoopDelayMs.p50, 1)} / p99 ${fmt(r.eventLoopDelayMs.p99, 1)} / max ${fmt(r.eventLoopDelayMs.max, 0)} ms (10 ms resolution)`,
  );
  console.log(`  slopes after ${early} photos, per 100 photos: RSS ${fmt(rssSlope, 1)} MB, JS heap ${fmt(heapSlope, 1)} MB, external ${fmt(externalSlope, 1)} MB`);

  report.row(`session of ${r.done} photos (${fmt((PHOTOS_SMALL.width * PHOTOS_SMALL.height) / 1e6, 1)} MP): peak RSS`, `${mb(r.runPeakKB ?? r.peakRssKB)} MB`);
  report.row(`session of ${r.done}: RSS after ${early} → after ${r.done} photos`, `${mb(rssEarly)} → ${mb(rssLate)} MB`);
  report.row(`session of ${r.done}: RSS slope per 100 photos`, `${fmt(rssSlope, 1)} MB`, 'flat (< 5 MB)', Number.isFinite(rssSlope) && rssSlope < 5);
  report.row(`session of ${r.done}: main-thread event-loop delay p99 / max`, `${fmt(r.eventLoopDelayMs.p99, 1)} / ${fmt(r.eventLoopDelayMs.max, 0)} ms`);
  return {
    photos: count,
    width: PHOTOS_SMALL.width,
    height: PHOTOS_SMALL.height,
    recipe,
    concurrency,
    run: { wallMs: run.wallMs, machineBusyMs: run.machineBusyMs, ...r },
    rssEarlyMB: rssEarly / 1024,
    rssLateMB: rssLate / 1024,
    rssSlopeMBPer100: rssSlope,
    heapSlopeMBPer100: heapSlope,
    externalSlopeMBPer100: externalSlope,
    tenths,
  };
}

export async function benchSession(report: Reporter): Promise<unknown> {
  const recipe = process.env.BENCH_SESSION_RECIPE?.trim() || 'denoise, then sepia';
  const concurrency = positiveInt(process.env.BENCH_SESSION_CONCURRENCY, 2);
  const result: Record<string, unknown> = {};
  const attempt = async (name: string, body: () => Promise<unknown>) => {
    try {
      result[name] = await body();
    } catch (error) {
      console.error(`\nsession ${name} failed:`, error);
      report.row(`session ${name}: FAILED`, error instanceof Error ? error.message.split('\n')[0]!.slice(0, 80) : String(error));
      result[name] = { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const parts = new Set((process.env.BENCH_SESSION_PARTS ?? 'throughput,long,ui').split(',').map((part) => part.trim()));
  if (process.env.BENCH_SESSION_UI === '0') parts.delete('ui');
  if (parts.has('throughput')) await attempt('throughput', () => benchThroughput(report, recipe, concurrency));
  if (parts.has('long')) await attempt('long', () => benchLongSession(report, recipe, concurrency));
  if (parts.has('ui')) await attempt('ui', () => benchSessionUi(report));
  return result;
}
