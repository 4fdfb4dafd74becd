/**
 * The live preview in Chromium: bench/render-page.ts (the editor's RenderClient with its render
 * workers, and render-core.ts, which imports shared/document/render.ts — the editor's incremental
 * renderer and renderStack — and the pixel kernels) is bundled by Vite for the browser, the render
 * worker as its own chunk as in the editor's build, served with a bare page and the photo's
 * preview as a PNG from a loopback HTTP server started here, and run in Debian's Chromium through
 * playwright-core. The main figure is what the editor does for a slider frame: the page applies the
 * operation and waits for both workers' bands. The single-threaded figures (render-core.ts) run
 * on the page and in a Node child for comparison. A second, shorter single-threaded run of each is
 * profiled (CDP Profiler in Chromium, --cpu-prof in Node) to say which function a frame's time goes to.
 */
import http from 'node:http';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, ms, repoRoot, runChild, stats, type Reporter, type Stats } from './common.js';
import { profileChild, profileLines, summarizeProfile, type CpuProfile, type ProfileSummary } from './profile.js';
import { syntheticPreview, type RenderBenchOptions, type RenderBenchResult } from './render-core.js';
import type { WorkerFigure, WorkerRun } from './render-page.js';
import { CHROMIUM_ARGS } from './chromium.js';

export const FRAME_TARGET_MS = 16;
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
/** Functions whose inclusive time the profiles report. */
const OF_INTEREST = ['render', 'renderStack', 'renderLayer', 'materialize', 'materializeRegion', 'rasterizeMask', 'applyAdjustment', 'adjustNormal', 'composite', 'applyLut', 'applySaturation', 'structuredClone'];

const OPTIONS: RenderBenchOptions = { docWidth: 6000, docHeight: 4000, proxyEdge: 1600, frames: 60, warmup: 10, breakdownRuns: 7 };
const PROFILED: RenderBenchOptions = { ...OPTIONS, frames: 20, warmup: 3, breakdownRuns: 1 };

interface Side {
  result: RenderBenchResult;
  frame: Stats;
  profile: ProfileSummary | null;
}

type ChromiumSide = Side & {
  version: string;
  bundleBytes: number;
  bundleMs: number;
  workers: WorkerFigure[] | { error: string };
  /** Two threads' work at once against one alone, measured just before and after the worker figures. */
  parallel: { speedup: number }[];
};

/**
 * What the page measures: the editor on two cores (two bands, drawn frames given back to the
 * workers), the same without giving frames back (the baseline for recycling), and one worker
 * (whole frames).
 */
const WORKER_RUNS: WorkerRun[] = [
  { workers: 2, recycle: true },
  { workers: 2, recycle: false },
  { workers: 1, recycle: true },
];

export async function benchRender(report: Reporter): Promise<unknown> {
  log(`E2. proxy re-render after one slider change: ${OPTIONS.frames} frames in Chromium and in Node`);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-render-'));
  let chromium: ChromiumSide | { error: string };
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
  const workerFigures = 'error' in chromium ? chromium : chromium.workers;
  if (!('error' in workerFigures)) {
    report.table(
      `E2w. The editor's slider frame in Chromium ${'error' in chromium ? '' : chromium.version}: the page applies the operation and its RenderClient posts the stack to the render workers ` +
        `(Web Workers, render.worker.ts bundled by Vite); with 2 workers each renders one band of rows (balancedBands: about half the work each) with its own incremental renderer. ` +
        `Time = operation → every band back on the page; then putImageData of each band (as EditorView draws). ${OPTIONS.frames} frames after ${OPTIONS.warmup} warm-up`,
      ['frame', 'workers (bands)', 'drawn frames given back', 'p50 ms', 'p95 ms', 'max ms', 'fps at p50', 'p95 vs 16 ms', 'in worker p50 ms (each band)', 'draw p50 ms', 'same bytes as renderStack (page)', 'checksum = Node'],
      workerFigures.map((f) => {
        const s = stats(f.frameMs);
        const d = stats(f.drawMs);
        // Node's incremental figure ran the same operations: its last frame is this one.
        const nodeChecksum = r.figures.find((g) => g.layer === f.layer && g.renderer === 'incremental')?.checksum;
        return [
          f.layer === 'brightness' ? 'brightness slider (bottom adjustment)' : 'tone curve slider (top layer)',
          `${f.workers} (rows ${f.bands.join(', ')})`,
          f.recycle ? 'yes' : 'no (baseline)',
          ms(s.p50),
          ms(s.p95),
          ms(s.max),
          fmt(1000 / s.p50, 1),
          `${fmt(s.p95 / FRAME_TARGET_MS, 2)}x`,
          `${ms(stats(f.workerMs).p50)}${f.bandMs[0]?.length ? ` (${f.bandMs[0].map((_, i) => ms(stats(f.bandMs.map((b) => b[i]!)).p50)).join(' + ')})` : ''}`,
          ms(d.p50),
          f.identical ? 'yes' : 'NO',
          nodeChecksum === f.checksum ? 'yes' : 'NO',
        ];
      }),
    );
    if (!('error' in chromium)) {
      console.log(
        `  (two Web Workers spinning at once got ${chromium.parallel.map((p) => `${fmt(p.speedup, 2)}×`).join(' and ')} the work of one done in the same time, ` +
          `measured just before and after these figures: 2× = both cores free, 1× = one core left to this page; load ${os.loadavg().map((l) => fmt(l, 2)).join(' ')})`,
      );
    }
  } else console.log(`  Chromium worker run failed: ${workerFigures.error}`);
  const bandSides: [string, RenderBenchResult | null][] = [
    ['error' in chromium ? 'Chromium (failed)' : 'Chromium page', 'error' in chromium ? null : chromium.result],
    [`Node ${process.version}`, r],
  ];
  report.table(
    `E2s. The same two bands rendered one after the other in one thread, each by its own incremental renderer: each band's cost (p50/p95 ms); ` +
      `the slower band is the frame's render time when both cores are free (messages and drawing aside)`,
    ['frame', 'where', 'bands (rows)', 'band 1 p50 / p95', 'band 2 p50 / p95', 'slower band p50 / p95', 'both (one thread) p50', 'same bytes as renderStack'],
    bandSides.flatMap(([where, result]) =>
      (result?.bandFigures ?? []).map((f) => {
        const band = (i: number) => stats(f.bandMs.map((b) => b[i]!));
        const slower = stats(f.bandMs.map((b) => Math.max(...b)));
        const both = stats(f.bandMs.map((b) => b.reduce((x, y) => x + y, 0)));
        return [
          f.layer === 'brightness' ? 'brightness slider (bottom)' : 'tone curve slider (top)',
          where,
          f.bands.map((b) => `${b.y0}..${b.y1}`).join(', '),
          `${ms(band(0).p50)} / ${ms(band(0).p95)}`,
          `${ms(band(1).p50)} / ${ms(band(1).p95)}`,
          `${ms(slower.p50)} / ${ms(slower.p95)}`,
          ms(both.p50),
          f.identical ? 'yes' : 'NO',
        ];
      }),
    ),
  );
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
  const banded = (layer: string) => ('error' in workerFigures ? undefined : workerFigures.find((f) => f.workers === 2 && f.recycle && f.layer === layer));
  const bandRow = (f: WorkerFigure | undefined) => (f ? `p50 ${ms(stats(f.frameMs).p50)} / p95 ${ms(stats(f.frameMs).p95)} ms` : 'failed');
  const bandP95 = (f: WorkerFigure | undefined) => (f ? stats(f.frameMs).p95 : Number.NaN);
  report.row('render: slider frame in the editor (2 workers, op → both bands on the page), brightness (bottom), Chromium (p95)', bandRow(banded('brightness')), `< ${FRAME_TARGET_MS} ms`, bandP95(banded('brightness')) < FRAME_TARGET_MS);
  report.row('render: slider frame in the editor (2 workers, op → both bands on the page), tone curve (top), Chromium (p95)', bandRow(banded('curve')), `< ${FRAME_TARGET_MS} ms`, bandP95(banded('curve')) < FRAME_TARGET_MS);
  const unrecycled = (layer: string) => ('error' in workerFigures ? undefined : workerFigures.find((f) => f.workers === 2 && !f.recycle && f.layer === layer));
  const recycleRatio = (layer: string) => {
    const [on, off] = [banded(layer), unrecycled(layer)];
    if (!on || !off) return 'failed';
    const [a, b] = [stats(on.frameMs), stats(off.frameMs)];
    return `p50 ${ms(a.p50)} vs ${ms(b.p50)} ms (${fmt(a.p50 / b.p50, 2)}x), p95 ${ms(a.p95)} vs ${ms(b.p95)} ms (${fmt(a.p95 / b.p95, 2)}x)`;
  };
  report.row('render: 2 workers, drawn frames given back vs not (same run), brightness', recycleRatio('brightness'));
  report.row('render: 2 workers, drawn frames given back vs not (same run), tone curve', recycleRatio('curve'));
  report.row('render: banded frames identical to renderStack', 'error' in workerFigures ? 'failed' : workerFigures.every((f) => f.identical) ? 'yes' : 'NO');
  report.row('render: single-threaded incremental frame, brightness (bottom), Chromium page (p95)', row(browser, 0));
  report.row('render: single-threaded incremental frame, tone curve (top), Chromium page (p95)', row(browser, 1));
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
    chromium:
      'error' in chromium
        ? chromium
        : {
            version: chromium.version,
            bundleBytes: chromium.bundleBytes,
            timerResolutionMs: chromium.result.timerResolutionMs,
            ...strip(chromium),
            workers: 'error' in chromium.workers ? chromium.workers : chromium.workers.map((f) => ({ ...f, stats: stats(f.frameMs), draw: stats(f.drawMs) })),
          },
    node: strip(node),
  };
}

/** Bundles render-page.ts for the browser with Vite (library mode, ES module; the render worker a chunk of its own). */
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
      lib: { entry: path.join(repoRoot, 'bench', 'render-page.ts'), formats: ['es'], fileName: () => 'render-page.js' },
    },
    worker: { format: 'es' },
  });
  return { file: path.join(outDir, 'render-page.js'), ms: performance.now() - started };
}

async function inChromium(scratch: string): Promise<ChromiumSide> {
  log('  bundling bench/render-page.ts (RenderClient + render.worker.ts, shared/document/render.ts + shared/imaging) with Vite…');
  const www = path.join(scratch, 'www');
  const built = await bundle(www);
  const script = await fs.readFile(built.file);
  const page = '<!doctype html><meta charset="utf-8"><title>render bench</title>' + '<script type="module">import * as bench from "/render-page.js"; window.__bench = bench;</script>';
  // The photo's preview as the library serves one: a lossless PNG of exactly the proxy's size.
  const scale = Math.min(1, OPTIONS.proxyEdge / Math.max(OPTIONS.docWidth, OPTIONS.docHeight));
  const preview = syntheticPreview(Math.round(OPTIONS.docWidth * scale), Math.round(OPTIONS.docHeight * scale));
  const { default: sharp } = await import('sharp');
  const png = await sharp(Buffer.from(preview.data.buffer, preview.data.byteOffset, preview.data.byteLength), { raw: { width: preview.width, height: preview.height, channels: 4 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  // Cross-origin isolated, so performance.now() is not coarsened to 100 µs.
  const server = http.createServer((req, res) => {
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (url.pathname === '/render-page.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else if (url.pathname === '/preview.png') {
      res.writeHead(200, { ...headers, 'content-type': 'image/png' });
      res.end(png);
    } else if (url.pathname.startsWith('/assets/') && !url.pathname.includes('..')) {
      fs.readFile(path.join(www, url.pathname)).then(
        (body) => {
          res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
          res.end(body);
        },
        () => {
          res.writeHead(404, headers);
          res.end();
        },
      );
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
    log(`  Chromium ${browser.version()}: ${OPTIONS.frames} frames through the render workers (${WORKER_RUNS.map((run) => `${run.workers}${run.recycle ? ' recycling' : ''}`).join(', ')})…`);
    const parallel = [(await tab.evaluate('window.__bench.parallelism()')) as { speedup: number }];
    const workers = await (tab.evaluate(`window.__bench.runWorkerBench(${JSON.stringify(OPTIONS)}, '/preview.png', ${JSON.stringify(WORKER_RUNS)})`) as Promise<WorkerFigure[]>).catch(
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    );
    parallel.push((await tab.evaluate('window.__bench.parallelism()')) as { speedup: number });
    log(`  Chromium ${browser.version()}: ${OPTIONS.frames} frames single-threaded on the page…`);
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
    return { result, frame: stats(result.figures[0]!.frameMs), profile, version: browser.version(), bundleBytes: script.byteLength, bundleMs: built.ms, workers, parallel };
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
