/**
 * The live preview in Chromium: bench/render-core.ts (which imports shared/document/render.ts
 * and the pixel kernels) is bundled by Vite for the browser, served with a bare page from a
 * loopback HTTP server started here, and run in Debian's Chromium through playwright-core. The
 * same module runs in a Node child for comparison. A second, shorter run of each is profiled
 * (CDP Profiler in Chromium, --cpu-prof in Node) to say which function a frame's time goes to.
 */
import http from 'node:http';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, ms, repoRoot, runChild, stats, type Reporter, type Stats } from './common.js';
import { profileChild, profileLines, summarizeProfile, type CpuProfile, type ProfileSummary } from './profile.js';
import type { RenderBenchOptions, RenderBenchResult } from './render-core.js';

export const FRAME_TARGET_MS = 16;
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
/** Functions whose inclusive time the profiles report. */
const OF_INTEREST = ['renderStack', 'rasterizeMask', 'paintStroke', 'featherMask', 'applyAdjustment', 'composite', 'applyLut', 'applySaturation'];

const OPTIONS: RenderBenchOptions = { docWidth: 6000, docHeight: 4000, proxyEdge: 1600, frames: 60, warmup: 10, breakdownRuns: 7, whatIfFrames: 30 };
const PROFILED: RenderBenchOptions = { ...OPTIONS, frames: 20, warmup: 3, breakdownRuns: 1, whatIfFrames: 0 };

interface Side {
  result: RenderBenchResult;
  frame: Stats;
  profile: ProfileSummary | null;
}

export async function benchRender(report: Reporter): Promise<unknown> {
  log(`E2. proxy re-render after one slider change: ${OPTIONS.frames} frames in Chromium and in Node`);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-render-'));
  let chromium: (Side & { version: string; bundleBytes: number; bundleMs: number }) | { error: string };
  try {
    chromium = await inChromium(scratch).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  log('  the same in Node…');
  const nodeRun = await runChild<RenderBenchResult>('render-child.js', [JSON.stringify(OPTIONS)]);
  const nodeProfile = await profileChild<RenderBenchResult>('render-child.js', [JSON.stringify(PROFILED)], OF_INTEREST).catch((error: unknown) => {
    log(`  (no Node profile: ${error instanceof Error ? error.message : String(error)})`);
    return null;
  });
  const node: Side = { result: nodeRun.result, frame: stats(nodeRun.result.frameMs), profile: nodeProfile?.profile ?? null };

  const r = node.result;
  const title =
    `E2. One slider change re-rendered at proxy size ${r.width}×${r.height} (document ${OPTIONS.docWidth}×${OPTIONS.docHeight}, scale ${fmt(r.scale, 3)}; ` +
    `photo + 5 adjustment layers, saturation masked by 3 feathered strokes): applyOperation + renderStack, ${OPTIONS.frames} frames after ${OPTIONS.warmup} warm-up`;
  const sides: [string, Side | null][] = [
    ['error' in chromium ? 'Chromium (failed)' : `Chromium ${chromium.version}, page main thread`, 'error' in chromium ? null : chromium],
    [`Node ${process.version}`, node],
  ];
  report.table(
    title,
    ['where', 'p50 ms', 'p95 ms', 'max ms', 'mean ms', 'fps at p50', 'vs 16 ms'],
    sides.map(([label, side]) =>
      side
        ? [label, ms(side.frame.p50), ms(side.frame.p95), ms(side.frame.max), ms(side.frame.mean), fmt(1000 / side.frame.p50, 1), `${fmt(side.frame.p95 / FRAME_TARGET_MS, 1)}x`]
        : [label, '-', '-', '-', '-', '-', '-'],
    ),
  );
  if ('error' in chromium) console.log(`  Chromium run failed: ${chromium.error}`);
  else {
    console.log(
      `  (bundle: ${(chromium.bundleBytes / 1024).toFixed(0)} KB built by Vite in ${fmt(chromium.bundleMs / 1000, 1)} s, not minified so the profile names functions; ` +
        `timer resolution in the page ${fmt(chromium.result.timerResolutionMs * 1000, 0)} µs; output checksum Chromium ${chromium.result.checksum} / Node ${r.checksum}: ${chromium.result.checksum === r.checksum ? 'identical' : 'DIFFERENT'})`,
    );
  }

  const browserLayers = 'error' in chromium ? null : chromium.result.breakdown;
  report.table(
    `E2b. Where a frame goes: renderStack's loop re-enacted per layer with the same kernels, median of ${OPTIONS.breakdownRuns} (ms; Chromium, Node total last)`,
    ['layer', 'mask (rasterizeMask)', 'kernel (applyAdjustment)', 'blend (composite)', 'layer total', 'share', 'Node layer total'],
    r.breakdown.map((nodeLayer, index) => {
      const layer = browserLayers?.[index] ?? null;
      const sum = (browserLayers ?? r.breakdown).reduce((total, l) => total + l.totalMs, 0);
      const pick = layer ?? nodeLayer;
      return [
        `${nodeLayer.layer} (${nodeLayer.kind})`,
        layer ? ms(layer.maskMs) : '-',
        layer ? (layer.kind === 'image' ? '-' : ms(layer.kernelMs)) : '-',
        layer ? ms(layer.compositeMs) : '-',
        layer ? ms(layer.totalMs) : '-',
        `${fmt((100 * pick.totalMs) / sum, 0)}%`,
        ms(nodeLayer.totalMs),
      ];
    }),
  );
  const parts = (layers: RenderBenchResult['breakdown']) => ({
    mask: layers.reduce((t, l) => t + l.maskMs, 0),
    kernel: layers.reduce((t, l) => t + l.kernelMs, 0),
    blend: layers.reduce((t, l) => t + l.compositeMs, 0),
  });
  const split = parts(browserLayers ?? r.breakdown);
  console.log(
    `  (${browserLayers ? 'Chromium' : 'Node'}: masks ${ms(split.mask)} ms, kernels ${ms(split.kernel)} ms, blends ${ms(split.blend)} ms; ` +
      `renderStack alone in the same runs ${ms((browserLayers && !('error' in chromium) ? chromium.result : r).breakdownRenderMs)} ms)`,
  );
  const whatIfNames = r.whatIf.map((w) => w.name);
  if (whatIfNames.length > 0) {
    const browserWhatIf = 'error' in chromium ? null : chromium.result.whatIf;
    report.table(
      `E2c. What the fix would give (bench/render-whatif.ts: the same kernels with the changes proposed for render.ts/blend.ts; ${OPTIONS.whatIfFrames} frames each, ms)`,
      ['variant', 'scale', 'Chromium p50', 'Chromium p95', 'Node p50', 'Node p95', 'same bytes as renderStack'],
      whatIfNames.map((name, index) => {
        const browser = browserWhatIf?.[index];
        const b = browser ? stats(browser.frameMs) : null;
        const n = stats(r.whatIf[index]!.frameMs);
        const identical = (browser ?? r.whatIf[index]!).identical;
        return [name, fmt(r.whatIf[index]!.scale, 3), b ? ms(b.p50) : '-', b ? ms(b.p95) : '-', ms(n.p50), ms(n.p95), identical === null ? 'n/a (other size)' : identical ? 'yes' : 'NO'];
      }),
    );
  }
  for (const [label, side] of sides) {
    if (!side?.profile) continue;
    console.log(`  profile, ${label.split(',')[0]} (${PROFILED.frames} frames + ${PROFILED.warmup} warm-up), self time:`);
    for (const line of profileLines(side.profile, 6)) console.log(`    ${line}`);
    console.log(`    inclusive: ${Object.entries(side.profile.inclusive).map(([fn, t]) => `${fn} ${ms(t)}`).join(', ')} ms`);
  }

  if (!('error' in chromium)) {
    report.row('render: slider frame, Chromium (p95)', `p50 ${ms(chromium.frame.p50)} / p95 ${ms(chromium.frame.p95)} ms`, `< ${FRAME_TARGET_MS} ms`, chromium.frame.p95 < FRAME_TARGET_MS);
  } else {
    report.row('render: slider frame, Chromium (p95)', 'failed', `< ${FRAME_TARGET_MS} ms`, false);
  }
  report.row('render: slider frame, Node (p95)', `p50 ${ms(node.frame.p50)} / p95 ${ms(node.frame.p95)} ms`);
  if (!('error' in chromium)) report.row('render: same pixels in Chromium and Node', chromium.result.checksum === r.checksum ? 'yes' : 'NO');

  const strip = (side: Side | null) =>
    side && {
      frame: side.frame,
      frameMs: side.result.frameMs,
      breakdown: side.result.breakdown,
      breakdownRenderMs: side.result.breakdownRenderMs,
      checksum: side.result.checksum,
      whatIf: side.result.whatIf.map((w) => ({ ...w, stats: stats(w.frameMs) })),
      profile: side.profile,
    };
  return {
    options: OPTIONS,
    proxy: { width: r.width, height: r.height, scale: r.scale, layers: r.layers },
    targetMs: FRAME_TARGET_MS,
    chromium: 'error' in chromium ? chromium : { version: chromium.version, bundleBytes: chromium.bundleBytes, timerResolutionMs: chromium.result.timerResolutionMs, ...strip(chromium) },
    node: strip(node),
  };
}

/** Bundles render-core.ts for the browser with Vite (library mode, ES module). */
async function bundle(outDir: string): Promise<{ file: string; ms: number }> {
  const started = performance.now();
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      // Readable function names in the profile; minifying changes names, not the JIT's work.
      minify: false,
      sourcemap: false,
      copyPublicDir: false,
      lib: { entry: path.join(repoRoot, 'bench', 'render-core.ts'), formats: ['es'], fileName: () => 'render-core.js' },
    },
  });
  return { file: path.join(outDir, 'render-core.js'), ms: performance.now() - started };
}

async function inChromium(scratch: string): Promise<Side & { version: string; bundleBytes: number; bundleMs: number }> {
  log('  bundling bench/render-core.ts (shared/document/render.ts + shared/imaging) with Vite…');
  const built = await bundle(path.join(scratch, 'www'));
  const script = await fs.readFile(built.file);
  const page = '<!doctype html><meta charset="utf-8"><title>render bench</title>' + '<script type="module">import * as bench from "/render-core.js"; window.__bench = bench;</script>';
  // Cross-origin isolated, so performance.now() is not coarsened to 100 µs.
  const server = http.createServer((req, res) => {
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (req.url === '/render-core.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      res.writeHead(404, headers);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${port}/`);
    await tab.waitForFunction('window.__bench !== undefined');
    log(`  Chromium ${browser.version()}: ${OPTIONS.frames} frames…`);
    const result = (await tab.evaluate(`window.__bench.runRenderBench(${JSON.stringify(OPTIONS)})`)) as RenderBenchResult;

    log('  Chromium, profiled run…');
    let profile: ProfileSummary | null = null;
    try {
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
      await tab.evaluate(`window.__bench.runRenderBench(${JSON.stringify(PROFILED)})`);
      const stopped = await cdp.send('Profiler.stop');
      profile = summarizeProfile(stopped.profile as unknown as CpuProfile, 12, OF_INTEREST);
    } catch (error) {
      log(`  (no Chromium profile: ${error instanceof Error ? error.message : String(error)})`);
    }
    return { result, frame: stats(result.frameMs), profile, version: browser.version(), bundleBytes: script.byteLength, bundleMs: built.ms };
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
