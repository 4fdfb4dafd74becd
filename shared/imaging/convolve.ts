/**
 * Separable filters on float planes (one channel, row-major, `width * height` values): Gaussian
 * blur (exact kernel for small sigma, three box passes for large sigma) and resampling (bilinear
 * or area-averaging). Borders clamp to the edge. Running sums are kept in doubles; planes are
 * Float32Array to halve memory on large images.
 */
import type { RgbaImage } from './types.js';
import { isOpaque, toByte } from './util.js';

/**
 * How a user-facing blur / sharpen / feather radius (pixels) maps to a Gaussian sigma:
 * `sigma = radius / 2`, i.e. the radius is two standard deviations (≈95% of the weight lies
 * within it). The kernel itself extends to ceil(3·sigma) taps either side.
 */
export function radiusToSigma(radius: number): number {
  return radius / 2;
}

/** Below this sigma the exact Gaussian kernel is used; at or above it, three box passes. */
export const EXACT_GAUSSIAN_MAX_SIGMA = 2.5;

function gaussianKernel(sigma: number): Float64Array {
  const reach = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * reach + 1);
  const denom = 2 * sigma * sigma;
  let sum = 0;
  for (let i = -reach; i <= reach; i++) {
    const w = Math.exp(-(i * i) / denom);
    kernel[i + reach] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = (kernel[i] as number) / sum;
  return kernel;
}

function convolveRows(src: Float32Array, dst: Float32Array, width: number, height: number, kernel: Float64Array): void {
  // kernel is symmetric: acc = k0·c + Σ ki·(left_i + right_i)
  const reach = (kernel.length - 1) >> 1;
  const half = kernel.subarray(reach); // half[0] = centre weight
  const w0 = half[0] as number;
  const last = width - 1;
  const midStart = Math.min(width, reach);
  const midEnd = Math.max(midStart, width - reach);
  const clamped = (row: number, x: number): number => {
    let acc = w0 * (src[row + x] as number);
    for (let i = 1; i <= reach; i++) {
      const l = x - i < 0 ? 0 : x - i;
      const r = x + i > last ? last : x + i;
      acc += (half[i] as number) * ((src[row + l] as number) + (src[row + r] as number));
    }
    return acc;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    for (; x < midStart; x++) dst[row + x] = clamped(row, x);
    for (; x < midEnd; x++) {
      const c = row + x;
      let acc = w0 * (src[c] as number);
      for (let i = 1; i <= reach; i++) acc += (half[i] as number) * ((src[c - i] as number) + (src[c + i] as number));
      dst[c] = acc;
    }
    for (; x < width; x++) dst[row + x] = clamped(row, x);
  }
}

function convolveColumns(src: Float32Array, dst: Float32Array, width: number, height: number, kernel: Float64Array): void {
  const reach = (kernel.length - 1) >> 1;
  const last = height - 1;
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    const w0 = kernel[reach] as number;
    const centre = y * width;
    for (let x = 0; x < width; x++) acc[x] = w0 * (src[centre + x] as number);
    for (let i = 1; i <= reach; i++) {
      const w = kernel[reach + i] as number;
      const up = (y - i < 0 ? 0 : y - i) * width;
      const down = (y + i > last ? last : y + i) * width;
      for (let x = 0; x < width; x++) acc[x] = (acc[x] as number) + w * ((src[up + x] as number) + (src[down + x] as number));
    }
    for (let x = 0; x < width; x++) dst[centre + x] = acc[x] as number;
  }
}

/** Box of width 2r+1 along rows, clamp-to-edge, via a running sum. */
function boxRows(src: Float32Array, dst: Float32Array, width: number, height: number, r: number): void {
  const last = width - 1;
  const inv = 1 / (2 * r + 1);
  // x ranges where neither end of the window is clamped: x − r ≥ 0 and x + r + 1 ≤ last.
  const midStart = Math.min(width, r);
  const midEnd = Math.max(midStart, width - r - 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const first = src[row] as number;
    const lastValue = src[row + last] as number;
    let sum = (r + 1) * first;
    for (let i = 1; i <= r; i++) sum += src[row + (i > last ? last : i)] as number;
    let x = 0;
    for (; x < midStart; x++) {
      dst[row + x] = sum * inv;
      const add = x + r + 1;
      sum += (add > last ? lastValue : (src[row + add] as number)) - first;
    }
    for (; x < midEnd; x++) {
      dst[row + x] = sum * inv;
      sum += (src[row + x + r + 1] as number) - (src[row + x - r] as number);
    }
    for (; x < width; x++) {
      dst[row + x] = sum * inv;
      const sub = x - r;
      sum += lastValue - (sub < 0 ? first : (src[row + sub] as number));
    }
  }
}

/** Box of height 2r+1 along columns, walking rows in order (cache-friendly). */
function boxColumns(src: Float32Array, dst: Float32Array, width: number, height: number, r: number): void {
  const last = height - 1;
  const inv = 1 / (2 * r + 1);
  const sum = new Float64Array(width);
  for (let x = 0; x < width; x++) sum[x] = (r + 1) * (src[x] as number);
  for (let i = 1; i <= r; i++) {
    const row = (i > last ? last : i) * width;
    for (let x = 0; x < width; x++) sum[x] = (sum[x] as number) + (src[row + x] as number);
  }
  for (let y = 0; y < height; y++) {
    const out = y * width;
    const add = y + r + 1;
    const sub = y - r;
    const addRow = (add > last ? last : add) * width;
    const subRow = (sub < 0 ? 0 : sub) * width;
    for (let x = 0; x < width; x++) {
      const s = sum[x] as number;
      dst[out + x] = s * inv;
      sum[x] = s + (src[addRow + x] as number) - (src[subRow + x] as number);
    }
  }
}

/**
 * Half-widths of three successive box filters whose combined variance approximates sigma²
 * (Kutskir's "boxes for Gauss"; W. Jarosz, "Fast Image Convolutions", 2001).
 */
export function boxRadiiForSigma(sigma: number, passes = 3): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / passes + 1);
  let lower = Math.floor(ideal);
  if (lower % 2 === 0) lower--;
  const upper = lower + 2;
  const m = Math.round((12 * sigma * sigma - passes * lower * lower - 4 * passes * lower - 3 * passes) / (-4 * lower - 4));
  const radii: number[] = [];
  for (let i = 0; i < passes; i++) radii.push(((i < m ? lower : upper) - 1) / 2);
  return radii;
}

/** Gaussian blur of one plane. Returns a new plane; `plane` is not modified. */
export function blurPlane(plane: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const out = new Float32Array(plane);
  if (!(sigma > 0) || width === 0 || height === 0) return out;
  const tmp = new Float32Array(plane.length);
  if (sigma < EXACT_GAUSSIAN_MAX_SIGMA) {
    const kernel = gaussianKernel(sigma);
    convolveRows(plane, tmp, width, height, kernel);
    convolveColumns(tmp, out, width, height, kernel);
    return out;
  }
  for (const r of boxRadiiForSigma(sigma)) {
    if (r <= 0) continue;
    boxRows(out, tmp, width, height, r);
    boxColumns(tmp, out, width, height, r);
  }
  return out;
}

/* ---------------------------------------------------------------------------------------------
 * Premultiplied planes of an RGBA image.
 * ------------------------------------------------------------------------------------------- */

export interface Planes {
  width: number;
  height: number;
  /** r·a, g·a, b·a in 0..255 (a in 0..1), or plain r, g, b when the image is opaque. */
  color: [Float32Array, Float32Array, Float32Array];
  /** Alpha 0..1, or null when the image is fully opaque. */
  alpha: Float32Array | null;
}

export function toPlanes(image: RgbaImage): Planes {
  const n = image.width * image.height;
  const data = image.data;
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  if (isOpaque(image)) {
    for (let i = 0, p = 0; i < n; i++, p += 4) {
      r[i] = data[p] as number;
      g[i] = data[p + 1] as number;
      b[i] = data[p + 2] as number;
    }
    return { width: image.width, height: image.height, color: [r, g, b], alpha: null };
  }
  const a = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const alpha = (data[p + 3] as number) / 255;
    a[i] = alpha;
    r[i] = (data[p] as number) * alpha;
    g[i] = (data[p + 1] as number) * alpha;
    b[i] = (data[p + 2] as number) * alpha;
  }
  return { width: image.width, height: image.height, color: [r, g, b], alpha: a };
}

/**
 * Turns filtered premultiplied colour planes into straight colour (0..255 floats), in place.
 * Where the filtered alpha is ~0 the colour is undefined, and `fallback`'s own colour is used.
 */
export function unpremultiplyPlanes(planes: Planes, fallback: RgbaImage): [Float32Array, Float32Array, Float32Array] {
  const [r, g, b] = planes.color;
  const alpha = planes.alpha;
  if (alpha === null) return [r, g, b];
  const src = fallback.data;
  for (let i = 0, p = 0; i < alpha.length; i++, p += 4) {
    const a = alpha[i] as number;
    if (a > 1e-6) {
      r[i] = (r[i] as number) / a;
      g[i] = (g[i] as number) / a;
      b[i] = (b[i] as number) / a;
    } else {
      r[i] = src[p] as number;
      g[i] = src[p + 1] as number;
      b[i] = src[p + 2] as number;
    }
  }
  return [r, g, b];
}

/** Converts filtered planes back to an image; alpha comes from the planes (255 when opaque). */
export function fromPlanes(planes: Planes): RgbaImage {
  const { width, height } = planes;
  const n = width * height;
  const data = new Uint8ClampedArray(n * 4);
  const [r, g, b] = planes.color;
  const alpha = planes.alpha;
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    if (alpha === null) {
      data[p] = toByte(r[i] as number);
      data[p + 1] = toByte(g[i] as number);
      data[p + 2] = toByte(b[i] as number);
      data[p + 3] = 255;
      continue;
    }
    const a = alpha[i] as number;
    const a8 = toByte(a * 255);
    data[p + 3] = a8;
    if (a8 === 0) continue; // fully transparent: colour is irrelevant, leave 0,0,0
    data[p] = toByte((r[i] as number) / a);
    data[p + 1] = toByte((g[i] as number) / a);
    data[p + 2] = toByte((b[i] as number) / a);
  }
  return { width, height, data };
}

/* ---------------------------------------------------------------------------------------------
 * Resampling: per output index, a list of (source index, weight).
 * ------------------------------------------------------------------------------------------- */

export interface Taps {
  /** First source index for each output index. */
  start: Int32Array;
  /** Number of taps for each output index. */
  count: Int32Array;
  /** Weights, `maxCount` per output index. */
  weights: Float64Array;
  maxCount: number;
}

/**
 * Taps for resizing `src` samples to `dst` samples along one axis. Pixel centres are aligned
 * (sample i of the output sits at source coordinate (i + 0.5)·src/dst − 0.5). Reducing by more
 * than 2× averages the covered source area (box filter with fractional edge coverage); otherwise
 * linear interpolation with clamp-to-edge.
 */
export function resampleTaps(src: number, dst: number): Taps {
  const ratio = src / dst;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  if (ratio > 2) {
    const maxCount = Math.ceil(ratio) + 1;
    const weights = new Float64Array(dst * maxCount);
    for (let i = 0; i < dst; i++) {
      const lo = i * ratio;
      const hi = i === dst - 1 ? src : (i + 1) * ratio;
      const first = Math.floor(lo);
      const end = Math.min(src, Math.ceil(hi));
      start[i] = first;
      count[i] = end - first;
      let total = 0;
      for (let s = first; s < end; s++) {
        const cover = Math.min(hi, s + 1) - Math.max(lo, s);
        weights[i * maxCount + (s - first)] = cover;
        total += cover;
      }
      for (let k = 0; k < end - first; k++) weights[i * maxCount + k] = (weights[i * maxCount + k] as number) / total;
    }
    return { start, count, weights, maxCount };
  }
  const weights = new Float64Array(dst * 2);
  const last = src - 1;
  for (let i = 0; i < dst; i++) {
    let pos = (i + 0.5) * ratio - 0.5;
    if (pos < 0) pos = 0;
    if (pos > last) pos = last;
    const first = Math.floor(pos);
    const frac = pos - first;
    start[i] = first;
    if (frac > 0 && first < last) {
      count[i] = 2;
      weights[i * 2] = 1 - frac;
      weights[i * 2 + 1] = frac;
    } else {
      count[i] = 1;
      weights[i * 2] = 1;
    }
  }
  return { start, count, weights, maxCount: 2 };
}

/** Resamples one plane to `dstWidth × dstHeight` (rows first, then columns). */
export function resamplePlane(
  plane: Float32Array,
  width: number,
  height: number,
  dstWidth: number,
  dstHeight: number,
  xTaps: Taps,
  yTaps: Taps,
): Float32Array {
  const mid = new Float32Array(dstWidth * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const out = y * dstWidth;
    for (let x = 0; x < dstWidth; x++) {
      const s = row + (xTaps.start[x] as number);
      const c = xTaps.count[x] as number;
      const wBase = x * xTaps.maxCount;
      let acc = 0;
      for (let k = 0; k < c; k++) acc += (xTaps.weights[wBase + k] as number) * (plane[s + k] as number);
      mid[out + x] = acc;
    }
  }
  const dst = new Float32Array(dstWidth * dstHeight);
  const acc = new Float64Array(dstWidth);
  for (let y = 0; y < dstHeight; y++) {
    acc.fill(0);
    const s = yTaps.start[y] as number;
    const c = yTaps.count[y] as number;
    const wBase = y * yTaps.maxCount;
    for (let k = 0; k < c; k++) {
      const w = yTaps.weights[wBase + k] as number;
      const row = (s + k) * dstWidth;
      for (let x = 0; x < dstWidth; x++) acc[x] = (acc[x] as number) + w * (mid[row + x] as number);
    }
    const out = y * dstWidth;
    for (let x = 0; x < dstWidth; x++) dst[out + x] = acc[x] as number;
  }
  return dst;
}
