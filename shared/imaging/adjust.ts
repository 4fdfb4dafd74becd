/**
 * Adjustments: pure functions RgbaImage → new RgbaImage. Alpha is always preserved (the output
 * alpha byte equals the input alpha byte); only colour changes.
 *
 * Semantics (all on 8-bit sRGB unless stated otherwise):
 *  - exposure: linear light × 2^stops. One 256-entry LUT per call, each entry computed with the
 *    exact sRGB transfer functions (decode, multiply, encode with the exact inverse, round).
 *  - brightness: a midtone power curve that keeps black and white fixed:
 *    out = 255·(v/255)^(2^(−amount/100)) (amount 100 → gamma 0.5, −100 → gamma 2).
 *  - contrast: linear around mid-grey 127.5: out = 127.5 + (v − 127.5)·f with
 *    f = 1 + 3·amount/100 for amount ≥ 0 (up to ×4) and f = 1 + amount/100 below (−100 → flat grey).
 *  - saturation: each channel moves away from (or towards) the pixel's Rec.709 luma:
 *    c' = Y + (c − Y)·(1 + amount/100); −100 is black & white.
 *  - vibrance: like saturation with factor 1 + a·(1 − chroma)·protect, a = amount/100,
 *    chroma = (max − min)/255, so muted colours move most and fully saturated ones not at all;
 *    for a > 0, skin-ish hues (HSV hue 0..50°, peak at 25°) get up to half the boost.
 *  - temperatureTint: white-balance style gains in linear light. t = temperature/100,
 *    m = tint/100: red × (1 + 0.3t), blue × (1 − 0.3t), green × (1 − 0.25m). Positive temperature
 *    is warmer (more red, less blue); positive tint is magenta (less green), negative is green.
 *  - hue: rotation of the HSL hue by `degrees` (saturation and lightness in HSL are kept).
 *  - blackWhite: grey = Rec.709 luma of the sRGB values, Y = 0.2126R + 0.7152G + 0.0722B.
 *  - sepia: the W3C filter-effects sepia: the classic matrix interpolated with identity by
 *    amount/100, then clamped (same as blending the unclamped matrix result).
 *  - blur: Gaussian with sigma = radius·scale/2 (see radiusToSigma), clamp-to-edge borders,
 *    exact kernel for sigma < 2.5, three box passes above. Colour is averaged weighted by alpha
 *    (premultiplied), so transparent pixels do not bleed; alpha itself is not blurred.
 *  - sharpen: unsharp mask, out = c + (amount/100)·(c − blur(c)), blur as above with
 *    radius·scale.
 *  - levels: t = clamp((v − inBlack)/(inWhite − inBlack), 0, 1); out = outBlack +
 *    (outWhite − outBlack)·t^(1/gamma) (gamma > 1 lightens midtones, as in Photoshop). If
 *    inWhite ≤ inBlack the input range is a threshold at inBlack.
 *  - curve: Fritsch–Carlson monotone cubic through the points (sorted by x; duplicates keep the
 *    last), flat before the first and after the last point, sampled into a 256-entry LUT.
 *  - channelLevels: `levels` on each of R, G, B with that channel's black, white and gamma, output
 *    0..255.
 */
import type { Adjustment, CurvePoint, RgbaImage } from './types.js';
import { LUMA_B, LUMA_G, LUMA_R, hslToRgb, rgbToHsl } from './color.js';
import { blurPlane, radiusToSigma, toPlanes, unpremultiplyPlanes } from './convolve.js';
import { SRGB_TO_LINEAR, assertImage, cloneImage, linearToSrgb, toByte, wordsOf } from './util.js';

export interface AdjustOptions {
  /** Render scale relative to full resolution (default 1); spatial radii are multiplied by it. */
  scale?: number;
}

export function applyAdjustment(image: RgbaImage, adjustment: Adjustment, options: AdjustOptions = {}): RgbaImage {
  assertImage(image);
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number (got ${scale})`);
  const luts = adjustmentLuts(adjustment);
  if (luts) return applyLut(image, luts[0], luts[1], luts[2]);
  switch (adjustment.kind) {
    case 'saturation':
      return applySaturation(image, adjustment.amount);
    case 'vibrance':
      return applyVibrance(image, adjustment.amount);
    case 'hue':
      return applyHue(image, adjustment.degrees);
    case 'blackWhite':
      return applyBlackWhite(image);
    case 'sepia':
      return applySepia(image, adjustment.amount);
    case 'blur':
      return applyBlur(image, adjustment.radius * scale);
    case 'sharpen':
      return applySharpen(image, adjustment.amount, adjustment.radius * scale);
    default:
      throw new RangeError(`unknown adjustment ${JSON.stringify(adjustment)}`);
  }
}

/**
 * What a blend fused with the kernel computes per pixel (see blend.ts): the LUTs of a LUT
 * adjustment or a saturation's factor (1 is the unchanged pixel); null for other kinds. Checks
 * `image`, the scale and the parameters exactly as applyAdjustment does, with the same errors.
 */
export type FusedKernel = { luts: ChannelLuts; factor: null } | { luts: null; factor: number };

export function fusedKernel(image: RgbaImage, adjustment: Adjustment, options: AdjustOptions = {}): FusedKernel | null {
  if (adjustment.kind !== 'saturation' && !LUT_KINDS.has(adjustment.kind)) return null;
  assertImage(image);
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number (got ${scale})`);
  const luts = adjustmentLuts(adjustment);
  if (luts) return { luts, factor: null };
  return adjustment.kind === 'saturation' ? { luts: null, factor: saturationFactor(adjustment.amount) } : null;
}

const LUT_KINDS: ReadonlySet<Adjustment['kind']> = new Set(['exposure', 'brightness', 'contrast', 'levels', 'curve', 'channelLevels', 'temperatureTint']);

/** Per-channel lookup tables (red, green, blue), each 256 entries. */
export type ChannelLuts = readonly [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray];

/**
 * The LUTs of an adjustment that is one per channel (exposure, brightness, contrast, levels,
 * curve, channelLevels, temperatureTint), or null. applyAdjustment applies exactly these, so
 * consecutive LUT adjustments compose byte for byte (composeLuts).
 */
export function adjustmentLuts(adjustment: Adjustment): ChannelLuts | null {
  switch (adjustment.kind) {
    case 'exposure':
      return same(exposureLut(adjustment.stops));
    case 'brightness':
      return same(brightnessLut(adjustment.amount));
    case 'contrast':
      return same(contrastLut(adjustment.amount));
    case 'levels':
      return same(levelsLut(adjustment));
    case 'curve':
      return same(curveLut(adjustment.points));
    case 'channelLevels':
      return [
        levelsLut({ inBlack: adjustment.redBlack, inWhite: adjustment.redWhite, gamma: adjustment.redGamma, outBlack: 0, outWhite: 255 }),
        levelsLut({ inBlack: adjustment.greenBlack, inWhite: adjustment.greenWhite, gamma: adjustment.greenGamma, outBlack: 0, outWhite: 255 }),
        levelsLut({ inBlack: adjustment.blueBlack, inWhite: adjustment.blueWhite, gamma: adjustment.blueGamma, outBlack: 0, outWhite: 255 }),
      ];
    case 'temperatureTint':
      return temperatureTintLuts(adjustment.temperature, adjustment.tint);
    default:
      return null;
  }
}

function same(lut: Uint8ClampedArray): ChannelLuts {
  return [lut, lut, lut];
}

/** `then ∘ first`: applying the result once equals applying `first`, then `then`. */
export function composeLuts(first: ChannelLuts, then: ChannelLuts): ChannelLuts {
  const one = (a: Uint8ClampedArray, b: Uint8ClampedArray): Uint8ClampedArray => {
    const out = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) out[v] = b[a[v] as number] as number;
    return out;
  };
  return [one(first[0], then[0]), one(first[1], then[1]), one(first[2], then[2])];
}

/** Whether each output pixel depends on that input pixel alone (all but blur and sharpen). */
export function isPointwise(adjustment: Adjustment): boolean {
  return adjustment.kind !== 'blur' && adjustment.kind !== 'sharpen';
}

/* ---------------------------------------------------------------------------------------------
 * LUT-based adjustments
 * ------------------------------------------------------------------------------------------- */

function finite(value: number, name: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite (got ${value})`);
  return value;
}

function buildLut(f: (v: number) => number): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = toByte(f(v));
  return lut;
}

/** Applies per-channel LUTs to R, G, B (one LUT for all three when only `r` is given). */
export function applyLut(image: RgbaImage, r: Uint8ClampedArray, g = r, b = r): RgbaImage {
  const out = new Uint8ClampedArray(image.data.length);
  lutSpan(image.data, 0, out, 0, image.width * image.height, r, g, b);
  return { width: image.width, height: image.height, data: out };
}

/**
 * applyLut's loop on `count` pixels from pixel `from` of `src` to pixel `to` of `out` (which may
 * be another image): the same lookups, written where the caller wants them.
 */
export function lutSpan(src: Uint8ClampedArray, from: number, out: Uint8ClampedArray, to: number, count: number, r: Uint8ClampedArray, g: Uint8ClampedArray, b: Uint8ClampedArray): void {
  const words = wordsOf(src);
  const into = wordsOf(out);
  if (words && into) {
    lutWords(words, from, into, to, count, r, g, b);
    return;
  }
  for (let i = 0, p = from * 4, q = to * 4; i < count; i++, p += 4, q += 4) {
    out[q] = r[src[p] as number] as number;
    out[q + 1] = g[src[p + 1] as number] as number;
    out[q + 2] = b[src[p + 2] as number] as number;
    out[q + 3] = src[p + 3] as number;
  }
}

/**
 * The three LUTs of the span being written, each entry already shifted to its byte of the word
 * (R at 0, G at 256, B at 512). A module constant, so the optimizing compiler knows its address and
 * length: V8 does not hoist a typed array's pointer and length out of a loop, and a LUT passed as an
 * argument costs those loads for every lookup. Refilled at every call (never read across calls).
 */
const PACKED_LUT = new Int32Array(768);

/** Below this many pixels filling PACKED_LUT costs more than it saves. */
const PACKED_MIN_PIXELS = 256;

/**
 * lutSpan on whole pixels (little-endian: R is the low byte); on long spans through PACKED_LUT,
 * four pixels a turn so the arrays' pointers and lengths are loaded once for four (in Chromium
 * unrolling alone does not pay, the packed table does; in Node both do).
 */
function lutWords(words: Uint32Array, from: number, into: Uint32Array, to: number, count: number, r: Uint8ClampedArray, g: Uint8ClampedArray, b: Uint8ClampedArray): void {
  const shift = to - from;
  const end = from + count;
  let i = from;
  // Shifted within one buffer, a pixel may be written before it is read: keep the plain order.
  const independent = words.buffer !== into.buffer || words.byteOffset + 4 * from === into.byteOffset + 4 * to;
  if (independent && count >= PACKED_MIN_PIXELS) {
    const t = PACKED_LUT;
    for (let k = 0; k < 256; k++) {
      t[k] = r[k] as number;
      t[256 + k] = (g[k] as number) << 8;
      t[512 + k] = (b[k] as number) << 16;
    }
    for (; i + 3 < end; i += 4) {
      const v0 = words[i] as number;
      const v1 = words[i + 1] as number;
      const v2 = words[i + 2] as number;
      const v3 = words[i + 3] as number;
      into[i + shift] = (v0 & 0xff000000) | (t[512 + ((v0 >>> 16) & 255)] as number) | (t[256 + ((v0 >>> 8) & 255)] as number) | (t[v0 & 255] as number);
      into[i + shift + 1] = (v1 & 0xff000000) | (t[512 + ((v1 >>> 16) & 255)] as number) | (t[256 + ((v1 >>> 8) & 255)] as number) | (t[v1 & 255] as number);
      into[i + shift + 2] = (v2 & 0xff000000) | (t[512 + ((v2 >>> 16) & 255)] as number) | (t[256 + ((v2 >>> 8) & 255)] as number) | (t[v2 & 255] as number);
      into[i + shift + 3] = (v3 & 0xff000000) | (t[512 + ((v3 >>> 16) & 255)] as number) | (t[256 + ((v3 >>> 8) & 255)] as number) | (t[v3 & 255] as number);
    }
  }
  for (; i < end; i++) {
    const v = words[i] as number;
    into[i + shift] = (v & 0xff000000) | ((b[(v >>> 16) & 255] as number) << 16) | ((g[(v >>> 8) & 255] as number) << 8) | (r[v & 255] as number);
  }
}

export function exposureLut(stops: number): Uint8ClampedArray {
  const gain = Math.pow(2, finite(stops, 'stops'));
  return buildLut((v) => 255 * linearToSrgb((SRGB_TO_LINEAR[v] as number) * gain));
}

export function brightnessLut(amount: number): Uint8ClampedArray {
  const gamma = Math.pow(2, -finite(amount, 'amount') / 100);
  return buildLut((v) => 255 * Math.pow(v / 255, gamma));
}

export function contrastLut(amount: number): Uint8ClampedArray {
  const a = finite(amount, 'amount') / 100;
  const f = a >= 0 ? 1 + 3 * a : Math.max(0, 1 + a);
  return buildLut((v) => 127.5 + (v - 127.5) * f);
}

export function levelsLut(levels: { inBlack: number; inWhite: number; gamma: number; outBlack: number; outWhite: number }): Uint8ClampedArray {
  const inBlack = finite(levels.inBlack, 'inBlack');
  const inWhite = finite(levels.inWhite, 'inWhite');
  const gamma = finite(levels.gamma, 'gamma');
  const outBlack = finite(levels.outBlack, 'outBlack');
  const outWhite = finite(levels.outWhite, 'outWhite');
  if (!(gamma > 0)) throw new RangeError(`gamma must be positive (got ${gamma})`);
  const invGamma = 1 / gamma;
  const span = inWhite - inBlack;
  return buildLut((v) => {
    let t: number;
    if (span <= 0) t = v < inBlack ? 0 : 1;
    else t = v <= inBlack ? 0 : v >= inWhite ? 1 : (v - inBlack) / span;
    if (invGamma !== 1 && t > 0 && t < 1) t = Math.pow(t, invGamma);
    return outBlack + (outWhite - outBlack) * t;
  });
}

/** Fritsch–Carlson monotone cubic Hermite interpolation through `points`, as a 256-entry LUT. */
export function curveLut(points: readonly CurvePoint[]): Uint8ClampedArray {
  const sorted = points
    .map((p) => ({ x: finite(p.x, 'curve x'), y: finite(p.y, 'curve y') }))
    .sort((a, b) => a.x - b.x);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of sorted) {
    if (xs.length > 0 && xs[xs.length - 1] === p.x) ys[ys.length - 1] = p.y;
    else {
      xs.push(p.x);
      ys.push(p.y);
    }
  }
  const n = xs.length;
  if (n === 0) return buildLut((v) => v);
  if (n === 1) {
    const y = ys[0] as number;
    return buildLut(() => y);
  }
  const at = (arr: number[], i: number): number => arr[i] as number;
  // Secant slopes.
  const d: number[] = [];
  for (let k = 0; k < n - 1; k++) d.push((at(ys, k + 1) - at(ys, k)) / (at(xs, k + 1) - at(xs, k)));
  // Initial tangents: endpoints take the one-sided secant; interior the average, or 0 at extrema.
  const m: number[] = new Array<number>(n).fill(0);
  m[0] = at(d, 0);
  m[n - 1] = at(d, n - 2);
  for (let k = 1; k < n - 1; k++) {
    const d0 = at(d, k - 1);
    const d1 = at(d, k);
    m[k] = d0 * d1 <= 0 ? 0 : (d0 + d1) / 2;
  }
  // Fritsch–Carlson limiter: keep (alpha, beta) inside the circle of radius 3.
  for (let k = 0; k < n - 1; k++) {
    const dk = at(d, k);
    if (dk === 0) {
      m[k] = 0;
      m[k + 1] = 0;
      continue;
    }
    const alpha = at(m, k) / dk;
    const beta = at(m, k + 1) / dk;
    const s = alpha * alpha + beta * beta;
    if (s > 9) {
      const tau = 3 / Math.sqrt(s);
      m[k] = tau * alpha * dk;
      m[k + 1] = tau * beta * dk;
    }
  }
  const x0 = at(xs, 0);
  const xn = at(xs, n - 1);
  let seg = 0;
  return buildLut((v) => {
    if (v <= x0) return at(ys, 0);
    if (v >= xn) return at(ys, n - 1);
    while (seg < n - 2 && v > at(xs, seg + 1)) seg++;
    const xa = at(xs, seg);
    const h = at(xs, seg + 1) - xa;
    const t = (v - xa) / h;
    const t2 = t * t;
    const t3 = t2 * t;
    const h00 = 2 * t3 - 3 * t2 + 1;
    const h10 = t3 - 2 * t2 + t;
    const h01 = -2 * t3 + 3 * t2;
    const h11 = t3 - t2;
    return h00 * at(ys, seg) + h10 * h * at(m, seg) + h01 * at(ys, seg + 1) + h11 * h * at(m, seg + 1);
  });
}

function temperatureTintLuts(temperature: number, tint: number): ChannelLuts {
  const t = finite(temperature, 'temperature') / 100;
  const m = finite(tint, 'tint') / 100;
  const gainLut = (gain: number): Uint8ClampedArray =>
    gain === 1 ? buildLut((v) => v) : buildLut((v) => 255 * linearToSrgb((SRGB_TO_LINEAR[v] as number) * Math.max(0, gain)));
  return [gainLut(1 + 0.3 * t), gainLut(1 - 0.25 * m), gainLut(1 - 0.3 * t)];
}

/* ---------------------------------------------------------------------------------------------
 * Per-pixel colour adjustments
 * ------------------------------------------------------------------------------------------- */

export function saturationFactor(amount: number): number {
  return 1 + finite(amount, 'amount') / 100;
}

function applySaturation(image: RgbaImage, amount: number): RgbaImage {
  const factor = saturationFactor(amount);
  if (factor === 1) return cloneImage(image);
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  const words = wordsOf(src);
  if (words) {
    // The same sums, a pixel read and written as one word (little-endian: R is the low byte).
    const into = new Uint32Array(out.buffer);
    for (let i = 0; i < words.length; i++) {
      const v = words[i] as number;
      const r = v & 255;
      const g = (v >>> 8) & 255;
      const b = (v >>> 16) & 255;
      const y = LUMA_R * r + LUMA_G * g + LUMA_B * b;
      into[i] = (v & 0xff000000) | (toByte(y + (b - y) * factor) << 16) | (toByte(y + (g - y) * factor) << 8) | toByte(y + (r - y) * factor);
    }
    return { width: image.width, height: image.height, data: out };
  }
  for (let p = 0; p < src.length; p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    const y = LUMA_R * r + LUMA_G * g + LUMA_B * b;
    out[p] = toByte(y + (r - y) * factor);
    out[p + 1] = toByte(y + (g - y) * factor);
    out[p + 2] = toByte(y + (b - y) * factor);
    out[p + 3] = src[p + 3] as number;
  }
  return { width: image.width, height: image.height, data: out };
}

/** 0..1: how "skin-like" a hue is; peaks at an HSV hue of 25°, zero outside 0..50°. */
function skinWeight(r: number, g: number, b: number, max: number, min: number): number {
  if (max !== r || g < b) return 0; // hue outside 0..60°
  const hue = (60 * (g - b)) / (max - min);
  const w = 1 - Math.abs(hue - 25) / 25;
  return w > 0 ? w : 0;
}

function applyVibrance(image: RgbaImage, amount: number): RgbaImage {
  const a = finite(amount, 'amount') / 100;
  if (a === 0) return cloneImage(image);
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  for (let p = 0; p < src.length; p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    out[p + 3] = src[p + 3] as number;
    if (max === min) {
      out[p] = r;
      out[p + 1] = g;
      out[p + 2] = b;
      continue;
    }
    const chroma = (max - min) / 255;
    const protect = a > 0 ? 1 - 0.5 * skinWeight(r, g, b, max, min) : 1;
    const factor = 1 + a * (1 - chroma) * protect;
    const y = LUMA_R * r + LUMA_G * g + LUMA_B * b;
    out[p] = toByte(y + (r - y) * factor);
    out[p + 1] = toByte(y + (g - y) * factor);
    out[p + 2] = toByte(y + (b - y) * factor);
  }
  return { width: image.width, height: image.height, data: out };
}

function applyHue(image: RgbaImage, degrees: number): RgbaImage {
  let turn = finite(degrees, 'degrees') % 360;
  if (turn < 0) turn += 360;
  if (turn === 0) return cloneImage(image);
  const shift = turn / 60; // sextants
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  const hsl = new Float64Array(3);
  const rgb = new Float64Array(3);
  for (let p = 0; p < src.length; p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    out[p + 3] = src[p + 3] as number;
    if (r === g && g === b) {
      out[p] = r;
      out[p + 1] = g;
      out[p + 2] = b;
      continue;
    }
    rgbToHsl(r / 255, g / 255, b / 255, hsl);
    let h = (hsl[0] as number) + shift;
    if (h >= 6) h -= 6;
    hslToRgb(h, hsl[1] as number, hsl[2] as number, rgb);
    out[p] = toByte((rgb[0] as number) * 255);
    out[p + 1] = toByte((rgb[1] as number) * 255);
    out[p + 2] = toByte((rgb[2] as number) * 255);
  }
  return { width: image.width, height: image.height, data: out };
}

function applyBlackWhite(image: RgbaImage): RgbaImage {
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  for (let p = 0; p < src.length; p += 4) {
    const y = toByte(LUMA_R * (src[p] as number) + LUMA_G * (src[p + 1] as number) + LUMA_B * (src[p + 2] as number));
    out[p] = y;
    out[p + 1] = y;
    out[p + 2] = y;
    out[p + 3] = src[p + 3] as number;
  }
  return { width: image.width, height: image.height, data: out };
}

/** The classic sepia matrix (as in the W3C Filter Effects `sepia()`), rows → R, G, B. */
export const SEPIA_MATRIX = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
] as const;

function applySepia(image: RgbaImage, amount: number): RgbaImage {
  const k = Math.min(1, Math.max(0, finite(amount, 'amount') / 100));
  if (k === 0) return cloneImage(image);
  const [m0, m1, m2] = SEPIA_MATRIX;
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  for (let p = 0; p < src.length; p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    const sr = m0[0] * r + m0[1] * g + m0[2] * b;
    const sg = m1[0] * r + m1[1] * g + m1[2] * b;
    const sb = m2[0] * r + m2[1] * g + m2[2] * b;
    out[p] = toByte(r + (sr - r) * k);
    out[p + 1] = toByte(g + (sg - g) * k);
    out[p + 2] = toByte(b + (sb - b) * k);
    out[p + 3] = src[p + 3] as number;
  }
  return { width: image.width, height: image.height, data: out };
}

/* ---------------------------------------------------------------------------------------------
 * Spatial adjustments
 * ------------------------------------------------------------------------------------------- */

/**
 * Blurs colour weighted by alpha (premultiplied) and returns straight-colour planes (floats
 * 0..255); pixels with no opaque neighbour keep their own colour.
 */
function blurColor(image: RgbaImage, sigma: number): [Float32Array, Float32Array, Float32Array] {
  const planes = toPlanes(image);
  const { width, height } = image;
  const [r, g, b] = planes.color;
  return unpremultiplyPlanes(
    {
      width,
      height,
      color: [blurPlane(r, width, height, sigma), blurPlane(g, width, height, sigma), blurPlane(b, width, height, sigma)],
      alpha: planes.alpha === null ? null : blurPlane(planes.alpha, width, height, sigma),
    },
    image,
  );
}

function applyBlur(image: RgbaImage, radius: number): RgbaImage {
  const sigma = radiusToSigma(finite(radius, 'radius'));
  if (!(sigma > 0) || image.width * image.height === 0) return cloneImage(image);
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  const [r, g, b] = blurColor(image, sigma);
  for (let i = 0, p = 0; i < r.length; i++, p += 4) {
    out[p] = toByte(r[i] as number);
    out[p + 1] = toByte(g[i] as number);
    out[p + 2] = toByte(b[i] as number);
    out[p + 3] = src[p + 3] as number;
  }
  return { width: image.width, height: image.height, data: out };
}

function applySharpen(image: RgbaImage, amount: number, radius: number): RgbaImage {
  const k = finite(amount, 'amount') / 100;
  const sigma = radiusToSigma(finite(radius, 'radius'));
  if (k === 0 || !(sigma > 0) || image.width * image.height === 0) return cloneImage(image);
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  const [r, g, b] = blurColor(image, sigma);
  for (let i = 0, p = 0; i < r.length; i++, p += 4) {
    const sr = src[p] as number;
    const sg = src[p + 1] as number;
    const sb = src[p + 2] as number;
    out[p] = toByte(sr + k * (sr - (r[i] as number)));
    out[p + 1] = toByte(sg + k * (sg - (g[i] as number)));
    out[p + 2] = toByte(sb + k * (sb - (b[i] as number)));
    out[p + 3] = src[p + 3] as number;
  }
  return { width: image.width, height: image.height, data: out };
}
