/**
 * Flattens a layer stack into pixels with the shared kernels. The renderer calls it at proxy
 * scale for the screen, the main process at full scale for export: one implementation.
 */
import {
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
import type { Mask, RgbaImage } from '../imaging/types.js';
import type { ImageLayer, LayerMask, LayerStack } from './model.js';

export interface RenderOptions {
  /** Output scale relative to the document's full resolution (1 = export, < 1 = proxy). */
  scale: number;
  /** Render only the layers below this index (before/after, thumbnails of a step). */
  layerLimit?: number;
}

export interface RenderResult {
  /** Never shares a buffer with a source image. */
  image: RgbaImage;
  /** Image layers whose pixels were missing: drawn as nothing, named so the UI can flag them. */
  broken: string[];
}

/** Decoded pixels of stored images by content hash, at any resolution. */
export type SourceLookup = (sha256: string) => RgbaImage | undefined;

export function documentSize(stack: LayerStack, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(stack.width * scale)), height: Math.max(1, Math.round(stack.height * scale)) };
}

export function renderStack(stack: LayerStack, sources: SourceLookup, options: RenderOptions): RenderResult {
  const { scale } = options;
  const { width, height } = documentSize(stack, scale);
  let canvas: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  const broken: string[] = [];
  const layers = stack.layers.slice(0, options.layerLimit ?? stack.layers.length);
  let empty = true;
  for (const layer of layers) {
    if (!layer.visible || layer.opacity <= 0) continue;
    const mask = layer.mask ? rasterizeMask(layer.mask, width, height, scale) : null;
    if (layer.kind === 'adjustment') {
      empty = false;
      canvas = applyAdjustmentLayer(canvas, layer.adjustment, { opacity: layer.opacity, blendMode: layer.blendMode, mask, scale });
      continue;
    }
    const source = sources(layer.sha256);
    if (!source) {
      broken.push(layer.id);
      continue;
    }
    const placed = placeImage(layer, source, width, height, scale);
    // Source-over onto a fully transparent canvas at full strength is the layer itself (copied
    // when it is the source's own buffer: results are handed on, and sources are cached).
    canvas =
      empty && !mask && layer.opacity === 1 && layer.blendMode === 'normal'
        ? placed.data === source.data
          ? { width: placed.width, height: placed.height, data: new Uint8ClampedArray(placed.data) }
          : placed
        : compositeLayer(canvas, placed, { blendMode: layer.blendMode, opacity: layer.opacity, mask });
    empty = false;
  }
  return { image: applyTransform(canvas, stack, scale), broken };
}

/** A layer's mask at render size: strokes reveal, erasing hides; then feather and invert. */
export function rasterizeMask(mask: LayerMask, width: number, height: number, scale: number): Mask {
  let raster = emptyMask(width, height, 0);
  for (const stroke of mask.strokes) {
    raster = paintStroke(raster, {
      points: stroke.points.map((p) => ({ x: p.x * scale, y: p.y * scale })),
      size: Math.max(1, stroke.size * scale),
      hardness: stroke.hardness,
      erase: stroke.erase,
    });
  }
  if (mask.feather > 0) raster = featherMask(raster, mask.feather * scale);
  return mask.inverted ? invertMask(raster) : raster;
}

/** Puts an image layer's pixels where it sits in the document, on a transparent canvas. */
function placeImage(layer: ImageLayer, source: RgbaImage, width: number, height: number, scale: number): RgbaImage {
  const targetWidth = Math.max(1, Math.round(layer.width * scale));
  const targetHeight = Math.max(1, Math.round(layer.height * scale));
  const sized = source.width === targetWidth && source.height === targetHeight ? source : resizeBilinear(source, targetWidth, targetHeight);
  const left = Math.round(layer.x * scale);
  const top = Math.round(layer.y * scale);
  if (left === 0 && top === 0 && targetWidth === width && targetHeight === height) return sized;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = Math.max(0, top); y < Math.min(height, top + targetHeight); y++) {
    const x0 = Math.max(0, left);
    const x1 = Math.min(width, left + targetWidth);
    if (x1 <= x0) break;
    const from = ((y - top) * targetWidth + (x0 - left)) * 4;
    out.set(sized.data.subarray(from, from + (x1 - x0) * 4), (y * width + x0) * 4);
  }
  return { width, height, data: out };
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
