/**
 * S1. Local-engine session throughput at 12 MP, against the same `LocalEngine.apply` calls run
 * directly in a loop on fresh projects, in the same run: loop, session, loop, session (each in a
 * child process on a fresh library), the better of each kept → the session's overhead (queue,
 * history, storage). S2. Peak RSS over the session (the child's VmHWM, reset after its import).
 *
 * BENCH_SESSION_PHOTOS (default 4), BENCH_SESSION_ROUNDS (default 2: loop, session, loop, session),
 * BENCH_SESSION_RECIPE (default "denoise, then sepia": one raster and one parametric step).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, runChild, type ChildRun, type Reporter } from './common.js';
import { SESSION_PHOTO_HEIGHT, SESSION_PHOTO_WIDTH } from './session-photos.js';

interface SessionRun {
  mode: 'loop' | 'session';
  photos: number;
  done: number;
  failed: number;
  steps: number;
  skipped: number;
  elapsedMs: number;
  photosPerMinute: number;
  importPeakKB: number | null;
  peakReset: boolean;
  runPeakKB: number | null;
  rssBeforeKB: number;
  rssAfterKB: number;
  sampledMaxKB: number | null;
  rssSamplesKB: number[];
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export async function benchSession(report: Reporter): Promise<unknown> {
  const count = positiveInt(process.env.BENCH_SESSION_PHOTOS, 4);
  const rounds = positiveInt(process.env.BENCH_SESSION_ROUNDS, 2);
  const recipe = process.env.BENCH_SESSION_RECIPE?.trim() || 'denoise, then sepia';
  log(`S. local-engine session of ${count} photos of ${SESSION_PHOTO_WIDTH}×${SESSION_PHOTO_HEIGHT}, recipe "${recipe}", ${rounds} round(s) of loop + session`);
  const photos = (await runChild<{ dir: string; files: string[]; totalBytes: number }>('session-photos.js', [String(count)], { inheritStderr: true })).result;

  const runs: { label: string; run: ChildRun<SessionRun> }[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ['loop', 'session'] as const) {
      const scratch = await fs.mkdtemp(path.join(os.tmpdir(), `promptroom-bench-session-${mode}-`));
      try {
        log(`  ${mode}, round ${round}…`);
        const run = await runChild<SessionRun>('session-child.js', [mode, photos.dir, path.join(scratch, 'library'), recipe]);
        runs.push({ label: `${mode} ${round}`, run });
        log(`    ${fmt(run.result.photosPerMinute, 2)} photos/min (${run.result.done} done, ${run.result.failed} failed, ${run.result.steps} steps)`);
      } finally {
        await fs.rm(scratch, { recursive: true, force: true });
      }
    }
  }

  const best = (mode: 'loop' | 'session') =>
    runs.filter((r) => r.run.result.mode === mode).reduce((a, b) => (b.run.result.photosPerMinute > a.run.result.photosPerMinute ? b : a)).run.result;
  const loop = best('loop');
  const session = best('session');
  const overhead = loop.photosPerMinute / session.photosPerMinute - 1;
  const sessionPeaks = runs.filter((r) => r.run.result.mode === 'session').map((r) => r.run.result.runPeakKB ?? r.run.result.peakRssKB);
  const loopPeaks = runs.filter((r) => r.run.result.mode === 'loop').map((r) => r.run.result.runPeakKB ?? r.run.result.peakRssKB);
  const peakMB = Math.max(...sessionPeaks) / 1024;
  const mb = (kb: number | null) => (kb === null ? '-' : fmt(kb / 1024, 0));

  report.table(
    `S. Local-engine session, ${count} JPEGs of ${SESSION_PHOTO_WIDTH}×${SESSION_PHOTO_HEIGHT} (${fmt(photos.totalBytes / count / 1024 ** 2, 1)} MB each), recipe "${recipe}", each run a fresh library in its own process`,
    ['run', 'done', 'failed', 'steps', 'seconds', 'photos/min', 'CPU user+sys s', 'RSS before MB', 'peak RSS MB', 'RSS after MB', 'loop lag p99/max ms'],
    runs.map(({ label, run }) => {
      const r = run.result;
      return [
        label,
        String(r.done),
        String(r.failed),
        String(r.steps),
        fmt(r.elapsedMs / 1000, 1),
        fmt(r.photosPerMinute, 2),
        `${fmt(r.userCpuMs / 1000, 1)}+${fmt(r.systemCpuMs / 1000, 1)}`,
        mb(r.rssBeforeKB),
        mb(r.runPeakKB ?? r.peakRssKB),
        mb(r.rssAfterKB),
        `${fmt(r.eventLoopDelayMs.p99, 0)}/${fmt(r.eventLoopDelayMs.max, 0)}`,
      ];
    }),
  );
  console.log('  (timed: projects made → last step committed; the import before it is not timed. loop = services.local().apply per step, one photo after the other;');
  console.log('   session = sessions.create + sessions.run, engine local. Both engines run pixel work on 1 worker thread. Peak RSS: VmHWM reset after the import,');
  console.log('   so it covers the timed part, worker threads included. CPU includes the untimed import. loop lag: the main thread\'s event-loop delay during the timed part.)');
  if (loop.steps !== session.steps || loop.failed + session.failed > 0) {
    console.log(`  warning: the runs did not do the same work (loop ${loop.steps} steps, ${loop.failed} failed; session ${session.steps} steps, ${session.failed} failed)`);
  }

  report.row('session photos/min (local, 12 MP, best)', fmt(session.photosPerMinute, 2));
  report.row('session: same applies in a loop photos/min (best)', fmt(loop.photosPerMinute, 2));
  report.row('session overhead vs loop', `${fmt(overhead * 100, 1)}%`, '< 15%', overhead < 0.15);
  report.row('session peak RSS', `${fmt(peakMB, 0)} MB`, '', null);
  report.row('session: loop peak RSS (for comparison)', `${fmt(Math.max(...loopPeaks) / 1024, 0)} MB`);

  return {
    photos: count,
    width: SESSION_PHOTO_WIDTH,
    height: SESSION_PHOTO_HEIGHT,
    photoBytes: photos.totalBytes,
    recipe,
    rounds,
    runs: runs.map(({ label, run }) => ({ label, wallMs: run.wallMs, machineBusyMs: run.machineBusyMs, ...run.result })),
    loopPhotosPerMinute: loop.photosPerMinute,
    sessionPhotosPerMinute: session.photosPerMinute,
    overhead,
    sessionPeakRssMB: peakMB,
    loopPeakRssMB: Math.max(...loopPeaks) / 1024,
  };
}
