/**
 * One run of the session benchmark, in a process of its own so its peak RSS is its own. Opens a
 * fresh library, imports the photos (untimed), then either
 *   - `loop`: for each photo a new project and `services.local().apply(projectId, step)` for each
 *     step of the recipe (cut as a session cuts it), CONCURRENCY photos in flight at once; or
 *   - `session`: `services.sessions.create({ photoIds, recipe: { prompt }, engine: 'local' })` and
 *     `services.sessions.run(id)` with CONCURRENCY local steps in flight (projects made by create,
 *     the run loop, the staged commits, the progress events).
 * Both engines run their pixel work on one worker thread, so with the same CONCURRENCY the two
 * runs do the same work with the same parallelism, and the difference is the session's queue,
 * history and storage.
 * Timed from before the projects are made to the last step committed. Peak RSS is the process's
 * VmHWM, reset (/proc/self/clear_refs) after the import so it covers the timed part only. Memory
 * is also sampled every 200 ms together with how many photos were finished by then, so a long run
 * shows whether it grows with the photos. Prints one JSON line.
 *
 *   node dist/node/bench/session-child.js loop|session PHOTO_DIR LIBRARY_DIR RECIPE [CONCURRENCY]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openServices } from '../electron/services/index.js';
import { splitChain } from '../electron/services/sessions/recipe.js';
import { resourceFigures } from './common.js';

/** One memory sample: when, how many photos were finished, and the process's memory in kB. */
export interface MemorySample {
  ms: number;
  done: number;
  rssKB: number;
  heapUsedKB: number;
  externalKB: number;
}

/** What one child run prints. */
export interface SessionRun {
  mode: 'loop' | 'session';
  concurrency: number;
  photos: number;
  done: number;
  failed: number;
  steps: number;
  skipped: number;
  elapsedMs: number;
  /** CPU time of the whole process (worker threads included) during the timed part. */
  timedCpuMs: number;
  photosPerMinute: number;
  importMs: number;
  importPeakKB: number | null;
  peakReset: boolean;
  /** VmHWM over the timed part only (null if the reset was not possible). */
  runPeakKB: number | null;
  rssBeforeKB: number;
  rssAfterKB: number;
  sampledMaxKB: number | null;
  memory: MemorySample[];
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  progressEvents: number;
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

function vmHwmKB(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0); false where that is not possible. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const [mode, dir, libraryDir, recipe, concurrencyArg] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg ?? 2);
  if ((mode !== 'loop' && mode !== 'session') || !dir || !libraryDir || !recipe || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('usage: session-child.js loop|session PHOTO_DIR LIBRARY_DIR RECIPE [CONCURRENCY]');
  }
  const services = await openServices({
    libraryDir,
    host: 'cli',
    version: 'bench',
    systemLocale: 'en',
    sessionTuning: { localConcurrency: concurrency },
  });
  const importStarted = performance.now();
  const imported = await services.runImport({ paths: [dir] });
  const importMs = performance.now() - importStarted;
  const photoIds: number[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = services.library.list({ sort: 'fileName', order: 'asc', offset, limit: 1000 }).items;
    photoIds.push(...page.map((photo) => photo.id));
    if (page.length < 1000) break;
  }
  if (photoIds.length === 0) throw new Error(`nothing imported: ${JSON.stringify(imported.summary)}`);
  const importPeakKB = vmHwmKB();

  (globalThis as { gc?: () => void }).gc?.();
  const peakReset = resetPeak();
  const rssBeforeKB = process.memoryUsage().rss / 1024;
  let done = 0;
  let progressEvents = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const memory: MemorySample[] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    memory.push({
      ms: Math.round(performance.now() - started),
      done,
      rssKB: Math.round(usage.rss / 1024),
      heapUsedKB: Math.round(usage.heapUsed / 1024),
      externalKB: Math.round(usage.external / 1024),
    });
  };
  const sampler = setInterval(sample, 200);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  let steps = 0;
  let skipped = 0;
  let failed = 0;
  if (mode === 'loop') {
    const engine = services.local();
    const parts = splitChain(recipe);
    let next = 0;
    const worker = async () => {
      while (next < photoIds.length) {
        const photoId = photoIds[next++]!;
        const photo = services.library.get(photoId);
        const { project } = services.projects.create(photoId, `${photo.fileName.replace(/\.[^.]+$/, '')} — ${recipe}`.slice(0, 200));
        let ok = true;
        for (const part of parts) {
          // The session yields to the event loop before each step; so does the loop.
          await new Promise<void>((resolve) => setImmediate(resolve));
          const result = await engine.apply(project.id, part);
          if (result.refused) {
            ok = false;
            break;
          }
          steps += result.steps.length;
          skipped += result.skipped.length;
        }
        if (ok) done++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } else {
    const unsubscribe = services.subscribe((event) => {
      if (event.type !== 'session.progress') return;
      progressEvents++;
      done = event.progress.done;
    });
    const session = services.sessions.create({ photoIds, recipe: { prompt: recipe }, engine: 'local' });
    const summary = await services.sessions.run(session.sessionId);
    unsubscribe();
    done = summary.done;
    failed = summary.failed;
    for (const item of services.sessions.detail(session.sessionId).items) {
      if (item.projectId !== null) steps += services.projects.state(item.projectId).steps.length - 1;
    }
    if (summary.state !== 'done') throw new Error(`session ended ${summary.state}: ${summary.message ?? ''}`);
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  sample();
  lag.disable();
  clearInterval(sampler);
  const rssAfterKB = process.memoryUsage().rss / 1024;
  const peakKB = peakReset ? vmHwmKB() : null;
  const resources = resourceFigures();
  const result: SessionRun = {
    mode,
    concurrency,
    photos: photoIds.length,
    done,
    failed,
    steps,
    skipped,
    elapsedMs,
    timedCpuMs: (cpu.user + cpu.system) / 1000,
    photosPerMinute: (done / elapsedMs) * 60_000,
    importMs,
    importPeakKB,
    peakReset,
    runPeakKB: peakKB,
    rssBeforeKB,
    rssAfterKB,
    sampledMaxKB: memory.length ? Math.max(...memory.map((m) => m.rssKB)) : null,
    memory,
    eventLoopDelayMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6, mean: lag.mean / 1e6 },
    progressEvents,
    ...resources,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  services.close();
  // Worker threads of the engine are closed without being awaited by services.close().
  setTimeout(() => process.exit(0), 200).unref();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
