/**
 * The editor's live preview, measured: one slider change re-rendered at proxy size as the render
 * worker does it (renderer/editor/renderCore.ts): the stack arrives as a structured clone and goes
 * through one `createIncrementalRenderer` from shared/document/render.ts, which keeps the canvas
 * after each layer between frames and re-renders from the changed layer up. The plain
 * `renderStack` of every frame (what export does, and what the view did before) is measured too.
 * This module touches neither Node nor the DOM, so the very same code runs in Node
 * (render-child.ts) and, bundled by Vite, in Chromium (render-bench.ts serves it to a page and
 * calls `runRenderBench` there).
 *
 * The document is a 6000 × 4000 photo; the proxy is what the editor renders on screen:
 * scale = 1600 / long edge (EditorView.tsx's PROXY_EDGE), i.e. 1600 × 1067, from a synthetic
 * preview of exactly that size (so `placeImage` does not resize, as with the library's previews).
 * The stack: the photo + brightness, contrast, saturation (masked: three brush strokes,
 * feathered), temperature & tint, tone curve. Every frame applies one `setAdjustment` (the
 * brightness layer, the bottom adjustment; or the tone curve, the top layer) and renders.
 */
import { applyOperation, type LayerStack, type Operation } from '../shared/document/model.js';
import { balancedBands, createIncrementalRenderer, rasterizeMask, renderStack, type RowBand } from '../shared/document/render.js';
import { applyAdjustment, applyAdjustmentLayer, compositeLayer, type RgbaImage } from '../shared/imaging/index.js';

export interface RenderBenchOptions {
  docWidth: number;
  docHeight: number;
  /** The proxy's long edge (1600 in the editor). */
  proxyEdge: number;
  /** Timed frames of each figure. */
  frames: number;
  /** Untimed frames first, so the JIT has settled (a drag's first frames are not what it feels like). */
  warmup: number;
  /** Runs of the per-layer breakdown (medians are reported). */
  breakdownRuns: number;
}

export type SliderLayer = 'brightness' | 'curve';

export interface SliderFigure {
  /** What the frame runs: the editor's incremental renderer, or renderStack from scratch. */
  renderer: 'incremental' | 'renderStack';
  layer: SliderLayer;
  /** ms per frame: applyOperation + (incremental: structuredClone of the stack, as postMessage does) + render. */
  frameMs: number[];
  /** The last frame equals renderStack's output for the same stack, byte for byte. */
  identical: boolean;
  /** A sum of the last frame's bytes: Node and Chromium must agree (the kernels are deterministic). */
  checksum: number;
}

/**
 * The editor's two bands (balancedBands) rendered one after the other in this thread, each by its
 * own incremental renderer as each render worker does: what each band costs, so the slower band
 * is what a frame costs when both cores are free, whatever else the machine is doing.
 */
export interface BandFigure {
  layer: SliderLayer;
  bands: RowBand[];
  /** ms per frame and band (the stack arrives as a structured clone in each, as postMessage does). */
  bandMs: number[][];
  /** The last frame's bands put together equal renderStack's output, byte for byte. */
  identical: boolean;
}

export interface LayerTiming {
  layer: string;
  kind: 'image' | 'adjustment';
  /** rasterizeMask at proxy size (0 for an unmasked layer). */
  maskMs: number;
  /** The pixel kernel alone: applyAdjustment (adjustments) or — (image layers). */
  kernelMs: number;
  /** The blend of the layer onto what is below: compositeLayer / the composite inside applyAdjustmentLayer. */
  compositeMs: number;
  totalMs: number;
}

export interface RenderBenchResult {
  width: number;
  height: number;
  scale: number;
  layers: number;
  /** The editor's brightness slider, the curve slider, and renderStack of every brightness frame. */
  figures: SliderFigure[];
  /** The brightness and curve frames split in two bands, each band timed on its own. */
  bandFigures: BandFigure[];
  /** Medians over `breakdownRuns` of each layer's steps in the plain layer loop, in stack order. */
  breakdown: LayerTiming[];
  /** renderStack's own time in the breakdown runs (median). */
  breakdownRenderMs: number;
  /** Set where timers are coarse (a page without cross-origin isolation clamps performance.now). */
  timerResolutionMs: number;
}

const BASE_SHA = 'b'.repeat(64);

/** The frame-by-frame change a slider drag makes to one layer. */
export function sliderOp(layer: SliderLayer, frame: number): Operation {
  return layer === 'brightness'
    ? { type: 'setAdjustment', layerId: 'brightness', adjustment: { kind: 'brightness', amount: 10 + (frame % 40) } }
    : { type: 'setAdjustment', layerId: 'curve', adjustment: { kind: 'curve', points: [{ x: 0, y: 0 }, { x: 64, y: 40 + (frame % 30) }, { x: 192, y: 206 }, { x: 255, y: 255 }] } };
}

export function runRenderBench(options: RenderBenchOptions): RenderBenchResult {
  const scale = Math.min(1, options.proxyEdge / Math.max(options.docWidth, options.docHeight));
  const proxyWidth = Math.max(1, Math.round(options.docWidth * scale));
  const proxyHeight = Math.max(1, Math.round(options.docHeight * scale));
  const preview = syntheticPreview(proxyWidth, proxyHeight);
  const sources = (sha: string): RgbaImage | undefined => (sha === BASE_SHA ? preview : undefined);
  const initial = buildStack(options.docWidth, options.docHeight);

  const figure = (renderer: SliderFigure['renderer'], layer: SliderLayer): SliderFigure => {
    const incremental = createIncrementalRenderer();
    let stack = initial;
    const frame = (i: number): RgbaImage => {
      stack = applyOperation(stack, sliderOp(layer, i));
      // The worker receives a copy of the stack (postMessage), so layers are matched by value.
      return renderer === 'incremental' ? incremental.render(structuredClone(stack), sources, { scale }).image : renderStack(stack, sources, { scale }).image;
    };
    let last: RgbaImage | null = null;
    for (let i = 0; i < options.warmup; i++) last = frame(i);
    const frameMs: number[] = [];
    for (let i = 0; i < options.frames; i++) {
      const started = performance.now();
      last = frame(options.warmup + i);
      frameMs.push(performance.now() - started);
    }
    const reference = renderStack(stack, sources, { scale }).image;
    return { renderer, layer, frameMs, identical: last !== null && checksumOf(last) === checksumOf(reference) && sameBytes(last, reference), checksum: last ? checksumOf(last) : 0 };
  };
  const figures = [figure('incremental', 'brightness'), figure('incremental', 'curve'), figure('renderStack', 'brightness')];

  const bandFigure = (layer: SliderLayer): BandFigure => {
    let stack = initial;
    const bands = balancedBands(stack, scale, 2);
    const renderers = bands.map(() => createIncrementalRenderer());
    const bandMs: number[][] = [];
    let last: RgbaImage[] = [];
    for (let i = 0; i < options.warmup + options.frames; i++) {
      stack = applyOperation(stack, sliderOp(layer, i));
      const times: number[] = [];
      last = bands.map((band, b) => {
        const started = performance.now();
        const image = renderers[b]!.render(structuredClone(stack), sources, { scale, band }).image;
        times.push(performance.now() - started);
        return image;
      });
      if (i >= options.warmup) bandMs.push(times);
    }
    const joined: RgbaImage = { width: proxyWidth, height: proxyHeight, data: new Uint8ClampedArray(proxyWidth * proxyHeight * 4) };
    bands.forEach((band, b) => joined.data.set(last[b]!.data, band.y0 * proxyWidth * 4));
    return { layer, bands, bandMs, identical: sameBytes(joined, renderStack(stack, sources, { scale }).image) };
  };
  const bandFigures = [bandFigure('brightness'), bandFigure('curve')];

  // What each layer costs on its own: the layer loop with the same kernels, nothing fused or kept.
  const stack = initial;
  const runs: LayerTiming[][] = [];
  const renderRuns: number[] = [];
  for (let run = 0; run < options.breakdownRuns; run++) {
    runs.push(breakdownOnce(stack, preview, scale, proxyWidth, proxyHeight));
    const started = performance.now();
    renderStack(stack, sources, { scale });
    renderRuns.push(performance.now() - started);
  }
  const breakdown = (runs[0] ?? []).map((first, index) => ({
    layer: first.layer,
    kind: first.kind,
    maskMs: median(runs.map((r) => r[index]!.maskMs)),
    kernelMs: median(runs.map((r) => r[index]!.kernelMs)),
    compositeMs: median(runs.map((r) => r[index]!.compositeMs)),
    totalMs: median(runs.map((r) => r[index]!.totalMs)),
  }));

  return {
    width: proxyWidth,
    height: proxyHeight,
    scale,
    layers: initial.layers.length,
    figures,
    bandFigures,
    breakdown,
    breakdownRenderMs: median(renderRuns),
    timerResolutionMs: timerResolution(),
  };
}

function sameBytes(a: RgbaImage, b: RgbaImage): boolean {
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** The stack an editing session typically has: the photo and five adjustment layers, one masked. */
export function buildStack(docWidth: number, docHeight: number): LayerStack {
  const ops: Operation[] = [
    { type: 'addImageLayer', layerId: 'base', name: 'IMG_0001.jpg', sha256: BASE_SHA, x: 0, y: 0, width: docWidth, height: docHeight },
    ...adjustmentOps(docWidth, docHeight),
  ];
  return ops.reduce(applyOperation, { width: docWidth, height: docHeight, layers: [], transform: { crop: null, quarterTurns: 0, straighten: 0, flipHorizontal: false, flipVertical: false } });
}

/**
 * Brightness, contrast, saturation (masked: three feathered strokes), temperature & tint, tone
 * curve: the steps after the photo's own layer (the export benchmark commits the same ones).
 */
export function adjustmentOps(docWidth: number, docHeight: number): Operation[] {
  return [
    { type: 'addAdjustmentLayer', layerId: 'brightness', name: 'Brightness', adjustment: { kind: 'brightness', amount: 10 } },
    { type: 'addAdjustmentLayer', layerId: 'contrast', name: 'Contrast', adjustment: { kind: 'contrast', amount: 15 } },
    { type: 'addAdjustmentLayer', layerId: 'saturation', name: 'Saturation', adjustment: { kind: 'saturation', amount: 25 } },
    { type: 'addAdjustmentLayer', layerId: 'temperature', name: 'Temperature & tint', adjustment: { kind: 'temperatureTint', temperature: 12, tint: -4 } },
    {
      type: 'addAdjustmentLayer',
      layerId: 'curve',
      name: 'Tone curve',
      adjustment: { kind: 'curve', points: [{ x: 0, y: 0 }, { x: 64, y: 52 }, { x: 192, y: 206 }, { x: 255, y: 255 }] },
    },
    { type: 'addMask', layerId: 'saturation' },
    ...maskStrokes(docWidth, docHeight).map((stroke): Operation => ({ type: 'paintMask', layerId: 'saturation', stroke })),
    { type: 'setMaskProps', layerId: 'saturation', feather: Math.round(Math.max(docWidth, docHeight) / 200) },
  ];
}

/** Three wavy strokes over the upper half (a sky), brush = long edge / 20 as the editor's default. */
export function maskStrokes(docWidth: number, docHeight: number): { points: { x: number; y: number }[]; size: number; hardness: number; erase: boolean }[] {
  const size = Math.max(4, Math.round(Math.max(docWidth, docHeight) / 20));
  return [0.15, 0.25, 0.35].map((row, s) => ({
    points: Array.from({ length: 40 }, (_, i) => ({
      x: Math.round(docWidth * (0.1 + (0.8 * i) / 39)),
      y: Math.round(docHeight * (row + 0.03 * Math.sin(i / 4 + s))),
    })),
    size,
    hardness: 0.6,
    erase: false,
  }));
}

/**
 * Each layer through the exported kernels one after another (rasterizeMask, applyAdjustment,
 * applyAdjustmentLayer / compositeLayer), nothing fused or kept, timing each part: what each
 * layer costs on its own. Image
 * layers must have `source`'s size at this scale and sit at 0,0 (placeImage then hands the source
 * over as is), which holds for the photo's own layer.
 */
export function breakdownOnce(stack: LayerStack, preview: RgbaImage, scale: number, width: number, height: number): LayerTiming[] {
  let canvas: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  const out: LayerTiming[] = [];
  for (const layer of stack.layers) {
    const t0 = performance.now();
    const mask = layer.mask ? rasterizeMask(layer.mask, width, height, scale) : null;
    const t1 = performance.now();
    if (layer.kind === 'adjustment') {
      applyAdjustment(canvas, layer.adjustment, { scale });
      const t2 = performance.now();
      canvas = applyAdjustmentLayer(canvas, layer.adjustment, { opacity: layer.opacity, blendMode: layer.blendMode, mask, scale });
      const t3 = performance.now();
      const kernel = t2 - t1;
      out.push({ layer: layer.name, kind: 'adjustment', maskMs: t1 - t0, kernelMs: kernel, compositeMs: Math.max(0, t3 - t2 - kernel), totalMs: t1 - t0 + (t3 - t2) });
    } else {
      // The photo's preview has the proxy's size and sits at 0,0: placeImage hands it over as is.
      canvas = compositeLayer(canvas, preview, { blendMode: layer.blendMode, opacity: layer.opacity, mask });
      const t2 = performance.now();
      out.push({ layer: layer.name, kind: 'image', maskMs: t1 - t0, kernelMs: 0, compositeMs: t2 - t1, totalMs: t2 - t0 });
    }
  }
  return out;
}

/** An opaque photo-like preview: gradients, colour waves, noise (deterministic). */
export function syntheticPreview(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  let state = 0x5eed;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  for (let y = 0; y < height; y++) {
    const wy = 20 * Math.cos(y / 24);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const g = (x / width) * 180 + (y / height) * 60;
      const noise = (random() - 0.5) * 24;
      data[i] = g + noise + 20 * Math.sin(x / 40);
      data[i + 1] = 200 - g * 0.6 + noise + wy;
      data[i + 2] = 90 + g * 0.3 + noise;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** A sum of an image's bytes, weighted by position (Node and Chromium must agree). */
export function checksumOf(image: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < image.data.length; i++) sum = (sum + image.data[i]! * ((i % 251) + 1)) >>> 0;
  return sum;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The smallest step performance.now() shows here. */
function timerResolution(): number {
  let smallest = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    smallest = Math.min(smallest, b - a);
  }
  return smallest;
}
