/**
 * R. Restoration (issue 5's "Quality, measured"), from restore-child.ts:
 *   R1. Each degradation of bench/quality on each sample photo, restored by the engine's kernel for
 *       it: PSNR and SSIM of the degraded and the restored image against the clean original, the
 *       gain, the time per megapixel; one table per degradation, then one row per degradation
 *       (mean and worst gain against the tests' margins, ms/MP against a sharp operation of the
 *       same kind timed alternately with it in the same process).
 *   R2. `LocalEngine.restore()` on an "old print" (all degradations at once) of each sample photo
 *       and of one photo enlarged to BENCH_RESTORE_LARGE_MP megapixels (default 4; 0 skips it),
 *       on a fresh library with its worker thread: quality, time per megapixel against sharp's
 *       median(3) + normalise + sharpen from the same file; R3. where that time goes, per sub-step.
 *
 * BENCH_RESTORE_RUNS: timed runs per kernel (median; default 5); BENCH_RESTORE_PRINT_RUNS: restores
 * of each old print (the median kept; default 3).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, median, ms, repoRoot, runChild, type ChildRun, type Reporter } from './common.js';
import { DEGRADATION_NAMES, DEGRADATIONS, type DegradationKind } from './quality/degradations.js';
import { RESTORATION_NAMES, RESTORE_MARGINS } from './quality/restorations.js';
import type { EngineResult, KernelRow, KernelsResult, PrintRow, Quality } from './restore-child.js';

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function nonNegative(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

const megapixels = (r: { width: number; height: number }) => (r.width * r.height) / 1e6;
const signed = (v: number, decimals: number) => `${v >= 0 ? '+' : ''}${v.toFixed(decimals)}`;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** "22.73 → 30.37" */
function beforeAfter(before: number, after: number, decimals: number): string {
  return `${before.toFixed(decimals)} → ${after.toFixed(decimals)}`;
}

/** What others on the machine used meanwhile, in cores. */
function othersCores(run: ChildRun<{ userCpuMs: number; systemCpuMs: number }>): string {
  if (run.machineBusyMs === null) return '-';
  return fmt(Math.max(0, run.machineBusyMs - run.result.userCpuMs - run.result.systemCpuMs) / run.wallMs, 2);
}

interface DegradationSummary {
  kind: DegradationKind;
  psnrGain: { mean: number; worst: number };
  ssimGain: { mean: number; worst: number };
  inMaskGain: { mean: number; worst: number } | null;
  msPerMP: number;
  cpuMsPerMP: number;
  baselineOp: string;
  baselineMsPerMP: number;
  baselineCpuMsPerMP: number;
  baselinePsnrGain: number;
  meetsMargins: boolean;
}

function summarise(kind: DegradationKind, rows: KernelRow[]): DegradationSummary {
  const psnrGains = rows.map((r) => r.restored.psnr - r.degraded.psnr);
  const ssimGains = rows.map((r) => r.restored.ssim - r.degraded.ssim);
  const inMask = rows.every((r) => r.degraded.inMask !== null) ? rows.map((r) => r.restored.inMask! - r.degraded.inMask!) : null;
  const mp = rows.reduce((sum, r) => sum + megapixels(r), 0);
  const margin = RESTORE_MARGINS[kind];
  const worst = (values: number[]) => Math.min(...values);
  return {
    kind,
    psnrGain: { mean: mean(psnrGains), worst: worst(psnrGains) },
    ssimGain: { mean: mean(ssimGains), worst: worst(ssimGains) },
    inMaskGain: inMask ? { mean: mean(inMask), worst: worst(inMask) } : null,
    // Pooled over the photos: total time over total pixels.
    msPerMP: rows.reduce((sum, r) => sum + r.ms, 0) / mp,
    cpuMsPerMP: rows.reduce((sum, r) => sum + r.cpuMs, 0) / mp,
    baselineOp: rows[0]!.baseline.op,
    baselineMsPerMP: rows.reduce((sum, r) => sum + r.baseline.ms, 0) / mp,
    baselineCpuMsPerMP: rows.reduce((sum, r) => sum + r.baseline.cpuMs, 0) / mp,
    baselinePsnrGain: mean(rows.map((r) => r.baseline.restored.psnr - r.degraded.psnr)),
    meetsMargins:
      worst(psnrGains) > margin.psnr && worst(ssimGains) > margin.ssim && (margin.inMask === undefined || (inMask !== null && worst(inMask) > margin.inMask)),
  };
}

function qualityCells(degraded: Quality, restored: Quality): string[] {
  return [
    beforeAfter(degraded.psnr, restored.psnr, 2),
    signed(restored.psnr - degraded.psnr, 2),
    beforeAfter(degraded.ssim, restored.ssim, 3),
    signed(restored.ssim - degraded.ssim, 3),
    degraded.inMask !== null && restored.inMask !== null ? `${beforeAfter(degraded.inMask, restored.inMask, 2)} (${signed(restored.inMask - degraded.inMask, 2)})` : '-',
  ];
}

export async function benchRestore(report: Reporter): Promise<unknown> {
  const runs = positiveInt(process.env.BENCH_RESTORE_RUNS, 5);
  const largeMP = nonNegative(process.env.BENCH_RESTORE_LARGE_MP, 4);
  const printRuns = positiveInt(process.env.BENCH_RESTORE_PRINT_RUNS, 3);
  const fixtures = path.join(repoRoot, 'tests', 'fixtures');
  const loadBefore = os.loadavg();

  log(`R1. restoration kernels: ${DEGRADATIONS.length} degradations × 4 sample photos, median of ${runs} runs each, against sharp`);
  const kernelRun = await runChild<KernelsResult>('restore-child.js', ['kernels', fixtures, String(runs)], { inheritStderr: true });
  const kernels = kernelRun.result;

  const summaries: DegradationSummary[] = [];
  for (const kind of DEGRADATIONS) {
    const rows = kernels.rows.filter((r) => r.kind === kind);
    const s = summarise(kind, rows);
    summaries.push(s);
    report.table(
      `R1 ${kind}: ${DEGRADATION_NAMES[kind]} → ${RESTORATION_NAMES[kind]} (vs sharp ${s.baselineOp} on the same image)`,
      ['photo', 'MP', 'PSNR dB', 'gain', 'SSIM', 'gain', 'PSNR in damage', 'ms', 'ms/MP', 'CPU ms/MP', 'sharp ms/MP', 'sharp CPU ms/MP', 'sharp PSNR gain'],
      [
        ...rows.map((r) => [
          r.photo,
          fmt(megapixels(r), 2),
          ...qualityCells(r.degraded, r.restored),
          ms(r.ms),
          fmt(r.ms / megapixels(r), 0),
          fmt(r.cpuMs / megapixels(r), 0),
          fmt(r.baseline.ms / megapixels(r), 0),
          fmt(r.baseline.cpuMs / megapixels(r), 0),
          signed(r.baseline.restored.psnr - r.degraded.psnr, 2),
        ]),
        [
          'mean / pooled',
          fmt(rows.reduce((sum, r) => sum + megapixels(r), 0), 2),
          '',
          signed(s.psnrGain.mean, 2),
          '',
          signed(s.ssimGain.mean, 3),
          s.inMaskGain ? signed(s.inMaskGain.mean, 2) : '-',
          '',
          fmt(s.msPerMP, 0),
          fmt(s.cpuMsPerMP, 0),
          fmt(s.baselineMsPerMP, 0),
          fmt(s.baselineCpuMsPerMP, 0),
          signed(s.baselinePsnrGain, 2),
        ],
        ['worst', '', '', signed(s.psnrGain.worst, 2), '', signed(s.ssimGain.worst, 3), s.inMaskGain ? signed(s.inMaskGain.worst, 2) : '-', '', '', '', '', '', ''],
      ],
    );
  }
  report.table(
    `R1. Restoration per degradation, 4 sample photos (${fmt(kernels.rows.filter((r) => r.kind === 'noise').reduce((sum, r) => sum + megapixels(r), 0), 2)} MP in all): gains against the tests' margins, time per megapixel against sharp`,
    ['degradation', 'restored by', 'PSNR gain mean / worst', 'margin', 'SSIM gain mean / worst', 'margin', 'in damage mean / worst', 'margin', 'ms/MP', 'CPU ms/MP', 'sharp op', 'sharp ms/MP', 'sharp CPU ms/MP', 'ours / sharp (CPU)', 'sharp PSNR gain'],
    summaries.map((s) => {
      const margin = RESTORE_MARGINS[s.kind];
      return [
        s.kind,
        RESTORATION_NAMES[s.kind],
        `${signed(s.psnrGain.mean, 2)} / ${signed(s.psnrGain.worst, 2)}`,
        `> +${margin.psnr}`,
        `${signed(s.ssimGain.mean, 3)} / ${signed(s.ssimGain.worst, 3)}`,
        `> +${margin.ssim}`,
        s.inMaskGain ? `${signed(s.inMaskGain.mean, 2)} / ${signed(s.inMaskGain.worst, 2)}` : '-',
        margin.inMask === undefined ? '' : `> +${margin.inMask}`,
        fmt(s.msPerMP, 0),
        fmt(s.cpuMsPerMP, 0),
        s.baselineOp,
        fmt(s.baselineMsPerMP, 0),
        fmt(s.baselineCpuMsPerMP, 0),
        `${fmt(s.msPerMP / s.baselineMsPerMP, 1)}x (${fmt(s.cpuMsPerMP / s.baselineCpuMsPerMP, 1)}x)`,
        signed(s.baselinePsnrGain, 2),
      ];
    }),
  );
  console.log(
    `  (ours: the engine's kernel for that degradation (bench/quality/restorations.ts, as the tests run it) on one thread, raw RGBA in and out, no render or PNG; ` +
      `sharp: raw RGBA in and out with ${kernels.sharpConcurrency} libvips thread(s); ms/MP pooled over the photos (total ms / total MP), each time the median of ${runs} runs; CPU: the process's CPU time meanwhile, which others' load does not stretch; ` +
      `ours and sharp's alternated; others' CPU meanwhile ${othersCores(kernelRun)} of ${os.cpus().length} cores)`,
  );

  log(`R2. LocalEngine.restore() on old prints of the 4 sample photos${largeMP > 0 ? ` and of coffee.png at ${largeMP} MP` : ''}, ${printRuns} times each`);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-restore-'));
  let engineRun: ChildRun<EngineResult>;
  try {
    engineRun = await runChild<EngineResult>('restore-child.js', ['engine', fixtures, path.join(scratch, 'library'), String(largeMP), String(printRuns)], { inheritStderr: true });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  const engine = engineRun.result;
  const samples = engine.prints.slice(0, 4);
  const large = engine.prints[4] ?? null;
  // Each restore against the sharp run right after it, so a burst of load falls on both.
  const pairedRatio = (p: PrintRow) => median(p.runsMs.map((v, i) => v / p.baseline.runsMs[i]!));
  const pooled = (prints: PrintRow[], pick: (p: PrintRow) => number) => prints.reduce((sum, p) => sum + pick(p), 0) / prints.reduce((sum, p) => sum + megapixels(p), 0);

  report.table(
    'R2. Old prints (faded, tinted, grainy σ 8, 60 dust specks, 3 scratches) through LocalEngine.restore(), 1 worker thread, vs sharp median(3) + normalise + sharpen, PNG file → PNG',
    ['photo', 'size', 'PSNR dB', 'gain', 'SSIM', 'gain', 'PSNR in damage', 'steps', 'ms', 'ms/MP', 'CPU ms/MP', 'sharp ms/MP', 'sharp CPU ms/MP', 'ours / sharp (CPU)', 'sharp PSNR / SSIM gain'],
    engine.prints.map((p) => [
      p.photo,
      `${p.width}×${p.height}`,
      ...qualityCells(p.degraded, p.restored),
      `${p.steps.length} (${p.skipped.length} skipped)`,
      ms(p.totalMs),
      fmt(p.totalMs / megapixels(p), 0),
      fmt(p.cpuMs / megapixels(p), 0),
      fmt(p.baseline.ms / megapixels(p), 0),
      fmt(p.baseline.cpuMs / megapixels(p), 0),
      `${fmt(pairedRatio(p), 1)}x (${fmt(p.cpuMs / p.baseline.cpuMs, 1)}x)`,
      `${signed(p.baseline.restored.psnr - p.degraded.psnr, 2)} / ${signed(p.baseline.restored.ssim - p.degraded.ssim, 3)}`,
    ]),
  );
  const skippedBy = new Map<string, string[]>();
  for (const p of engine.prints) for (const name of p.skipped) skippedBy.set(name, [...(skippedBy.get(name) ?? []), p.photo]);
  console.log(
    `  (ms: restore() called → its last step committed, the median of ${printRuns} restores (each a new project), after one untimed restore that started the worker (${ms(engine.warmupMs)} ms); ` +
      `sharp: the median of ${printRuns} runs, each right after a restore; ours / sharp: the median of those pairs' ratios; ` +
      `skipped: ${[...skippedBy].map(([name, photos]) => `${name} on ${photos.join(', ')}`).join('; ') || 'none'}; others' CPU meanwhile ${othersCores(engineRun)} of ${os.cpus().length} cores)`,
  );

  const names = samples[0]?.subSteps.map((s) => s.name) ?? [];
  const perMP = (prints: PrintRow[], name: string, pick: (s: PrintRow['subSteps'][number]) => number | null) => {
    const values = prints.map((p) => pick(p.subSteps.find((s) => s.name === name)!));
    if (values.every((v) => v === null)) return '-';
    return fmt(values.reduce<number>((sum, v) => sum + (v ?? 0), 0) / prints.reduce((sum, p) => sum + megapixels(p), 0), 0);
  };
  const stepTotal = (s: PrintRow['subSteps'][number]) => (s.taskMs ?? 0) + (s.storeMs ?? 0) + (s.commitMs ?? 0);
  const overhead = (p: PrintRow) => p.totalMs - p.subSteps.reduce((sum, s) => sum + stepTotal(s), 0);
  report.table(
    `R3. Where restore() spends its time (the median restore of each), ms/MP pooled over the 4 old prints (${fmt(samples.reduce((sum, p) => sum + megapixels(p), 0), 2)} MP)${large ? ` and at ${fmt(megapixels(large), 1)} MP` : ''}`,
    ['sub-step', 'made on', 'worker task', 'its CPU', 'of which kernel', 'store layer', 'commit', 'sub-step total', ...(large ? [`at ${fmt(megapixels(large), 1)} MP: total`, 'of which kernel'] : [])],
    [
      ...names.map((name) => [
        name,
        `${samples.filter((p) => p.subSteps.find((s) => s.name === name)!.made).length} of ${samples.length}${large ? `, ${large.subSteps.find((s) => s.name === name)!.made ? 'made' : 'skipped'}` : ''}`,
        perMP(samples, name, (s) => s.taskMs),
        perMP(samples, name, (s) => s.taskCpuMs),
        perMP(samples, name, (s) => s.kernelMs),
        perMP(samples, name, (s) => s.storeMs),
        perMP(samples, name, (s) => s.commitMs),
        perMP(samples, name, stepTotal),
        ...(large ? [perMP([large], name, stepTotal), perMP([large], name, (s) => s.kernelMs)] : []),
      ]),
      ['engine between sub-steps', '', '', '', '', '', '', fmt(pooled(samples, overhead), 0), ...(large ? [fmt(pooled([large], overhead), 0), ''] : [])],
      ['restore() in all', '', '', '', '', '', '', fmt(pooled(samples, (p) => p.totalMs), 0), ...(large ? [fmt(pooled([large], (p) => p.totalMs), 0), ''] : [])],
      ['restore() in all, CPU', '', '', '', '', '', '', fmt(pooled(samples, (p) => p.cpuMs), 0), ...(large ? [fmt(pooled([large], (p) => p.cpuMs), 0), ''] : [])],
    ],
  );
  console.log(
    '  (its CPU: the process\'s CPU time during the task, all threads; worker task: the task as the main thread waited for it — the worker renders the stack so far (PNG decode + composite), runs the kernel, encodes the layer as PNG; ' +
      'auto levels, colour cast and fade measure a proxy of at most 1.5 MP and add an adjustment layer; Sharpen is an adjustment layer, committed without pixel work)',
  );
  const loadAfter = os.loadavg();
  console.log(`  (load average before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')})`);

  for (const s of summaries) {
    const margin = RESTORE_MARGINS[s.kind];
    report.row(
      `restore ${s.kind}: PSNR / SSIM gain, mean (worst)`,
      `${signed(s.psnrGain.mean, 2)} dB (${signed(s.psnrGain.worst, 2)}) / ${signed(s.ssimGain.mean, 3)} (${signed(s.ssimGain.worst, 3)}); ${fmt(s.msPerMP, 0)} ms/MP`,
      `> +${margin.psnr} dB / +${margin.ssim}${margin.inMask === undefined ? '' : `, +${margin.inMask} dB in damage`}`,
      s.meetsMargins,
    );
  }
  const denoise = summaries.find((s) => s.kind === 'noise')!;
  report.row(
    'restore: denoise ms/MP vs sharp median(3)',
    `${fmt(denoise.msPerMP, 0)} vs ${fmt(denoise.baselineMsPerMP, 0)} ms/MP = ${fmt(denoise.msPerMP / denoise.baselineMsPerMP, 1)}x; CPU ${fmt(denoise.cpuMsPerMP / denoise.baselineCpuMsPerMP, 1)}x`,
  );
  report.row(
    'restore: old print, restore() ms/MP (4 samples)',
    `${fmt(pooled(samples, (p) => p.totalMs), 0)} ms/MP (CPU ${fmt(pooled(samples, (p) => p.cpuMs), 0)}); PSNR gain ${signed(mean(samples.map((p) => p.restored.psnr - p.degraded.psnr)), 2)} dB, SSIM ${signed(mean(samples.map((p) => p.restored.ssim - p.degraded.ssim)), 3)}`,
  );
  if (large) report.row(`restore: old print at ${fmt(megapixels(large), 1)} MP, restore() ms/MP`, `${fmt(large.totalMs / megapixels(large), 0)} ms/MP (${fmt(large.totalMs / 1000, 1)} s, CPU ${fmt(large.cpuMs / megapixels(large), 0)} ms/MP); sharp chain ${fmt(large.baseline.ms / megapixels(large), 0)} ms/MP; ours / sharp ${fmt(pairedRatio(large), 1)}x (CPU ${fmt(large.cpuMs / large.baseline.cpuMs, 1)}x)`);

  return {
    runs,
    largeMegapixels: largeMP,
    printRuns,
    loadAverage: { before: loadBefore, after: loadAfter },
    kernels: { ...kernels, wallMs: kernelRun.wallMs, machineBusyMs: kernelRun.machineBusyMs },
    summaries,
    engine: { ...engine, wallMs: engineRun.wallMs, machineBusyMs: engineRun.machineBusyMs },
  };
}
