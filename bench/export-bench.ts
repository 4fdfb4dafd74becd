/**
 * Export of a 24-megapixel photo with five adjustment layers (brightness, contrast, saturation,
 * temperature & tint, tone curve) and a mask on one (saturation: three feathered strokes), as
 * JPEG q90 at full size through `services.exportOne`, against sharp alone decoding the same
 * file and encoding JPEG q90. Every run is a child process of its own (peak RSS = its VmHWM).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, ms, runChild, type ChildRun, type Reporter } from './common.js';
import { profileChild, profileLines, type ProfileSummary } from './profile.js';
import type { LayerTiming } from './render-core.js';

interface Resources {
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

interface TimedRun extends Resources {
  elapsedMs: number;
  outBytes: number;
}

interface SetupResult {
  projectId: number;
  photoId: number;
  width: number;
  height: number;
  layers: string[];
}

interface BreakdownResult extends Resources {
  decodeMs: number;
  layers: LayerTiming[];
  renderMs: number;
  encodeMs: number;
  renderFullMs: number;
  outBytes: number;
}

export async function benchExport(report: Reporter): Promise<unknown> {
  const photos = (await runChild<{ files: string[]; totalBytes: number }>('generate-child.js', ['1'], { inheritStderr: true })).result;
  const file = photos.files[0]!;
  log(`E3. export of ${path.basename(file)} (${(photos.totalBytes / 1024 ** 2).toFixed(1)} MB) with 5 adjustment layers and a mask`);
  const libraryDir = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-export-'));
  try {
    const setup = (await runChild<SetupResult>('export-child.js', ['setup', file, libraryDir])).result;
    const runs: { label: string; run: ChildRun<TimedRun> }[] = [];
    const baseline = () => runChild<TimedRun>('export-baseline-child.js', [file]);
    const exportRun = (n: number) => runChild<TimedRun>('export-child.js', ['export', libraryDir, String(setup.projectId), path.join(libraryDir, `out-${n}.jpg`)]);
    log('  sharp baseline…');
    runs.push({ label: 'sharp baseline, 1st', run: await baseline() });
    log('  promptroom export…');
    runs.push({ label: 'promptroom exportOne, 1st', run: await exportRun(1) });
    runs.push({ label: 'promptroom exportOne, 2nd', run: await exportRun(2) });
    runs.push({ label: 'sharp baseline, 2nd', run: await baseline() });
    runs.push({ label: 'sharp baseline with 4:4:4 chroma (as the export encodes at q ≥ 90)', run: await runChild<TimedRun>('export-baseline-child.js', [file, '444']) });
    log('  where the export goes (steps re-enacted)…');
    const breakdown = (await runChild<BreakdownResult>('export-child.js', ['breakdown', libraryDir, String(setup.projectId)])).result;
    log('  profiled export…');
    let profile: ProfileSummary | null = null;
    try {
      const profiled = await profileChild<TimedRun>('export-child.js', ['export', libraryDir, String(setup.projectId), path.join(libraryDir, 'out-profiled.jpg')], [
        'renderFull',
        'renderStack',
        'rasterizeMask',
        'paintStroke',
        'featherMask',
        'applyAdjustment',
        'composite',
      ]);
      profile = profiled.profile;
    } catch (error) {
      log(`  (no profile: ${error instanceof Error ? error.message : String(error)})`);
    }

    const pick = (label: string) => runs.filter((r) => r.label.startsWith(label)).map((r) => r.run.result);
    const best = (list: TimedRun[]) => list.reduce((a, b) => (b.elapsedMs < a.elapsedMs ? b : a));
    const promptroom = best(pick('promptroom'));
    const sharpAlone = best(pick('sharp baseline,'));
    const ratio = promptroom.elapsedMs / sharpAlone.elapsedMs;
    const rssMB = Math.max(...pick('promptroom').map((r) => r.peakRssKB)) / 1024;

    report.table(
      `E3. Export of a ${setup.width}×${setup.height} JPEG (${(photos.totalBytes / 1024 ** 2).toFixed(1)} MB) with ${setup.layers.length - 1} adjustment layers (${setup.layers.slice(1).join(', ')}), JPEG q90 full size`,
      ['run', 'seconds', 'vs sharp', 'out MB', 'CPU user+sys s', 'peak RSS MB', 'wall s', "others' CPU"],
      runs.map(({ label, run }) => [
        label,
        fmt(run.result.elapsedMs / 1000, 2),
        `${fmt(run.result.elapsedMs / sharpAlone.elapsedMs, 1)}x`,
        fmt(run.result.outBytes / 1024 ** 2, 1),
        `${fmt(run.result.userCpuMs / 1000, 1)}+${fmt(run.result.systemCpuMs / 1000, 1)}`,
        fmt(run.result.peakRssKB / 1024, 0),
        fmt(run.wallMs / 1000, 2),
        run.machineBusyMs === null ? '-' : `${fmt(Math.max(0, run.machineBusyMs - run.result.userCpuMs - run.result.systemCpuMs) / run.wallMs, 2)} cores`,
      ]),
    );
    console.log(`  (seconds: exportOne alone, after openServices; the baseline is the whole sharp pipeline. Peak RSS: the child's VmHWM, services and library included. Others' CPU: the rest of the machine's busy time meanwhile, out of ${os.cpus().length} cores.)`);
    const sum = breakdown.decodeMs + breakdown.renderMs + breakdown.encodeMs;
    const stepRows: string[][] = [['decodeRgba (sharp: JPEG → RGBA, 24 MP)', ms(breakdown.decodeMs), `${fmt((100 * breakdown.decodeMs) / sum, 0)}%`]];
    for (const layer of breakdown.layers) {
      const parts = [layer.maskMs > 0.5 ? `mask ${ms(layer.maskMs)}` : '', layer.kind === 'adjustment' ? `kernel ${ms(layer.kernelMs)}` : '', `blend ${ms(layer.compositeMs)}`].filter(Boolean).join(' + ');
      stepRows.push([`  renderStack: ${layer.layer} (${parts})`, ms(layer.totalMs), `${fmt((100 * layer.totalMs) / sum, 0)}%`]);
    }
    stepRows.push(['  renderStack in all (timed on its own)', ms(breakdown.renderMs), `${fmt((100 * breakdown.renderMs) / sum, 0)}%`]);
    stepRows.push(['sharp: RGBA → JPEG q90 4:4:4 + sRGB profile + EXIF + XMP', ms(breakdown.encodeMs), `${fmt((100 * breakdown.encodeMs) / sum, 0)}%`]);
    report.table('E3b. Where an export goes (exportProject\'s steps re-enacted in a child, ms; a layer\'s parts come from a separate pass)', ['step', 'ms', 'share'], stepRows);

    if (profile) {
      console.log(`  profile of one more exportOne (JS on the main thread; sharp's own threads show as idle), self time:`);
      for (const line of profileLines(profile, 8)) console.log(`    ${line}`);
      console.log(`    inclusive: ${Object.entries(profile.inclusive).map(([fn, t]) => `${fn} ${ms(t)}`).join(', ')} ms`);
    }
    report.row('export: 24 MP, 5 adjustments + mask (promptroom, best)', `${fmt(promptroom.elapsedMs / 1000, 2)} s`);
    report.row('export: sharp decode + JPEG q90 alone (best)', `${fmt(sharpAlone.elapsedMs / 1000, 2)} s`);
    report.row('export ratio (promptroom / sharp)', `${fmt(ratio, 1)}x`);
    report.row('export peak RSS', `${fmt(rssMB, 0)} MB`);
    return {
      file,
      fileBytes: photos.totalBytes,
      project: setup,
      runs: runs.map(({ label, run }) => ({ label, ...run.result, wallMs: run.wallMs })),
      promptroomMs: promptroom.elapsedMs,
      sharpMs: sharpAlone.elapsedMs,
      ratio,
      peakRssMB: rssMB,
      breakdown,
      profile,
    };
  } finally {
    await fs.rm(libraryDir, { recursive: true, force: true });
  }
}
