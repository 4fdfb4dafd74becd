/**
 * One half of the restoration bench (restore-bench.ts), in a process of its own. Prints one JSON line.
 *
 *   node dist/node/bench/restore-child.js kernels FIXTURES_DIR RUNS
 *     Each sample photo × each degradation (bench/quality): PSNR and SSIM of the degraded and the
 *     restored image against the clean original, the restoration's time (the engine's kernel for
 *     that degradation on this thread, median of RUNS after one untimed run), and a sharp
 *     operation of the same kind on the same image, timed alternately with it.
 *
 *   node dist/node/bench/restore-child.js engine FIXTURES_DIR LIBRARY_DIR LARGE_MP RUNS
 *     An "old print" of each sample photo (every degradation at once), and one of coffee.png
 *     enlarged to LARGE_MP megapixels (0: none), restored RUNS times (a new project each time) by
 *     `LocalEngine.restore()` on a fresh library with its worker thread, each sub-step timed: the
 *     worker's task (render, kernel, PNG), storing the layer, committing the step; the median run
 *     is kept (after one untimed restore of camera.png that starts the worker). Against sharp's
 *     median(3) + normalise + sharpen from the same PNG file to a PNG, run between the restores.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { renderFull } from '../electron/services/export.js';
import { openServices } from '../electron/services/index.js';
import { LocalEngine } from '../electron/services/local/engine.js';
import { WorkerPool, type TaskRunner } from '../electron/services/local/pool.js';
import type { LocalTask, LocalTaskResult } from '../electron/services/local/tasks.js';
import type { RgbaImage } from '../shared/imaging/index.js';
import { restorationActions } from '../shared/prompt/index.js';
import { median, resourceFigures } from './common.js';
import { DEGRADATIONS, degrade, loadRgba, oldPrint, toPng, type DegradationKind } from './quality/degradations.js';
import { psnr, ssim } from './quality/measures.js';
import { RESTORATIONS } from './quality/restorations.js';

/** The sample photos the tests degrade and restore. */
const SAMPLE_PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'];

/** The sharp operation each degradation's restoration is compared with (for time and for scale). */
const BASELINES: Record<DegradationKind, BaselineOp> = {
  noise: 'median(3)',
  jpeg: 'median(3)',
  fade: 'normalise()',
  cast: 'normalise()',
  blur: 'sharpen(σ 1)',
  scratches: 'median(3)',
  dust: 'median(3)',
};
export type BaselineOp = 'median(3)' | 'normalise()' | 'sharpen(σ 1)';

export interface Quality {
  psnr: number;
  ssim: number;
  /** PSNR inside the damage, where it is local (dust, scratches). */
  inMask: number | null;
}

export interface KernelRow {
  kind: DegradationKind;
  photo: string;
  width: number;
  height: number;
  degraded: Quality;
  restored: Quality;
  /** Median ms of the restoration, and every timed run. */
  ms: number;
  runsMs: number[];
  /** Median CPU ms of the process meanwhile (load on the machine stretches wall time, not this). */
  cpuMs: number;
  baseline: { op: BaselineOp; ms: number; runsMs: number[]; cpuMs: number; restored: Quality };
}

export interface KernelsResult {
  runs: number;
  sharpConcurrency: number;
  rows: KernelRow[];
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

export interface SubStep {
  name: string;
  made: boolean;
  /** The worker's task as the main thread waited for it: render (decode + composite), kernel, PNG encode, transfer. */
  taskMs: number | null;
  /** CPU time of the whole process (so the worker's) during the task. */
  taskCpuMs: number | null;
  /** The kernel alone, as the worker timed it (raster sub-steps only). */
  kernelMs: number | null;
  /** StoredImages.putPng: hash and write of the layer's PNG. */
  storeMs: number | null;
  /** Projects.commit / commitInternal. */
  commitMs: number | null;
}

export interface PrintRow {
  photo: string;
  width: number;
  height: number;
  degraded: Quality;
  restored: Quality;
  /** The median run's restore() time; its sub-steps below. */
  totalMs: number;
  runsMs: number[];
  /** CPU time of the whole process (main thread and worker) during the median run. */
  cpuMs: number;
  subSteps: SubStep[];
  steps: string[];
  skipped: string[];
  baseline: { ms: number; runsMs: number[]; cpuMs: number; cpuRunsMs: number[]; restored: Quality };
}

export interface EngineResult {
  warmupMs: number;
  prints: PrintRow[];
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

function quality(clean: RgbaImage, image: RgbaImage, mask?: Uint8ClampedArray): Quality {
  return { psnr: psnr(clean, image), ssim: ssim(clean, image), inMask: mask ? psnr(clean, image, mask) : null };
}

function rawInput(image: RgbaImage): Sharp {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } });
}

/** sharp's operation of the same kind, raw RGBA in, raw RGBA out (what our kernels do). */
async function sharpBaseline(op: BaselineOp, image: RgbaImage): Promise<RgbaImage> {
  let pipeline = rawInput(image);
  if (op === 'median(3)') pipeline = pipeline.median(3);
  else if (op === 'normalise()') pipeline = pipeline.normalise();
  else pipeline = pipeline.sharpen({ sigma: 1 });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`sharp returned ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** CPU time of this process so far (every thread, libvips' included), in ms. */
function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function timeOnce<T>(work: () => T | Promise<T>): Promise<{ ms: number; cpuMs: number; out: T }> {
  const cpu = cpuNow();
  const started = performance.now();
  const out = await work();
  return { ms: performance.now() - started, cpuMs: cpuNow() - cpu, out };
}

async function kernels(fixtures: string, runs: number): Promise<KernelsResult> {
  const rows: KernelRow[] = [];
  for (const photo of SAMPLE_PHOTOS) {
    const clean = await loadRgba(path.join(fixtures, photo));
    for (const kind of DEGRADATIONS) {
      const { image, mask } = await degrade(kind, clean);
      const op = BASELINES[kind];
      const restore = RESTORATIONS[kind];
      // One untimed run of each, then ours and sharp's alternately, so load falls on both alike.
      const restored = restore(image);
      const baselineOut = await sharpBaseline(op, image);
      const ours: number[] = [];
      const theirs: number[] = [];
      const oursCpu: number[] = [];
      const theirsCpu: number[] = [];
      for (let r = 0; r < runs; r++) {
        const a = await timeOnce(() => restore(image));
        const b = await timeOnce(() => sharpBaseline(op, image));
        ours.push(a.ms);
        oursCpu.push(a.cpuMs);
        theirs.push(b.ms);
        theirsCpu.push(b.cpuMs);
      }
      rows.push({
        kind,
        photo,
        width: clean.width,
        height: clean.height,
        degraded: quality(clean, image, mask),
        restored: quality(clean, restored, mask),
        ms: median(ours),
        runsMs: ours,
        cpuMs: median(oursCpu),
        baseline: { op, ms: median(theirs), runsMs: theirs, cpuMs: median(theirsCpu), restored: quality(clean, baselineOut, mask) },
      });
      process.stderr.write(`[bench]   ${kind} on ${photo}: ${median(ours).toFixed(1)} ms (sharp ${op} ${median(theirs).toFixed(1)} ms)\n`);
    }
  }
  return { runs, sharpConcurrency: sharp.concurrency(), rows, ...resourceFigures() };
}

type EngineEvent =
  | { type: 'task'; label: string; ms: number; cpuMs: number; kernelMs: number | null; made: boolean }
  | { type: 'store'; ms: number }
  | { type: 'commit'; ms: number };

/** The worker pool, with each task's wall time as the engine saw it. */
class TimedRunner implements TaskRunner {
  events: EngineEvent[] = [];
  constructor(private readonly inner: TaskRunner) {}

  async run(task: LocalTask): Promise<LocalTaskResult> {
    const cpu = cpuNow();
    const started = performance.now();
    const result = await this.inner.run(task);
    const ms = performance.now() - started;
    const cpuMs = cpuNow() - cpu;
    const label = task.type === 'raster' ? task.op : task.type === 'measure' ? task.measure : task.type;
    const made = result.type === 'raster' ? result.png !== null : result.type === 'measure' ? result.notNeeded === null : true;
    this.events.push({ type: 'task', label, ms, cpuMs, kernelMs: result.type === 'raster' ? result.millis : null, made });
    return result;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `target` with the named methods timed (sync or async); everything else passes through. */
function timedMethods<T extends object>(target: T, methods: readonly string[], record: (ms: number) => void): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof property !== 'string' || !methods.includes(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const out: unknown = value.apply(object, args);
        if (out instanceof Promise) return out.finally(() => record(performance.now() - started));
        record(performance.now() - started);
        return out;
      };
    },
  });
}

/** Splits the engine's event log into the restoration's sub-steps, in the order it runs them. */
function subSteps(events: EngineEvent[]): SubStep[] {
  const queue = [...events];
  const take = <K extends EngineEvent['type']>(type: K, name: string): Extract<EngineEvent, { type: K }> => {
    const event = queue.shift();
    if (event?.type !== type) throw new Error(`restore: expected a ${type} for “${name}”, found ${event ? event.type : 'nothing'}`);
    return event as Extract<EngineEvent, { type: K }>;
  };
  const out: SubStep[] = [];
  for (const action of restorationActions()) {
    if (action.kind === 'adjustment') {
      out.push({ name: action.name, made: true, taskMs: null, taskCpuMs: null, kernelMs: null, storeMs: null, commitMs: take('commit', action.name).ms });
      continue;
    }
    const task = take('task', action.name);
    const step: SubStep = { name: action.name, made: task.made, taskMs: task.ms, taskCpuMs: task.cpuMs, kernelMs: task.kernelMs, storeMs: null, commitMs: null };
    if (task.made) {
      if (action.kind === 'raster') step.storeMs = take('store', action.name).ms;
      step.commitMs = take('commit', action.name).ms;
    }
    out.push(step);
  }
  if (queue.length > 0) throw new Error(`restore: ${queue.length} events left over (${queue.map((e) => e.type).join(', ')})`);
  return out;
}

/** sharp's nearest chain: the PNG decoded, median(3), normalise, sharpen, encoded as PNG. */
async function sharpChain(file: string): Promise<Buffer> {
  return sharp(file).median(3).normalise().sharpen({ sigma: 1 }).png({ compressionLevel: 6 }).toBuffer();
}

async function engine(fixtures: string, libraryDir: string, largeMegapixels: number, runs: number): Promise<EngineResult> {
  const services = await openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
  const runner = new TimedRunner(new WorkerPool({ size: 1 }));
  const record = (type: 'store' | 'commit') => (ms: number) => runner.events.push({ type, ms });
  const local = new LocalEngine({
    ...services,
    projects: timedMethods(services.projects, ['commit', 'commitInternal'], record('commit')),
    storedImages: timedMethods(services.storedImages, ['putPng'], record('store')),
    runner,
  });
  const inputs = path.join(libraryDir, '..', 'inputs');
  await fs.mkdir(inputs, { recursive: true });

  const cases: { photo: string; clean: RgbaImage }[] = [];
  for (const photo of SAMPLE_PHOTOS) cases.push({ photo, clean: await loadRgba(path.join(fixtures, photo)) });
  if (largeMegapixels > 0) {
    const source = await sharp(path.join(fixtures, 'coffee.png')).metadata();
    const scale = Math.sqrt((largeMegapixels * 1e6) / (source.width * source.height));
    const width = Math.round(source.width * scale);
    const height = Math.round(source.height * scale);
    const big = await sharp(path.join(fixtures, 'coffee.png')).resize(width, height, { kernel: 'lanczos3' }).png().toBuffer();
    cases.push({ photo: `coffee.png ×${scale.toFixed(1)}`, clean: await loadRgba(big) });
  }

  let counter = 0;
  async function importPrint(image: RgbaImage): Promise<{ file: string; projectId: number }> {
    const file = path.join(inputs, `old-print-${++counter}.png`);
    await sharp(await toPng(image)).toFile(file);
    const job = await services.runImport({ paths: [file] });
    const photo = services.library.list({ search: path.basename(file, '.png') }).items[0];
    if (!photo) throw new Error(`the old print ${file} was not imported: ${JSON.stringify(job.summary)}`);
    return { file, projectId: services.projects.create(photo.id).project.id };
  }

  // One untimed restore first, of a photo not measured: the worker thread starts and warms up.
  const warm = await importPrint(oldPrint(await loadRgba(path.join(fixtures, 'camera.png'))).image);
  const warmStarted = performance.now();
  await local.restore(warm.projectId);
  const warmupMs = performance.now() - warmStarted;

  const prints: PrintRow[] = [];
  for (const { photo, clean } of cases) {
    const { image, mask } = oldPrint(clean);
    const { file, projectId: first } = await importPrint(image);
    const photoId = services.projects.state(first).project.photoId;
    // Each run restores a new project of the same photo; sharp's chain runs between them.
    const restores: { projectId: number; totalMs: number; cpuMs: number; subSteps: SubStep[]; result: Awaited<ReturnType<LocalEngine['restore']>> }[] = [];
    const baselineRuns: number[] = [];
    const baselineCpu: number[] = [];
    let baselineOut = await sharpChain(file);
    for (let r = 0; r < runs; r++) {
      const projectId = r === 0 ? first : services.projects.create(photoId).project.id;
      runner.events = [];
      const { ms: totalMs, cpuMs, out: result } = await timeOnce(() => local.restore(projectId));
      restores.push({ projectId, totalMs, cpuMs, subSteps: subSteps(runner.events), result });
      const timed = await timeOnce(() => sharpChain(file));
      baselineRuns.push(timed.ms);
      baselineCpu.push(timed.cpuMs);
      baselineOut = timed.out;
    }
    const chosen = [...restores].sort((a, b) => a.totalMs - b.totalMs)[Math.floor((restores.length - 1) / 2)]!;
    const { stack } = services.projects.stackAtHead(chosen.projectId);
    const { image: restored } = await renderFull(stack, services.locateImage);
    prints.push({
      photo,
      width: clean.width,
      height: clean.height,
      degraded: quality(clean, image, mask),
      restored: quality(clean, restored, mask),
      totalMs: chosen.totalMs,
      runsMs: restores.map((r) => r.totalMs),
      cpuMs: chosen.cpuMs,
      subSteps: chosen.subSteps,
      steps: chosen.result.steps.map((s) => s.label),
      skipped: chosen.result.skipped.map((s) => s.name),
      baseline: { ms: median(baselineRuns), runsMs: baselineRuns, cpuMs: median(baselineCpu), cpuRunsMs: baselineCpu, restored: quality(clean, await loadRgba(baselineOut), mask) },
    });
    process.stderr.write(
      `[bench]   old print ${photo}: ${restores.map((r) => r.totalMs.toFixed(0)).join(', ')} ms, ${chosen.result.steps.length} steps (sharp chain ${baselineRuns.map((v) => v.toFixed(0)).join(', ')} ms)\n`,
    );
  }
  await local.close();
  services.close();
  return { warmupMs, prints, ...resourceFigures() };
}

async function main(): Promise<void> {
  const [mode, fixtures, ...rest] = process.argv.slice(2);
  let result: KernelsResult | EngineResult;
  if (mode === 'kernels' && fixtures) result = await kernels(fixtures, Math.max(1, Number(rest[0]) || 3));
  else if (mode === 'engine' && fixtures && rest[0]) result = await engine(fixtures, rest[0], Math.max(0, Number(rest[1]) || 0), Math.max(1, Number(rest[2]) || 3));
  else throw new Error('usage: restore-child.js kernels FIXTURES_DIR RUNS | engine FIXTURES_DIR LIBRARY_DIR LARGE_MP RUNS');
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // The engine's worker thread is closed above; nothing else should hold the process open.
  setTimeout(() => process.exit(0), 200).unref();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
