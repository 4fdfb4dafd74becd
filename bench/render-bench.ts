/**
 * The live preview in Chromium: bench/render-core.ts (which imports shared/document/render.ts —
 * the editor's incremental renderer and renderStack — and the pixel kernels) is bundled by Vite for the browser, served with a bare page from a
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
const OF_INTEREST = ['render', 'renderStack', 'renderLayer', 'materialize', 'materializeRegion', 'rasterizeMask', 'applyAdjustment', 'adjustNormal', 'composite', 'applyLut', 'applySaturation', 'structuredClone'];

const OPTIONS: RenderBenchOptions = { docWidth: 6000, docHeight: 4000, proxyEdge: 1600, frames: 60, warmup: 10, breakdownRuns: 7 };
const PROFILED: RenderBenchOptions = { ...OPTIONS, frames: 20, warmup: 3, breakdownRuns: 1 };

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
  const node: Side = { result: nodeRun.result, frame: stats(nodeRun.result.figures[0]!.frameMs), profile: nodeProfile?.profile ?? null };

  const r = node.result;
  const title =
    `E2. One slider change re-rendered at proxy size ${r.width}×${r.height} (document ${OPTIONS.docWidth}×${OPTIONS.docHeight}, scale ${fmt(r.scale, 3)}; ` +
    `photo + 5 adjustment layers, saturation masked by 3 feathered strokes): applyOperation + render, ${OPTIONS.frames} frames after ${OPTIONS.warmup} warm-up. ` +
    `"editor" = what the render worker does for a view frame: structuredClone of the stack (postMessage) + the incremental renderer; "renderStack" = the whole stack from scratch (export's path)`;
  const describe = (f: RenderBenchResult['figures'][number]) =>
    `${f.renderer === 'incremental' ? 'editor' : 'renderStack'}, ${f.layer === 'brightness' ? 'brightness slider (bottom adjustment)' : 'tone curve slider (top layer)'}`;
  const rows: string[][] = [];
  r.figures.forEach((nodeFigure, index) => {
    const browserFigure = 'error' in chromium ? null : chromium.result.figures[index];
    for (const [where, f] of [
      ['error' in chromium ? 'Chromium (failed)' : `Chromium ${chromium.version}, page main thread`, browserFigure],
      [`Node ${process.version}`, nodeFigure],
    ] as const) {
      if (!f) {
        rows.push([describe(nodeFigure), where, '-', '-', '-', '-', '-', '-', '-']);
        continue;
      }
      const s = stats(f.frameMs);
      rows.push([describe(f), where, ms(s.p50), ms(s.p95), ms(s.max), ms(s.mean), fmt(1000 / s.p50, 1), `${fmt(s.p95 / FRAME_TARGET_MS, 2)}x`, f.identical ? 'yes' : 'NO']);
    }
  });
  report.table(title, ['frame', 'where', 'p50 ms', 'p95 ms', 'max ms', 'mean ms', 'fps at p50', 'p95 vs 16 ms', 'same bytes as renderStack'], rows);
  if ('error' in chromium) console.log(`  Chromium run failed: ${chromium.error}`);
  else {
    const checks = r.figures.map((f, i) => chromium.result.figures[i]?.checksum === f.checksum);
    console.log(
      `  (bundle: ${(chromium.bundleBytes / 1024).toFixed(0)} KB built by Vite in ${fmt(chromium.bundleMs / 1000, 1)} s, not minified so the profile names functions; ` +
        `timer resolution in the page ${fmt(chromium.result.timerResolutionMs * 1000, 0)} µs; last-frame checksums Chromium vs Node: ${checks.every(Boolean) ? 'identical' : 'DIFFERENT'} ` +
        `(${r.figures.map((f) => f.checksum).join(', ')}))`,
    );
  }
  const sides: [string, Side | null][] = [
    ['error' in chromium ? 'Chromium (failed)' : `Chromium ${chromium.version}, page main thread`, 'error' in chromium ? null : chromium],
    [`Node ${process.version}`, node],
  ];

  const browserLayers = 'error' in chromium ? null : chromium.result.breakdown;
  report.table(
    `E2b. What each layer costs on its own: the layer loop with the same kernels, nothing fused or kept, median of ${OPTIONS.breakdownRuns} (ms; Chromium, Node total last)`,
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
  for (const [label, side] of sides) {
    if (!side?.profile) continue;
    console.log(`  profile, ${label.split(',')[0]} (the three figures, ${PROFILED.frames} frames + ${PROFILED.warmup} warm-up each), self time:`);
    for (const line of profileLines(side.profile, 6)) console.log(`    ${line}`);
    console.log(`    inclusive: ${Object.entries(side.profile.inclusive).map(([fn, t]) => `${fn} ${ms(t)}`).join(', ')} ms`);
  }

  const row = (side: Side | null, index: number) => {
    const f = side?.result.figures[index];
    if (!f) return 'failed';
    const st = stats(f.frameMs);
    return `p50 ${ms(st.p50)} / p95 ${ms(st.p95)} ms`;
  };
  const browser = 'error' in chromium ? null : chromium;
  const p95 = (index: number) => (browser ? stats(browser.result.figures[index]!.frameMs).p95 : Number.NaN);
  report.row('render: slider frame in the editor, brightness (bottom), Chromium (p95)', row(browser, 0), `< ${FRAME_TARGET_MS} ms`, p95(0) < FRAME_TARGET_MS);
  report.row('render: slider frame in the editor, tone curve (top), Chromium (p95)', row(browser, 1), `< ${FRAME_TARGET_MS} ms`, p95(1) < FRAME_TARGET_MS);
  report.row('render: renderStack from scratch, Chromium (p95)', row(browser, 2));
  report.row('render: slider frame in the editor, brightness, Node (p95)', row(node, 0));
  if (browser) report.row('render: same pixels in Chromium and Node', r.figures.every((f, i) => browser.result.figures[i]?.checksum === f.checksum) ? 'yes' : 'NO');
  report.row('render: incremental frames identical to renderStack', [...r.figures, ...(browser?.result.figures ?? [])].every((f) => f.identical) ? 'yes' : 'NO');

  const strip = (side: Side | null) =>
    side && {
      frame: side.frame,
      figures: side.result.figures.map((f) => ({ ...f, stats: stats(f.frameMs) })),
      breakdown: side.result.breakdown,
      breakdownRenderMs: side.result.breakdownRenderMs,
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
    return { result, frame: stats(result.figures[0]!.frameMs), profile, version: browser.version(), bundleBytes: script.byteLength, bundleMs: built.ms };
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
