/**
 * A what-if, for the benchmark only: renderStack with the changes the slider-frame figure calls
 * for, built from the same exported kernels, to measure how far they would take a frame and to
 * check they are exact (the output must be byte-identical to renderStack's). Nothing in the app
 * uses this; it sizes the proposed fix to shared/document/render.ts and shared/imaging/blend.ts:
 *
 *   1. Fast paths: an adjustment layer at opacity 1, blend 'normal', without a mask, on an opaque
 *      canvas is applyAdjustment's output as is (the "atop" blend reproduces it byte for byte),
 *      and the first image layer on the empty canvas, opaque, normal, opacity 1, unmasked, at 0,0
 *      and the canvas size is its pixels as they are — no per-pixel blend for either.
 *   2. Consecutive LUT adjustments (brightness, contrast, exposure, levels, curve, temperature &
 *      tint) on the fast path fused into one per-channel LUT: one pass instead of several.
 *   3. Masks rasterized in the strokes' bounding box (plus the feather's reach) instead of over
 *      the whole canvas: paintStroke allocates and scans a full-size coverage plane per stroke and
 *      featherMask blurs the full canvas, though strokes usually cover a small part.
 *   4. (interactive) Masks rasterized once per LayerMask object and size (applyOperation keeps
 *      untouched layers and masks by identity), and the canvas below the first changed layer
 *      kept from the previous frame, so a slider re-renders from its own layer up.
 */
import type { Layer, LayerMask, LayerStack } from '../shared/document/model.js';
import { rasterizeMask, type SourceLookup } from '../shared/document/render.js';
import { applyAdjustment, applyAdjustmentLayer, compositeLayer, emptyMask, featherMask, invertMask, paintStroke, resizeBilinear, type Adjustment, type Mask, type RgbaImage } from '../shared/imaging/index.js';
import { applyLut, brightnessLut, contrastLut, curveLut, exposureLut, levelsLut } from '../shared/imaging/adjust.js';
import { SRGB_TO_LINEAR, linearToSrgb, toByte } from '../shared/imaging/util.js';

/** rasterizeMask's steps (paint, feather, invert) on the strokes' window only, pasted into a full-size mask. */
export function rasterizeMaskWindowed(mask: LayerMask, width: number, height: number, scale: number): Mask {
  if (mask.strokes.length === 0) return rasterizeMask(mask, width, height, scale);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of mask.strokes) {
    const half = Math.max(1, stroke.size * scale) / 2 + 1;
    for (const p of stroke.points) {
      minX = Math.min(minX, p.x * scale - half);
      maxX = Math.max(maxX, p.x * scale + half);
      minY = Math.min(minY, p.y * scale - half);
      maxY = Math.max(maxY, p.y * scale + half);
    }
  }
  const sigma = mask.feather > 0 ? (mask.feather * scale) / 2 : 0;
  // Every pass of the blur spreads the strokes; the window's edges must stay 0 throughout.
  const margin = 2 + (sigma > 0 ? 2 * Math.ceil(3 * sigma) : 0);
  const x0 = Math.max(0, Math.floor(minX) - margin);
  const y0 = Math.max(0, Math.floor(minY) - margin);
  const x1 = Math.min(width, Math.ceil(maxX) + margin);
  const y1 = Math.min(height, Math.ceil(maxY) + margin);
  if (x1 <= x0 || y1 <= y0) return rasterizeMask({ ...mask, strokes: [] }, width, height, scale);
  const w = x1 - x0;
  const h = y1 - y0;
  if (w * h > 0.6 * width * height) return rasterizeMask(mask, width, height, scale);
  let raster = emptyMask(w, h, 0);
  for (const stroke of mask.strokes) {
    raster = paintStroke(raster, {
      points: stroke.points.map((p) => ({ x: p.x * scale - x0, y: p.y * scale - y0 })),
      size: Math.max(1, stroke.size * scale),
      hardness: stroke.hardness,
      erase: stroke.erase,
    });
  }
  if (mask.feather > 0) raster = featherMask(raster, mask.feather * scale);
  const full = emptyMask(width, height, 0);
  for (let y = 0; y < h; y++) full.data.set(raster.data.subarray(y * w, (y + 1) * w), (y0 + y) * width + x0);
  return mask.inverted ? invertMask(full) : full;
}

type Luts = [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray];

function lutsOf(adjustment: Adjustment): Luts | null {
  switch (adjustment.kind) {
    case 'brightness': {
      const l = brightnessLut(adjustment.amount);
      return [l, l, l];
    }
    case 'contrast': {
      const l = contrastLut(adjustment.amount);
      return [l, l, l];
    }
    case 'exposure': {
      const l = exposureLut(adjustment.stops);
      return [l, l, l];
    }
    case 'levels': {
      const l = levelsLut(adjustment);
      return [l, l, l];
    }
    case 'curve': {
      const l = curveLut(adjustment.points);
      return [l, l, l];
    }
    case 'temperatureTint': {
      // As adjust.ts's applyTemperatureTint builds them.
      const gain = (g: number) => {
        const lut = new Uint8ClampedArray(256);
        for (let v = 0; v < 256; v++) lut[v] = g === 1 ? v : toByte(255 * linearToSrgb(SRGB_TO_LINEAR[v]! * Math.max(0, g)));
        return lut;
      };
      const t = adjustment.temperature / 100;
      const m = adjustment.tint / 100;
      return [gain(1 + 0.3 * t), gain(1 - 0.25 * m), gain(1 - 0.3 * t)];
    }
    default:
      return null;
  }
}

function compose(first: Luts, then: Luts): Luts {
  return first.map((a, c) => {
    const b = then[c]!;
    const out = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) out[v] = b[a[v]!]!;
    return out;
  }) as Luts;
}

function plain(layer: Layer): boolean {
  return layer.opacity === 1 && layer.blendMode === 'normal' && layer.mask === null;
}

function isOpaque(image: RgbaImage): boolean {
  const d = image.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return false;
  return true;
}

export interface WhatIfRenderer {
  render(stack: LayerStack, sources: SourceLookup, scale: number): RgbaImage;
}

/**
 * `interactive` adds the mask cache and the canvas kept below the first changed layer (3.).
 * Transforms are not handled (the benchmark's stack has none).
 */
export function whatIfRenderer(interactive: boolean): WhatIfRenderer {
  const masks = new WeakMap<LayerMask, { width: number; height: number; scale: number; mask: Mask }>();
  /** The previous frame: each layer object and the canvas after it (null where a fused LUT was pending). */
  let previous: { layers: Layer[]; after: (RgbaImage | null)[]; opaque: boolean[]; width: number; height: number } | null = null;

  const maskFor = (mask: LayerMask, width: number, height: number, scale: number): Mask => {
    if (!interactive) return rasterizeMaskWindowed(mask, width, height, scale);
    const hit = masks.get(mask);
    if (hit && hit.width === width && hit.height === height && hit.scale === scale) return hit.mask;
    const raster = rasterizeMaskWindowed(mask, width, height, scale);
    masks.set(mask, { width, height, scale, mask: raster });
    return raster;
  };

  return {
    render(stack, sources, scale) {
      const width = Math.max(1, Math.round(stack.width * scale));
      const height = Math.max(1, Math.round(stack.height * scale));
      const layers = stack.layers.filter((layer) => layer.visible && layer.opacity > 0);
      let start = 0;
      let canvas: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
      let opaque = false;
      let empty = true;
      const after: (RgbaImage | null)[] = [];
      const opaqueAfter: boolean[] = [];
      if (interactive && previous && previous.width === width && previous.height === height) {
        let same = 0;
        while (same < layers.length && same < previous.layers.length && layers[same] === previous.layers[same]) same++;
        // Back to the last canvas that was materialized.
        let m = same - 1;
        while (m >= 0 && previous.after[m] === null) m--;
        if (m >= 0) {
          start = m + 1;
          canvas = previous.after[m]!;
          opaque = previous.opaque[m]!;
          empty = false;
          for (let i = 0; i <= m; i++) {
            after.push(previous.after[i]!);
            opaqueAfter.push(previous.opaque[i]!);
          }
        }
      }
      let pending: Luts | null = null;
      let pendingFrom = -1;
      const flush = () => {
        if (!pending) return;
        canvas = applyLut(canvas, pending[0], pending[1], pending[2]);
        after[after.length - 1] = canvas;
        pending = null;
        pendingFrom = -1;
      };
      for (let i = start; i < layers.length; i++) {
        const layer = layers[i]!;
        if (layer.kind === 'adjustment' && plain(layer) && opaque) {
          const luts = lutsOf(layer.adjustment);
          if (luts) {
            pending = pending ? compose(pending, luts) : luts;
            if (pendingFrom < 0) pendingFrom = i;
            after.push(null);
            opaqueAfter.push(true);
            continue;
          }
          flush();
          canvas = applyAdjustment(canvas, layer.adjustment, { scale });
        } else {
          flush();
          const mask = layer.mask ? maskFor(layer.mask, width, height, scale) : null;
          if (layer.kind === 'adjustment') {
            canvas = applyAdjustmentLayer(canvas, layer.adjustment, { opacity: layer.opacity, blendMode: layer.blendMode, mask, scale });
          } else {
            const found = sources(layer.sha256);
            if (!found) {
              after.push(canvas);
              opaqueAfter.push(opaque);
              continue;
            }
            const fits = layer.x === 0 && layer.y === 0 && Math.round(layer.width * scale) === width && Math.round(layer.height * scale) === height;
            if (!fits) throw new Error('what-if renderer: only a full-canvas image layer is handled');
            // As placeImage does.
            const source = found.width === width && found.height === height ? found : resizeBilinear(found, width, height);
            if (empty && plain(layer) && isOpaque(source)) {
              canvas = source;
              opaque = true;
            } else {
              canvas = compositeLayer(canvas, source, { blendMode: layer.blendMode, opacity: layer.opacity, mask });
              opaque = isOpaque(canvas);
            }
          }
        }
        empty = false;
        after.push(canvas);
        opaqueAfter.push(opaque);
      }
      flush();
      previous = { layers, after, opaque: opaqueAfter, width, height };
      return canvas;
    },
  };
}
