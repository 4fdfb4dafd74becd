/**
 * Small numeric and image helpers shared by the pixel kernels. Everything here uses basic IEEE
 * arithmetic (plus Math.pow / Math.exp / Math.sqrt / Math.round / Math.floor, which V8 computes
 * identically in Node and in Chromium), so kernels are bit-for-bit deterministic across both.
 */
import type { Mask, RgbaImage } from './types.js';

/**
 * Rounds to the nearest byte (halves up), clamping to 0..255. NaN becomes 0.
 *
 * Exactly Math.round on 0.5..255 (and 0 below, 255 above), without it: Math.round costs several
 * times a truncation in V8's optimized code. For v ≥ 0.5, v + 0.5 rounds to an integer only
 * from above (its exponent is at most one more than v's, so the sum is exact or rounds within
 * [2^k, 2^k + 0.5), where the only integer is 2^k), hence floor(v + 0.5) in floating point is
 * the mathematical one. Below 0.5 the answer is 0 (v + 0.5 would round the largest double
 * under 0.5 up to 1).
 */
export function toByte(value: number): number {
  return value >= 0.5 ? (value >= 255 ? 255 : (value + 0.5) | 0) : 0;
}

export function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** `UNIT[v] === v / 255`, so hot loops avoid a division per channel. */
export const UNIT: Float64Array = (() => {
  const table = new Float64Array(256);
  for (let v = 0; v < 256; v++) table[v] = v / 255;
  return table;
})();

export function assertImage(image: RgbaImage, name = 'image'): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`${name}: width and height must be non-negative integers (got ${width}×${height})`);
  }
  if (data.length !== width * height * 4) {
    throw new RangeError(`${name}: data.length ${data.length} !== ${width}×${height}×4`);
  }
}

export function assertMask(mask: Mask, name = 'mask'): void {
  const { width, height, data } = mask;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`${name}: width and height must be non-negative integers (got ${width}×${height})`);
  }
  if (data.length !== width * height) {
    throw new RangeError(`${name}: data.length ${data.length} !== ${width}×${height}`);
  }
}

export function assertDimension(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer (got ${value})`);
}

export function cloneImage(image: RgbaImage): RgbaImage {
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
}

export function cloneMask(mask: Mask): Mask {
  return { width: mask.width, height: mask.height, data: new Uint8ClampedArray(mask.data) };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The pixels as 32-bit words (R in the low byte) where the platform is little-endian and the
 * bytes are aligned, else null (callers then go byte by byte). Shares the buffer.
 */
export function wordsOf(data: Uint8ClampedArray): Uint32Array | null {
  if (!LITTLE_ENDIAN || data.byteOffset % 4 !== 0 || data.length % 4 !== 0) return null;
  return new Uint32Array(data.buffer, data.byteOffset, data.length / 4);
}

export function isOpaque(image: RgbaImage): boolean {
  const data = image.data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * sRGB transfer functions (IEC 61966-2-1), on 0..1 values.
 * ------------------------------------------------------------------------------------------- */

export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

export function linearToSrgb(l: number): number {
  if (l <= 0) return 0;
  if (l >= 1) return 1;
  return l <= 0.0031308 ? l * 12.92 : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
}

/** `SRGB_TO_LINEAR[v]` = linear light (0..1) of the sRGB byte v. */
export const SRGB_TO_LINEAR: Float64Array = (() => {
  const table = new Float64Array(256);
  for (let v = 0; v < 256; v++) table[v] = srgbToLinear(v / 255);
  return table;
})();

/* ---------------------------------------------------------------------------------------------
 * Trigonometry without Math.sin / Math.cos: exact quadrant reduction in degrees, then Taylor
 * series on |x| ≤ π/4 (error < 1e-16). Multiples of 90° give exact 0 / ±1.
 * ------------------------------------------------------------------------------------------- */

const PI = 3.141592653589793;

export function sinCosDegrees(degrees: number): { sin: number; cos: number } {
  if (!Number.isFinite(degrees)) throw new RangeError(`angle must be finite (got ${degrees})`);
  let d = degrees % 360;
  if (d < 0) d += 360;
  const quadrant = Math.round(d / 90); // 0..4
  const rest = d - quadrant * 90; // -45..45
  const x = (rest * PI) / 180;
  const x2 = x * x;
  // sin x = x - x^3/3! + ...,  cos x = 1 - x^2/2! + ... (Horner form, terms to x^17 / x^18).
  let s = 1;
  let c = 1;
  for (let n = 17; n >= 3; n -= 2) s = 1 - (x2 / (n * (n - 1))) * s;
  for (let n = 18; n >= 2; n -= 2) c = 1 - (x2 / (n * (n - 1))) * c;
  s *= x;
  switch (quadrant & 3) {
    case 0:
      return { sin: s, cos: c };
    case 1:
      return { sin: c, cos: -s };
    case 2:
      return { sin: -s, cos: -c };
    default:
      return { sin: -c, cos: s };
  }
}
