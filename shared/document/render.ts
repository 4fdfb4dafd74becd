/**
 * Flattens a layer stack into pixels with the shared kernels. The renderer calls it at proxy
 * scale for the screen, the main process at full scale for export: one implementation.
 *
 * Every layer goes through the same kernels in the same order as the plain loop would
 * (applyAdjustmentLayer / compositeLayer on the whole canvas), but work whose result is known
 * byte for byte is skipped:
 *  - an adjustment at opacity 1, normal, unmasked, on an opaque canvas is its kernel's output
 *    (the blend is the identity there), and consecutive LUT adjustments of that kind are
 *    composed into one table and applied in one pass (a LUT of a LUT is a LUT);
 *  - the first image layer, at full strength, normal, unmasked, is its pixels as they are;
 *  - a mask is rasterized in the window its strokes (and feather) reach, and a pointwise
 *    adjustment under a mask is computed only in the mask's non-zero box: outside it the
 *    canvas below is the answer.
 * The canvas between layers is kept *lazy* (a base image, a LUT still to apply, and patches
 * already final), so fused LUTs and masked boxes do not each cost a full-canvas pass.
 *
 * `createIncrementalRenderer` keeps the lazy canvas after each layer from one frame to the
 * next: a change to layer k re-renders from k up (what a slider drag needs).
 *
 * A render may cover a band of rows only (`RenderOptions.band`), so two workers can each render
 * half a view frame: every step of a pointwise stack (placement, LUTs, pointwise kernels, blends,
 * masks rasterized on the whole canvas and sliced) gives each row the bytes it has in the whole
 * frame. Stacks with a kernel that reads neighbours (blur, sharpen) or a turn / straighten are not
 * split (`canRenderInBands`); flips and the crop are applied to the band itself.
 */
import {
  applyAdjustment,
  applyAdjustmentLayer,
  compositeLayer,
  crop,
  emptyMask,
  featherMask,
  flip,
  invertMask,
  paintStroke,
  resizeBilinear,
  rotate90,
  rotateArbitrary,
} from '../imaging/index.js';
import { adjustmentLuts, applyLut, composeLuts, isPointwise, lutSpan, type ChannelLuts } from '../imaging/adjust.js';
import { paste } from '../imaging/blend.js';
import { EXACT_GAUSSIAN_MAX_SIGMA, boxRadiiForSigma, radiusToSigma } from '../imaging/convolve.js';
import { cropMask, maskBounds, type PixelRect } from '../imaging/mask.js';
import type { Mask, RgbaImage } from '../imaging/types.js';
import { cloneImage, isOpaque } from '../imaging/util.js';
import type { ImageLayer, Layer, LayerMask, LayerStack } from './model.js';

export interface RenderOptions {
  /** Output scale relative to the document's full resolution (1 = export, < 1 = proxy). */
  scale: number;
  /** Render only the layers below this index (before/after, thumbnails of a step). */
  layerLimit?: number | undefined;
  /**
   * Render only rows y0..y1 (end excluded) of the canvas at render size, before the document
   * transform; the stack must pass `canRenderInBands`. The result is that band's part of the
   * final (flipped, cropped) frame, placed by `RenderResult.band`.
   */
  band?: RowBand | undefined;
  /**
   * A buffer the result may be written into instead of a new one (a frame handed out earlier and
   * given back once drawn): used only when its length is the result's and it is neither a source's
   * nor one the renderer keeps; the result says whether it was (`image.data === into`).
   */
  into?: Uint8ClampedArray | undefined;
}

/** Rows y0 (included) to y1 (excluded) of the untransformed canvas at render size. */
export interface RowBand {
  y0: number;
  y1: number;
}

/** Where a band's pixels go in the final frame: full width, rows top..top + height. */
export interface BandPlacement {
  top: number;
  frameWidth: number;
  frameHeight: number;
}

export interface RenderResult {
  /** Never shares a buffer with a source image (nor with anything a renderer keeps). */
  image: RgbaImage;
  /** Image layers whose pixels were missing: drawn as nothing, named so the UI can flag them. */
  broken: string[];
  /** Set for a band render: where `image` (possibly 0 rows high, outside the crop) goes. */
  band?: BandPlacement;
}

/** Decoded pixels of stored images by content hash, at any resolution. */
export type SourceLookup = (sha256: string) => RgbaImage | undefined;

export function documentSize(stack: LayerStack, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(stack.width * scale)), height: Math.max(1, Math.round(stack.height * scale)) };
}

export function renderStack(stack: LayerStack, sources: SourceLookup, options: RenderOptions): RenderResult {
  return createIncrementalRenderer({ maxBytes: 0 }).render(stack, sources, options);
}

/**
 * Whether the frame's rows can be rendered in independent bands with the same bytes: every drawn
 * adjustment is pointwise and the transform neither turns nor straightens (flips and crop keep rows
 * as rows).
 */
export function canRenderInBands(stack: LayerStack, layerLimit?: number): boolean {
  const t = stack.transform;
  if (t.quarterTurns % 4 !== 0 || t.straighten !== 0) return false;
  return stack.layers
    .slice(0, layerLimit ?? stack.layers.length)
    .every((layer) => !layer.visible || layer.opacity <= 0 || layer.kind !== 'adjustment' || isPointwise(layer.adjustment));
}

/** `count` bands of about equal height covering rows 0..height (fewer when there are fewer rows). */
export function splitRows(height: number, count: number): RowBand[] {
  const n = Math.max(1, Math.min(Math.floor(count), height));
  return Array.from({ length: n }, (_, i) => ({ y0: Math.round((i * height) / n), y1: Math.round(((i + 1) * height) / n) }));
}

/*
 * Relative cost per pixel of a frame's work, measured on the bench's stack (1600 × 1067, Chromium):
 * the final LUT pass over the whole frame ~7 ns a pixel, a masked saturation in its box (the
 * canvas below, the kernel, the masked blend, the patch's LUT) ~65 ns.
 */
const COST_FINAL_PASS = 1;
const COST_MASKED_LUT = 4;
const COST_MASKED_KERNEL = 10;
const COST_UNMASKED_KERNEL = 6;
const COST_IMAGE = 3;

/**
 * `count` bands covering rows 0..height with about the same work each, not the same rows: a
 * masked adjustment costs most in its strokes' rows (a sky is in the top half), so an even split
 * leaves one worker waiting for the other. Split rows are rounded to 1/32 of the height, so small
 * changes (a stroke painted, a slider moved) keep the bands, and with them each worker's kept
 * canvases. Any split gives the same bytes; this only balances the time.
 */
export function balancedBands(stack: LayerStack, scale: number, count: number, layerLimit?: number): RowBand[] {
  const { width, height } = documentSize(stack, scale);
  const n = Math.max(1, Math.min(Math.floor(count), height));
  if (n === 1) return [{ y0: 0, y1: height }];
  const cost = new Float64Array(height).fill(COST_FINAL_PASS * width);
  let first = true;
  for (const layer of stack.layers.slice(0, layerLimit ?? stack.layers.length)) {
    if (!layer.visible || layer.opacity <= 0) continue;
    if (layer.kind === 'image') {
      if (!first) for (let y = 0; y < height; y++) cost[y]! += COST_IMAGE * width;
      first = false;
      continue;
    }
    const luts = adjustmentLuts(layer.adjustment) !== null;
    if (!layer.mask || layer.mask.inverted) {
      // A LUT adjustment is fused into the final pass; anything else is a pass of its own.
      const plainLut = luts && layer.opacity === 1 && layer.blendMode === 'normal' && !layer.mask;
      if (!plainLut) for (let y = 0; y < height; y++) cost[y]! += (luts ? COST_MASKED_LUT : COST_UNMASKED_KERNEL) * width;
      continue;
    }
    const { window } = strokeWindow(layer.mask, width, height, scale);
    const perRow = (luts ? COST_MASKED_LUT : COST_MASKED_KERNEL) * window.width;
    for (let y = window.y; y < window.y + window.height; y++) cost[y]! += perRow;
  }
  let total = 0;
  for (const c of cost) total += c;
  const step = Math.max(1, Math.floor(height / 32));
  const cuts: number[] = [0];
  let sum = 0;
  for (let y = 0, k = 1; y < height && k < n; y++) {
    sum += cost[y]!;
    if (sum >= (total * k) / n) {
      const cut = Math.min(height - (n - k), Math.max(cuts.at(-1)! + 1, Math.round((y + 1) / step) * step));
      cuts.push(cut);
      k++;
    }
  }
  while (cuts.length < n) cuts.push(Math.min(height - (n - cuts.length), cuts.at(-1)! + 1));
  cuts.push(height);
  return cuts.slice(1).map((y1, i) => ({ y0: cuts[i]!, y1 }));
}

/** A layer's mask at render size: strokes reveal, erasing hides; then feather and invert. */
export function rasterizeMask(mask: LayerMask, width: number, height: number, scale: number): Mask {
  return rasterizeMaskWithBounds(mask, width, height, scale).mask;
}

/** A rasterized mask and its non-zero box (null: all 0). */
interface MaskRaster {
  mask: Mask;
  bounds: PixelRect | null;
}

/**
 * Paints and feathers in the window the strokes can reach (the blur's reach counted twice, so
 * the window's edges stay 0 through every pass, as the canvas is there) and pastes that window
 * into an empty mask: the same bytes as doing it on the whole canvas, for a fraction of the work.
 */
function rasterizeMaskWithBounds(mask: LayerMask, width: number, height: number, scale: number): MaskRaster {
  const { strokes, window, featherRadius } = strokeWindow(mask, width, height, scale);
  let full: Mask;
  let bounds: PixelRect | null = null;
  if (window.width === 0 || window.height === 0) {
    full = emptyMask(width, height, 0);
  } else if (window.width * window.height > 0.6 * width * height) {
    full = paintAndFeather(emptyMask(width, height, 0), strokes, { x: 0, y: 0 }, featherRadius);
    bounds = maskBounds(full);
  } else {
    const part = paintAndFeather(emptyMask(window.width, window.height, 0), strokes, window, featherRadius);
    full = emptyMask(width, height, 0);
    for (let y = 0; y < window.height; y++) full.data.set(part.data.subarray(y * window.width, (y + 1) * window.width), (window.y + y) * width + window.x);
    const inside = maskBounds(part);
    bounds = inside && { x: inside.x + window.x, y: inside.y + window.y, width: inside.width, height: inside.height };
  }
  if (!mask.inverted) return { mask: full, bounds };
  const inverted = invertMask(full);
  return { mask: inverted, bounds: maskBounds(inverted) };
}

/** The strokes at render scale and the window outside which the (uninverted) mask is 0. */
function strokeWindow(mask: LayerMask, width: number, height: number, scale: number): { strokes: Parameters<typeof paintStroke>[1][]; window: PixelRect; featherRadius: number } {
  const strokes = mask.strokes.map((stroke) => ({
    points: stroke.points.map((p) => ({ x: p.x * scale, y: p.y * scale })),
    size: Math.max(1, stroke.size * scale),
    hardness: stroke.hardness,
    erase: stroke.erase,
  }));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of strokes) {
    // A dab reaches radius + 0.5 (the anti-aliased rim of a hard brush) around its centre.
    const reach = stroke.size / 2 + 1;
    for (const p of stroke.points) {
      minX = Math.min(minX, p.x - reach);
      maxX = Math.max(maxX, p.x + reach);
      minY = Math.min(minY, p.y - reach);
      maxY = Math.max(maxY, p.y + reach);
    }
  }
  const featherRadius = mask.feather > 0 ? mask.feather * scale : 0;
  const margin = 2 + 2 * blurReach(radiusToSigma(featherRadius));
  let window: PixelRect = { x: 0, y: 0, width, height };
  if (Number.isFinite(minX) && Number.isFinite(minY)) {
    const x0 = Math.max(0, Math.floor(minX) - margin);
    const y0 = Math.max(0, Math.floor(minY) - margin);
    const x1 = Math.min(width, Math.ceil(maxX) + margin);
    const y1 = Math.min(height, Math.ceil(maxY) + margin);
    window = x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : { x: 0, y: 0, width: 0, height: 0 };
  } else if (strokes.length === 0 || strokes.every((s) => s.points.length === 0)) {
    window = { x: 0, y: 0, width: 0, height: 0 };
  }
  return { strokes, window, featherRadius };
}

function paintAndFeather(raster: Mask, strokes: Parameters<typeof paintStroke>[1][], origin: { x: number; y: number }, featherRadius: number): Mask {
  let out = raster;
  for (const stroke of strokes) out = paintStroke(out, stroke, origin);
  return featherRadius > 0 ? featherMask(out, featherRadius) : out;
}

/** How far blurPlane spreads a value with this sigma (rows and columns alike). */
function blurReach(sigma: number): number {
  if (!(sigma > 0)) return 0;
  if (sigma < EXACT_GAUSSIAN_MAX_SIGMA) return Math.max(1, Math.ceil(3 * sigma));
  return boxRadiiForSigma(sigma).reduce((sum, r) => sum + Math.max(0, r), 0);
}

/* ---------------------------------------------------------------------------------------------
 * The lazy canvas
 * ------------------------------------------------------------------------------------------- */

/** `base` with `luts` applied, then each patch (with its own LUTs applied) pasted over it in order. */
interface LazyCanvas {
  base: RgbaImage;
  luts: ChannelLuts | null;
  patches: readonly Patch[];
}

/** Pixels of a box that differ from the base: `image` with `luts` still to apply. */
interface Patch {
  x: number;
  y: number;
  image: RgbaImage;
  luts: ChannelLuts | null;
}

/** The picture after some layers. */
interface CanvasState {
  canvas: LazyCanvas;
  /** No layer has been drawn yet (the canvas is transparent black). */
  empty: boolean;
  /** Every alpha is 255 (so adjustments' blends can be skipped). */
  opaque: boolean;
  broken: readonly string[];
}

function settled(image: RgbaImage): LazyCanvas {
  return { base: image, luts: null, patches: [] };
}

/**
 * The canvas as pixels; `base` itself when nothing is pending (callers must not hand that on).
 * Every byte of the result is written, so `into` (of the base's length) may hold anything.
 */
function materialize(canvas: LazyCanvas, into?: Uint8ClampedArray): RgbaImage {
  const { base, luts, patches } = canvas;
  if (!luts && patches.length === 0) return base;
  const { width, height } = base;
  const out: RgbaImage = { width, height, data: into && into.length === base.data.length ? into : new Uint8ClampedArray(base.data.length) };
  // The base's pixels where no patch goes (patches overwrite it: no need to compute it there).
  const spans: [number, number][] = [];
  for (let y = 0; y < height; y++) {
    spans.length = 0;
    for (const patch of patches) if (y >= patch.y && y < patch.y + patch.image.height) spans.push([patch.x, patch.x + patch.image.width]);
    spans.sort((a, b) => a[0] - b[0]);
    let x = 0;
    for (const [from, to] of [...spans, [width, width] as [number, number]]) {
      if (from > x) {
        const start = y * width + x;
        if (luts) lutSpan(base.data, start, out.data, start, from - x, luts[0], luts[1], luts[2]);
        else out.data.set(base.data.subarray(start * 4, from * 4 + y * width * 4), start * 4);
      }
      x = Math.max(x, to);
    }
  }
  for (const patch of patches) {
    const { image } = patch;
    for (let row = 0; row < image.height; row++) {
      const from = row * image.width;
      const to = (patch.y + row) * width + patch.x;
      if (patch.luts) lutSpan(image.data, from, out.data, to, image.width, patch.luts[0], patch.luts[1], patch.luts[2]);
      else out.data.set(image.data.subarray(from * 4, (from + image.width) * 4), to * 4);
    }
  }
  return out;
}

function patchPixels(patch: Patch): RgbaImage {
  return patch.luts ? applyLut(patch.image, patch.luts[0], patch.luts[1], patch.luts[2]) : patch.image;
}

/** The pixels of `rect` only, as a new image or written over `into` (every byte of it). */
function materializeRegion(canvas: LazyCanvas, rect: PixelRect, into?: Uint8ClampedArray): RgbaImage {
  const { base, luts } = canvas;
  const length = rect.width * rect.height * 4;
  const out: RgbaImage = { width: rect.width, height: rect.height, data: into && into.length === length ? into : new Uint8ClampedArray(length) };
  for (let row = 0; row < rect.height; row++) {
    const start = (rect.y + row) * base.width + rect.x;
    if (luts) lutSpan(base.data, start, out.data, row * rect.width, rect.width, luts[0], luts[1], luts[2]);
    else out.data.set(base.data.subarray(start * 4, (start + rect.width) * 4), row * rect.width * 4);
  }
  for (const patch of canvas.patches) {
    const x0 = Math.max(rect.x, patch.x);
    const y0 = Math.max(rect.y, patch.y);
    const x1 = Math.min(rect.x + rect.width, patch.x + patch.image.width);
    const y1 = Math.min(rect.y + rect.height, patch.y + patch.image.height);
    if (x1 <= x0 || y1 <= y0) continue;
    const overlap = patchPixels({ ...patch, image: crop(patch.image, { x: x0 - patch.x, y: y0 - patch.y, width: x1 - x0, height: y1 - y0 }) });
    paste(out, overlap, x0 - rect.x, y0 - rect.y);
  }
  return out;
}

function withLuts(canvas: LazyCanvas, luts: ChannelLuts): LazyCanvas {
  return {
    base: canvas.base,
    luts: canvas.luts ? composeLuts(canvas.luts, luts) : luts,
    patches: canvas.patches.map((patch) => ({ ...patch, luts: patch.luts ? composeLuts(patch.luts, luts) : luts })),
  };
}

/** What renderLayer needs besides the layer: sizes, and rasters and sources by layer. */
interface LayerContext {
  /** The band's size (the whole canvas when not banded). */
  width: number;
  height: number;
  /** The band's first row and the whole canvas's height. */
  top: number;
  fullHeight: number;
  scale: number;
  mask(layer: Layer, mask: LayerMask): MaskRaster;
  opaque(image: RgbaImage): boolean;
  /** `length` bytes the renderer reuses from frame to frame for pixels read once and dropped. */
  scratch(length: number): Uint8ClampedArray;
}

/** The canvas after one more layer; `source` is an image layer's pixels (undefined: missing). */
function renderLayer(state: CanvasState, layer: Layer, source: RgbaImage | undefined | null, context: LayerContext): CanvasState {
  if (!layer.visible || layer.opacity <= 0) return state;
  const { width, height, scale } = context;
  const raster = layer.mask ? context.mask(layer, layer.mask) : null;
  if (layer.kind === 'adjustment') {
    // On a transparent canvas every adjustment keeps the pixels below (W3C source-atop).
    if (state.empty) return { ...state, empty: false };
    const plain = layer.opacity === 1 && layer.blendMode === 'normal' && !raster;
    if (plain && state.opaque) {
      const luts = adjustmentLuts(layer.adjustment);
      if (luts) return { ...state, canvas: withLuts(state.canvas, luts) };
      return { ...state, canvas: settled(applyAdjustment(materialize(state.canvas), layer.adjustment, { scale })) };
    }
    if (raster && !raster.bounds) return state;
    const options = { opacity: layer.opacity, blendMode: layer.blendMode, scale };
    const box = raster?.bounds;
    if (raster && box && isPointwise(layer.adjustment) && box.width * box.height < width * height) {
      const below = materializeRegion(state.canvas, box, context.scratch(box.width * box.height * 4));
      let part = applyAdjustmentLayer(below, layer.adjustment, { ...options, mask: cropMask(raster.mask, box), maskBounds: { x: 0, y: 0, width: box.width, height: box.height } });
      // The scratch is written over next time: what is kept must be a buffer of its own.
      if (part.data.buffer === below.data.buffer) part = cloneImage(part);
      return { ...state, canvas: { ...state.canvas, patches: [...state.canvas.patches, { x: box.x, y: box.y, image: part, luts: null }] } };
    }
    const below = materialize(state.canvas);
    return { ...state, canvas: settled(applyAdjustmentLayer(below, layer.adjustment, { ...options, mask: raster?.mask ?? null, maskBounds: raster?.bounds ?? null })) };
  }
  if (!source) return { ...state, broken: [...state.broken, layer.id] };
  const placed = placeImage(layer, source, width, context.fullHeight, scale, context.top, context.top + height);
  // Source-over onto a fully transparent canvas at full strength is the layer itself.
  if (state.empty && !raster && layer.opacity === 1 && layer.blendMode === 'normal') {
    return { canvas: settled(placed), empty: false, opaque: context.opaque(placed), broken: state.broken };
  }
  const out = compositeLayer(materialize(state.canvas), placed, { blendMode: layer.blendMode, opacity: layer.opacity, mask: raster?.mask ?? null, maskBounds: raster?.bounds ?? null });
  return { canvas: settled(out), empty: false, opaque: isOpaque(out), broken: state.broken };
}

/* ---------------------------------------------------------------------------------------------
 * The incremental renderer
 * ------------------------------------------------------------------------------------------- */

export interface IncrementalRendererOptions {
  /** Bytes of intermediate canvases kept between frames (default 64 MiB; 0 keeps none). */
  maxBytes?: number;
}

/** renderStack that remembers the last frame, so a change to layer k re-renders from k up. */
export interface IncrementalRenderer {
  render(stack: LayerStack, sources: SourceLookup, options: RenderOptions): RenderResult;
  /** Drops everything kept. */
  clear(): void;
}

interface Frame {
  width: number;
  height: number;
  scale: number;
  y0: number;
  y1: number;
  layers: readonly Layer[];
  /** The source each image layer drew (undefined: missing; null: not an image layer). */
  sources: readonly (RgbaImage | undefined | null)[];
  /** The canvas after each layer; null where it was dropped to stay within maxBytes. */
  states: (CanvasState | null)[];
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Layers are compared by identity (applyOperation keeps untouched layers as they were) and, failing
 * that, by value (a stack posted to a worker arrives as a copy); image layers also by the source
 * object they drew. Sizes or scale changing drops everything.
 */
export function createIncrementalRenderer(options: IncrementalRendererOptions = {}): IncrementalRenderer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let previous: Frame | null = null;
  /** Rasterized masks by layer id, with the mask value they were made from. */
  let masks = new Map<string, { mask: LayerMask; raster: MaskRaster }>();
  const opacity = new WeakMap<Uint8ClampedArray, boolean>();
  /** Scratch memory, never kept in a canvas nor handed out (see LayerContext.scratch). */
  let scratch = new Uint8ClampedArray(0);

  return {
    clear() {
      previous = null;
      masks = new Map();
      scratch = new Uint8ClampedArray(0);
    },
    render(stack, sources, renderOptions) {
      const { scale, band } = renderOptions;
      const { width, height: fullHeight } = documentSize(stack, scale);
      const layers = stack.layers.slice(0, renderOptions.layerLimit ?? stack.layers.length);
      const y0 = band ? band.y0 : 0;
      const y1 = band ? band.y1 : fullHeight;
      if (band) {
        if (!(Number.isInteger(y0) && Number.isInteger(y1) && y0 >= 0 && y1 <= fullHeight && y1 > y0)) throw new RangeError(`band ${y0}..${y1} is not within rows 0..${fullHeight}`);
        if (!canRenderInBands(stack, renderOptions.layerLimit)) throw new RangeError('this stack reads neighbouring pixels or turns the frame: render it whole, not in bands');
      }
      const height = y1 - y0;
      const drawn = layers.map((layer) => (layer.kind === 'image' ? sources(layer.sha256) : null));
      const keep = maxBytes > 0;
      if (!previous || previous.width !== width || previous.height !== fullHeight || previous.scale !== scale || previous.y0 !== y0 || previous.y1 !== y1) {
        previous = null;
        masks = new Map();
      }

      // The first layer that differs from the last frame; everything below it is reused.
      let start = 0;
      let state: CanvasState | null = null;
      const states: (CanvasState | null)[] = [];
      if (previous) {
        let same = 0;
        while (same < layers.length && same < previous.layers.length && drawn[same] === previous.sources[same] && sameValue(layers[same], previous.layers[same])) same++;
        let reuse = same - 1;
        while (reuse >= 0 && !previous.states[reuse]) reuse--;
        if (reuse >= 0) {
          start = reuse + 1;
          state = previous.states[reuse]!;
          for (let i = 0; i < start; i++) states.push(previous.states[i] ?? null);
        }
      }
      state ??= { canvas: settled({ width, height, data: new Uint8ClampedArray(width * height * 4) }), empty: true, opaque: false, broken: [] };

      const usedMasks = new Map<string, { mask: LayerMask; raster: MaskRaster }>();
      const context: LayerContext = {
        width,
        height,
        top: y0,
        fullHeight,
        scale,
        mask(layer, mask) {
          const known = masks.get(layer.id);
          const raster = known && sameValue(known.mask, mask) ? known.raster : bandOf(rasterizeMaskWithBounds(mask, width, fullHeight, scale), y0, y1);
          usedMasks.set(layer.id, { mask, raster });
          return raster;
        },
        scratch(length) {
          // Grown, never shrunk; a view from the start (word-aligned, as the kernels want).
          if (scratch.length < length) scratch = new Uint8ClampedArray(length);
          return scratch.subarray(0, length);
        },
        opaque(image) {
          let known = opacity.get(image.data);
          if (known === undefined) {
            known = isOpaque(image);
            opacity.set(image.data, known);
          }
          return known;
        },
      };
      for (let i = start; i < layers.length; i++) {
        state = renderLayer(state, layers[i]!, drawn[i], context);
        states.push(state);
      }

      const sourceBuffers = new Set(drawn.filter((d): d is RgbaImage => !!d).map((d) => d.data.buffer));
      // A given-back buffer is written only where the result is the canvas itself (no flip or
      // crop after it), and never one that a source or a kept canvas uses.
      const into = renderOptions.into && renderOptions.into.length === width * height * 4 && untransformed(stack, !!band) && !holds(states, sourceBuffers, renderOptions.into.buffer) ? renderOptions.into : undefined;
      const canvas = materialize(state.canvas, into);
      let placement: BandPlacement | undefined;
      let image: RgbaImage;
      if (band) ({ image, placement } = transformBand(canvas, stack, scale, y0, fullHeight));
      else image = applyTransform(canvas, stack, scale);
      // What is kept (or a source's own pixels, which a band may view) is never handed out: the
      // caller may transfer it.
      if (image.data.buffer === state.canvas.base.data.buffer && (keep || sourceBuffers.has(image.data.buffer))) {
        if (into) {
          into.set(image.data);
          image = { width: image.width, height: image.height, data: into };
        } else image = cloneImage(image);
      }

      if (keep) {
        for (const [id, entry] of masks) if (!usedMasks.has(id) && layers.some((layer) => layer.id === id)) usedMasks.set(id, entry);
        masks = usedMasks;
        previous = { width, height: fullHeight, scale, y0, y1, layers, sources: drawn, states: withinBudget(states, start - 1, maxBytes, sourceBuffers) };
      }
      return placement ? { image, broken: [...state.broken], band: placement } : { image, broken: [...state.broken] };
    },
  };
}

/** Whether the frame (or a band of it) is the canvas as it is: no flip, turn, straighten or crop. */
function untransformed(stack: LayerStack, band: boolean): boolean {
  const t = stack.transform;
  return !t.flipHorizontal && !t.flipVertical && !t.crop && (band || (t.quarterTurns % 4 === 0 && t.straighten === 0));
}

/** Whether `buffer` is a source's or one a canvas state holds (its base or a patch). */
function holds(states: readonly (CanvasState | null)[], sources: Set<ArrayBufferLike>, buffer: ArrayBufferLike): boolean {
  if (sources.has(buffer)) return true;
  for (const state of states) {
    if (!state) continue;
    if (state.canvas.base.data.buffer === buffer) return true;
    for (const patch of state.canvas.patches) if (patch.image.data.buffer === buffer) return true;
  }
  return false;
}

/**
 * Drops kept canvases, top first, until the buffers they hold (sources aside) fit in maxBytes;
 * the canvas below the layer that just changed is kept whatever it costs, as the next frame of
 * the same gesture starts from it.
 */
function withinBudget(states: (CanvasState | null)[], pinned: number, maxBytes: number, sources: Set<ArrayBufferLike>): (CanvasState | null)[] {
  const held = (state: CanvasState, into: Set<Uint8ClampedArray>) => {
    if (!sources.has(state.canvas.base.data.buffer)) into.add(state.canvas.base.data);
    for (const patch of state.canvas.patches) into.add(patch.image.data);
  };
  const bytes = () => {
    const buffers = new Set<Uint8ClampedArray>();
    for (const state of states) if (state) held(state, buffers);
    let total = 0;
    for (const buffer of buffers) total += buffer.byteLength;
    return total;
  };
  for (let i = states.length - 1; i >= 0 && bytes() > maxBytes; i--) if (i !== pinned) states[i] = null;
  return states;
}

/** Structural equality of plain data (numbers, strings, booleans, null, arrays, objects). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const key of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Placement and the document transform
 * ------------------------------------------------------------------------------------------- */

/**
 * Puts an image layer's pixels where it sits in the document, on a transparent canvas: rows
 * y0..y1 of it (the whole canvas by default). The source resized to the layer's size is its
 * whole self, so a band's rows are the whole canvas's rows.
 */
function placeImage(layer: ImageLayer, source: RgbaImage, width: number, height: number, scale: number, y0 = 0, y1 = height): RgbaImage {
  const targetWidth = Math.max(1, Math.round(layer.width * scale));
  const targetHeight = Math.max(1, Math.round(layer.height * scale));
  const sized = source.width === targetWidth && source.height === targetHeight ? source : resizeBilinear(source, targetWidth, targetHeight);
  const left = Math.round(layer.x * scale);
  const top = Math.round(layer.y * scale);
  if (left === 0 && top === 0 && targetWidth === width && targetHeight === height) {
    // The band's rows of the source itself: a view, never written to (nor handed out).
    return y0 === 0 && y1 === height ? sized : { width, height: y1 - y0, data: sized.data.subarray(y0 * width * 4, y1 * width * 4) };
  }
  const out = new Uint8ClampedArray(width * (y1 - y0) * 4);
  for (let y = Math.max(y0, top); y < Math.min(y1, top + targetHeight); y++) {
    const x0 = Math.max(0, left);
    const x1 = Math.min(width, left + targetWidth);
    if (x1 <= x0) break;
    const from = ((y - top) * targetWidth + (x0 - left)) * 4;
    out.set(sized.data.subarray(from, from + (x1 - x0) * 4), ((y - y0) * width + x0) * 4);
  }
  return { width, height: y1 - y0, data: out };
}

/** A whole-canvas mask raster cut down to rows y0..y1, with its non-zero box in the band. */
function bandOf(raster: MaskRaster, y0: number, y1: number): MaskRaster {
  const { mask, bounds } = raster;
  if (y0 === 0 && y1 === mask.height) return raster;
  const band = { width: mask.width, height: y1 - y0, data: mask.data.slice(y0 * mask.width, y1 * mask.width) };
  if (!bounds) return { mask: band, bounds: null };
  const from = Math.max(y0, bounds.y);
  const to = Math.min(y1, bounds.y + bounds.height);
  if (to <= from) return { mask: band, bounds: null };
  const inside = maskBounds(mask, { x: bounds.x, y: from, width: bounds.width, height: to - from });
  return { mask: band, bounds: inside && { ...inside, y: inside.y - y0 } };
}

/**
 * The document transform of one band (flips and crop only: canRenderInBands): flipping a band's
 * rows, or cutting the crop's columns and rows out of it, gives those rows of the whole frame.
 */
function transformBand(band: RgbaImage, stack: LayerStack, scale: number, y0: number, fullHeight: number): { image: RgbaImage; placement: BandPlacement } {
  const t = stack.transform;
  const { width } = band;
  let out = band;
  let top = y0;
  if (t.flipHorizontal) out = flip(out, 'horizontal');
  if (t.flipVertical) {
    out = flip(out, 'vertical');
    top = fullHeight - (y0 + band.height);
  }
  if (!t.crop) return { image: out, placement: { top, frameWidth: width, frameHeight: fullHeight } };
  const x = clamp(Math.round(t.crop.x * scale), 0, width - 1);
  const y = clamp(Math.round(t.crop.y * scale), 0, fullHeight - 1);
  const w = clamp(Math.round(t.crop.width * scale), 1, width - x);
  const h = clamp(Math.round(t.crop.height * scale), 1, fullHeight - y);
  const from = Math.max(top, y);
  const to = Math.min(top + out.height, y + h);
  const placement = { top: clamp(from - y, 0, h), frameWidth: w, frameHeight: h };
  if (to <= from) return { image: { width: w, height: 0, data: new Uint8ClampedArray(0) }, placement };
  return { image: crop(out, { x, y: from - top, width: w, height: to - from }), placement };
}

function applyTransform(image: RgbaImage, stack: LayerStack, scale: number): RgbaImage {
  const t = stack.transform;
  let out = image;
  if (t.flipHorizontal) out = flip(out, 'horizontal');
  if (t.flipVertical) out = flip(out, 'vertical');
  if (t.quarterTurns % 4 !== 0) out = rotate90(out, t.quarterTurns);
  if (t.straighten !== 0) out = rotateArbitrary(out, t.straighten);
  if (t.crop) {
    const x = clamp(Math.round(t.crop.x * scale), 0, out.width - 1);
    const y = clamp(Math.round(t.crop.y * scale), 0, out.height - 1);
    const w = clamp(Math.round(t.crop.width * scale), 1, out.width - x);
    const h = clamp(Math.round(t.crop.height * scale), 1, out.height - y);
    out = crop(out, { x, y, width: w, height: h });
  }
  return out;
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
