/**
 * One run of the session benchmark, in a process of its own so its peak RSS is its own. Opens a
 * fresh library, imports the photos (untimed), then either
 *   - `loop`: for each photo a new project and `services.local().apply(projectId, step)` for each
 *     step of the recipe (cut as a session cuts it), one photo after the other; or
 *   - `session`: `services.sessions.create({ photoIds, recipe: { prompt }, engine: 'local' })` and
 *     `services.sessions.run(id)` (projects made by create, the run loop, the staged commits).
 * Timed from before the projects are made to the last step committed. Peak RSS is the process's
 * VmHWM, reset (/proc/self/clear_refs) after the import so it covers the timed part only.
 * Prints one JSON line.
 *
 *   node dist/node/bench/session-child.js loop|session PHOTO_DIR LIBRARY_DIR RECIPE
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openServices } from '../electron/services/index.js';
import { splitChain } from '../electron/services/sessions/recipe.js';
import { resourceFigures } from './common.js';

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
  const [mode, dir, libraryDir, recipe] = process.argv.slice(2);
  if ((mode !== 'loop' && mode !== 'session') || !dir || !libraryDir || !recipe) {
    throw new Error('usage: session-child.js loop|session PHOTO_DIR LIBRARY_DIR RECIPE');
  }
  const services = await openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
  const imported = await services.runImport({ paths: [dir] });
  const photoIds = services.library
    .list({ sort: 'fileName', order: 'asc', limit: 1000 })
    .items.map((photo) => photo.id);
  if (photoIds.length === 0) throw new Error(`nothing imported: ${JSON.stringify(imported.summary)}`);
  const importPeakKB = vmHwmKB();

  (globalThis as { gc?: () => void }).gc?.();
  const peakReset = resetPeak();
  const rssBeforeKB = process.memoryUsage().rss / 1024;
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(process.memoryUsage().rss / 1024), 100);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  const started = performance.now();
  let steps = 0;
  let skipped = 0;
  let failed = 0;
  let done = 0;
  const perPhotoMs: number[] = [];
  if (mode === 'loop') {
    const engine = services.local();
    const parts = splitChain(recipe);
    for (const photoId of photoIds) {
      const t0 = performance.now();
      const photo = services.library.get(photoId);
      const { project } = services.projects.create(photoId, `${photo.fileName.replace(/\.[^.]+$/, '')} — ${recipe}`.slice(0, 200));
      let ok = true;
      for (const part of parts) {
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
      perPhotoMs.push(performance.now() - t0);
    }
  } else {
    const session = services.sessions.create({ photoIds, recipe: { prompt: recipe }, engine: 'local' });
    const summary = await services.sessions.run(session.sessionId);
    done = summary.done;
    failed = summary.failed;
    for (const item of services.sessions.detail(session.sessionId).items) {
      if (item.projectId !== null) steps += services.projects.state(item.projectId).steps.length - 1;
    }
    if (summary.state !== 'done') throw new Error(`session ended ${summary.state}: ${summary.message ?? ''}`);
  }
  const elapsedMs = performance.now() - started;
  lag.disable();
  clearInterval(sampler);
  const rssAfterKB = process.memoryUsage().rss / 1024;
  const peakKB = peakReset ? vmHwmKB() : null;
  const resources = resourceFigures();
  const every = Math.max(1, Math.ceil(samples.length / 40));
  process.stdout.write(
    `${JSON.stringify({
      mode,
      photos: photoIds.length,
      done,
      failed,
      steps,
      skipped,
      elapsedMs,
      photosPerMinute: (done / elapsedMs) * 60_000,
      perPhotoMs,
      importPeakKB,
      peakReset,
      /** VmHWM over the timed part only (null if the reset was not possible). */
      runPeakKB: peakKB,
      rssBeforeKB,
      rssAfterKB,
      sampledMaxKB: samples.length ? Math.max(...samples) : null,
      rssSamplesKB: samples.filter((_, i) => i % every === 0).map(Math.round),
      eventLoopDelayMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
      ...resources,
    })}\n`,
  );
  services.close();
  // Worker threads of the engine are closed without being awaited by services.close().
  setTimeout(() => process.exit(0), 200).unref();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
