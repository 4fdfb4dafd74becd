/**
 * Masks: one byte per pixel (255 = fully applied). All functions return new masks.
 * Brush coordinates are in mask pixels; pixel (x, y) covers [x, x+1) × [y, y+1).
 */
import type { Mask } from './types.js';
import { blurPlane, radiusToSigma, resamplePlane, resampleTaps } from './convolve.js';
import { assertDimension, assertMask, clamp, cloneMask, toByte } from './util.js';

export interface BrushStroke {
  /** The polyline, in mask pixel coordinates. */
  points: readonly { x: number; y: number }[];
  /** Brush diameter in mask pixels. */
  size: number;
  /** 0..1: fraction of the radius at full strength before the falloff starts. */
  hardness: number;
  /** true lowers the mask instead of raising it. */
  erase: boolean;
  /** 0..1 (default 1): the stroke's strength. */
  flow?: number;
}

export function emptyMask(width: number, height: number, value = 0): Mask {
  assertDimension(width, 'width');
  assertDimension(height, 'height');
  const data = new Uint8ClampedArray(width * height);
  const v = toByte(value);
  if (v !== 0) data.fill(v);
  return { width, height, data };
}

export function invertMask(mask: Mask): Mask {
  assertMask(mask);
  const src = mask.data;
  const out = new Uint8ClampedArray(src.length);
  for (let i = 0; i < src.length; i++) out[i] = 255 - (src[i] as number);
  return { width: mask.width, height: mask.height, data: out };
}

/** Gaussian-blurs the mask with sigma = radius/2 (as blur; clamp-to-edge). radius ≤ 0 → copy. */
export function featherMask(mask: Mask, radius: number): Mask {
  assertMask(mask);
  if (!Number.isFinite(radius)) throw new RangeError(`radius must be finite (got ${radius})`);
  if (radius <= 0 || mask.data.length === 0) return cloneMask(mask);
  const blurred = blurPlane(Float32Array.from(mask.data), mask.width, mask.height, radiusToSigma(radius));
  const out = new Uint8ClampedArray(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = toByte(blurred[i] as number);
  return { width: mask.width, height: mask.height, data: out };
}

/** Whole-pixel rectangle: columns x..x+width−1, rows y..y+height−1. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest rectangle holding every non-zero value, or null when the mask is all 0. */
export function maskBounds(mask: Mask, within?: PixelRect): PixelRect | null {
  assertMask(mask);
  const { width, data } = mask;
  const area = within ?? { x: 0, y: 0, width: mask.width, height: mask.height };
  let minX = Infinity;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let y = area.y; y < area.y + area.height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = area.x; x < area.x + area.width; x++) {
      if (data[row + x] !== 0) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    if (minY < 0) minY = y;
    maxY = y;
    if (first < minX) minX = first;
    for (let x = area.x + area.width - 1; x > maxX; x--) {
      if (data[row + x] !== 0) {
        maxX = x;
        break;
      }
    }
  }
  return minY < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** The part of a mask inside `rect` (which must lie within it). */
export function cropMask(mask: Mask, rect: PixelRect): Mask {
  assertMask(mask);
  const out = new Uint8ClampedArray(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const from = (rect.y + y) * mask.width + rect.x;
    out.set(mask.data.subarray(from, from + rect.width), y * rect.width);
  }
  return { width: rect.width, height: rect.height, data: out };
}

/** Resizes like resizeBilinear (bilinear, area-averaging when reducing by more than 2×). */
export function resizeMask(mask: Mask, width: number, height: number): Mask {
  assertMask(mask);
  assertDimension(width, 'width');
  assertDimension(height, 'height');
  if (width === mask.width && height === mask.height) return cloneMask(mask);
  if (width === 0 || height === 0) return { width, height, data: new Uint8ClampedArray(width * height) };
  if (mask.width === 0 || mask.height === 0) throw new RangeError('cannot resize an empty mask to a non-empty size');
  const resized = resamplePlane(
    Float32Array.from(mask.data),
    mask.width,
    mask.height,
    width,
    height,
    resampleTaps(mask.width, width),
    resampleTaps(mask.height, height),
  );
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0; i < out.length; i++) out[i] = toByte(resized[i] as number);
  return { width, height, data: out };
}

/** Distance between brush dabs along the stroke, for a brush of diameter `size`. */
export function dabSpacing(size: number): number {
  return Math.max(size / 8, 0.5);
}

/** Dab centres along the polyline: the first point, then every `spacing`, then the last point. */
export function dabCentres(points: readonly { x: number; y: number }[], spacing: number): { x: number; y: number }[] {
  const first = points[0];
  if (first === undefined) return [];
  const dabs = [{ x: first.x, y: first.y }];
  let carried = 0; // distance travelled since the last dab
  let last = first;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as { x: number; y: number };
    const b = points[i] as { x: number; y: number };
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.sqrt(dx * dx + dy * dy);
    if (length === 0) continue;
    let along = spacing - carried;
    while (along <= length) {
      last = { x: a.x + (dx * along) / length, y: a.y + (dy * along) / length };
      dabs.push(last);
      along += spacing;
    }
    carried = length - (along - spacing);
  }
  const end = points[points.length - 1] as { x: number; y: number };
  if (end.x !== last.x || end.y !== last.y) dabs.push({ x: end.x, y: end.y });
  return dabs;
}

/**
 * Paints (or erases) one stroke: round dabs of diameter `size` every size/8 px (at least 0.5 px)
 * along the polyline. Dab profile: full strength out to hardness·radius, then a smoothstep
 * falloff to 0 at the radius; when that band would be narrower than 1 px (hard brushes), a 1 px
 * anti-aliased edge centred on the radius is used instead. Within a stroke, dabs combine by
 * maximum, so the stroke's cross-section is the brush profile whatever the spacing; the stroke
 * coverage c = flow × profile is then applied once: paint v' = v + (255 − v)·c,
 * erase v' = v·(1 − c). Repeated strokes build up.
 *
 * `origin` puts the mask in a larger canvas: mask pixel (x, y) is canvas pixel (x + origin.x,
 * y + origin.y) and the stroke is in canvas coordinates. Distances are computed in canvas
 * coordinates, so a window of a canvas paints exactly the bytes the whole canvas gets there.
 */
export function paintStroke(mask: Mask, stroke: BrushStroke, origin: { x: number; y: number } = { x: 0, y: 0 }): Mask {
  assertMask(mask);
  const { width, height } = mask;
  const ox = origin.x;
  const oy = origin.y;
  if (!Number.isInteger(ox) || !Number.isInteger(oy)) throw new RangeError(`origin must be whole pixels (got ${ox}, ${oy})`);
  const size = stroke.size;
  if (!Number.isFinite(size)) throw new RangeError(`brush size must be finite (got ${size})`);
  for (const p of stroke.points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new RangeError('brush points must be finite');
  }
  const flow = clamp(stroke.flow ?? 1, 0, 1);
  if (stroke.points.length === 0 || size <= 0 || !(flow > 0) || width * height === 0) return cloneMask(mask);
  const hardness = clamp(Number.isFinite(stroke.hardness) ? stroke.hardness : 1, 0, 1);
  const radius = size / 2;
  let inner = radius * hardness;
  let outer = radius;
  if (outer - inner < 1) {
    inner = Math.max(0, radius - 0.5);
    outer = radius + 0.5;
  }
  const band = outer - inner;
  const innerSq = inner * inner;
  const outerSq = outer * outer;

  const coverage = new Float32Array(width * height);
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (const dab of dabCentres(stroke.points, dabSpacing(size))) {
    const x0 = Math.max(0, Math.floor(dab.x - outer) - ox);
    const x1 = Math.min(width - 1, Math.ceil(dab.x + outer) - ox);
    const y0 = Math.max(0, Math.floor(dab.y - outer) - oy);
    const y1 = Math.min(height - 1, Math.ceil(dab.y + outer) - oy);
    if (x0 > x1 || y0 > y1) continue;
    if (x0 < minX) minX = x0;
    if (y0 < minY) minY = y0;
    if (x1 > maxX) maxX = x1;
    if (y1 > maxY) maxY = y1;
    for (let y = y0; y <= y1; y++) {
      const dy = y + oy + 0.5 - dab.y;
      const row = y * width;
      for (let x = x0; x <= x1; x++) {
        const dx = x + ox + 0.5 - dab.x;
        const dSq = dx * dx + dy * dy;
        if (dSq >= outerSq) continue;
        let a: number;
        if (dSq <= innerSq) a = 1;
        else {
          const t = (Math.sqrt(dSq) - inner) / band;
          a = 1 - t * t * (3 - 2 * t);
        }
        if (a > (coverage[row + x] as number)) coverage[row + x] = a;
      }
    }
  }

  const out = new Uint8ClampedArray(mask.data);
  for (let y = minY; y <= maxY; y++) {
    const row = y * width;
    for (let x = minX; x <= maxX; x++) {
      const i = row + x;
      const c = (coverage[i] as number) * flow;
      if (c <= 0) continue;
      const v = out[i] as number;
      out[i] = toByte(stroke.erase ? v * (1 - c) : v + (255 - v) * c);
    }
  }
  return { width, height, data: out };
}
