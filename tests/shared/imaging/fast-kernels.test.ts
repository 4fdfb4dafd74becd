/**
 * The hot loops of a slider frame (toByte, the LUT pass, saturation, the masked normal blend fused
 * with its kernel) against straightforward references that spell out the formulas as they were
 * written before they were made fast: byte for byte, on random and edge inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustmentLuts, lutSpan } from '../../../shared/imaging/adjust.js';
import { applyAdjustment, applyAdjustmentLayer, type Adjustment, type Mask, type RgbaImage } from '../../../shared/imaging/index.js';
import { maskBounds } from '../../../shared/imaging/mask.js';
import { UNIT, toByte } from '../../../shared/imaging/util.js';
import { noise } from './helpers.js';

const LUMA_R = 0.2126;
const LUMA_G = 0.7152;
const LUMA_B = 0.0722;

/** toByte as first written. */
function refToByte(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 255) return 255;
  return Math.round(value);
}

/** The double `steps` ulps away from x (x finite, the result too). */
function ulpsAway(x: number, steps: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  if (x === 0) {
    if (steps === 0) return x;
    bits[0] = BigInt(Math.abs(steps));
    return steps > 0 ? (f[0] as number) : -(f[0] as number);
  }
  bits[0] = (bits[0] as bigint) + BigInt(x > 0 ? steps : -steps);
  return f[0] as number;
}

/** saturation per byte, as first written. */
function refSaturation(image: RgbaImage, amount: number): RgbaImage {
  const factor = 1 + amount / 100;
  const src = image.data;
  const out = new Uint8ClampedArray(src);
  if (factor === 1) return { ...image, data: out };
  for (let p = 0; p < src.length; p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    const y = LUMA_R * r + LUMA_G * g + LUMA_B * b;
    out[p] = refToByte(y + (r - y) * factor);
    out[p + 1] = refToByte(y + (g - y) * factor);
    out[p + 2] = refToByte(y + (b - y) * factor);
  }
  return { ...image, data: out };
}

function refLut(image: RgbaImage, luts: readonly [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray]): RgbaImage {
  const out = new Uint8ClampedArray(image.data);
  for (let p = 0; p < out.length; p += 4) {
    out[p] = luts[0][image.data[p] as number] as number;
    out[p + 1] = luts[1][image.data[p + 1] as number] as number;
    out[p + 2] = luts[2][image.data[p + 2] as number] as number;
  }
  return { ...image, data: out };
}

/** An adjustment layer in normal mode, per byte: Co = (1 − k)·Cb + k·adjusted, alpha kept. */
function refNormalLayer(below: RgbaImage, adjusted: RgbaImage, opacity: number, mask: Mask | null): RgbaImage {
  const bd = below.data;
  const ld = adjusted.data;
  const out = new Uint8ClampedArray(bd);
  for (let i = 0, p = 0; p < bd.length; i++, p += 4) {
    const as = mask ? opacity * (UNIT[mask.data[i] as number] as number) : opacity;
    if (as <= 0 || bd[p + 3] === 0) continue;
    for (let c = 0; c < 3; c++) {
      const cb = UNIT[bd[p + c] as number] as number;
      out[p + c] = refToByte((cb + ((UNIT[ld[p + c] as number] as number) - cb) * as) * 255);
    }
  }
  return { ...below, data: out };
}

function same(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const arbImage = (maxSide = 24): fc.Arbitrary<RgbaImage> =>
  fc
    .record({ width: fc.integer({ min: 1, max: maxSide }), height: fc.integer({ min: 1, max: maxSide }), seed: fc.integer({ min: 1, max: 2 ** 31 }), opaque: fc.boolean() })
    .map(({ width, height, seed, opaque }) => noise(width, height, seed, opaque));

/** A mask with runs of 0 and 255 (a feathered stroke's inside and outside) and values between. */
const arbMaskFor = (width: number, height: number): fc.Arbitrary<Mask> =>
  fc
    .array(fc.oneof(fc.constant(0), fc.constant(255), fc.integer({ min: 0, max: 255 })), { minLength: width * height, maxLength: width * height })
    .map((values) => ({ width, height, data: Uint8ClampedArray.from(values) }));

/** A mask that is 0 outside a random box (so applyAdjustmentLayer works in the box only). */
const arbBoxMaskFor = (width: number, height: number): fc.Arbitrary<Mask> =>
  fc
    .record({ x: fc.nat(width - 1), y: fc.nat(height - 1), w: fc.integer({ min: 1, max: width }), h: fc.integer({ min: 1, max: height }), inner: arbMaskFor(width, height) })
    .map(({ x, y, w, h, inner }) => {
      const data = new Uint8ClampedArray(width * height);
      for (let yy = y; yy < Math.min(height, y + h); yy++) for (let xx = x; xx < Math.min(width, x + w); xx++) data[yy * width + xx] = inner.data[yy * width + xx] as number;
      return { width, height, data };
    });

const arbLutAdjustment: fc.Arbitrary<Adjustment> = fc.oneof(
  fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'brightness', amount })),
  fc.double({ min: -100, max: 100, noNaN: true }).map((amount): Adjustment => ({ kind: 'contrast', amount })),
  fc.record({ temperature: fc.integer({ min: -100, max: 100 }), tint: fc.integer({ min: -100, max: 100 }) }).map((t): Adjustment => ({ kind: 'temperatureTint', ...t })),
  fc.integer({ min: 0, max: 255 }).map((y): Adjustment => ({ kind: 'curve', points: [{ x: 0, y: 0 }, { x: 64, y }, { x: 255, y: 255 }] })),
);

const arbAmount = fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double({ min: -100, max: 100, noNaN: true }), fc.constantFrom(0, -100, 100, 1e6, -1e6));

describe('toByte', () => {
  it('equals Math.round clamped to 0..255 around every half byte, at the ends and on random values', () => {
    const values: number[] = [NaN, Infinity, -Infinity, 0, -0, 1e300, -1e300, 2 ** 31, 2 ** 32 + 0.5, -(2 ** 31), Number.MIN_VALUE, -Number.MIN_VALUE];
    for (let k = -4; k <= 1030; k++) for (let s = -8; s <= 8; s++) values.push(ulpsAway(k / 2, s));
    let state = 7;
    for (let i = 0; i < 200_000; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      values.push((state / 2 ** 32) * 600 - 200);
    }
    const wrong = values.filter((v) => toByte(v) !== refToByte(v) || Object.is(toByte(v), -0));
    expect(wrong).toEqual([]);
  });

  it('a blend at full strength is the adjusted byte itself, for every pair of bytes', () => {
    let wrong = 0;
    for (let b = 0; b < 256; b++) {
      const cb = UNIT[b] as number;
      for (let l = 0; l < 256; l++) if (refToByte((cb + ((UNIT[l] as number) - cb) * 1) * 255) !== l) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('lutSpan', () => {
  it('writes the same bytes as a lookup per channel: any span, offsets, unaligned views, in place', () => {
    fc.assert(
      fc.property(arbImage(40), arbLutAdjustment, arbLutAdjustment, fc.nat(), fc.nat(), fc.nat(), fc.nat(3), (image, a, b, p, q, c, shift) => {
        const pixels = image.width * image.height;
        const luts = [adjustmentLuts(a)![0], adjustmentLuts(b)![1], adjustmentLuts(b)![2]] as const;
        const from = p % pixels;
        const to = q % pixels;
        const count = c % (pixels - Math.max(from, to) + 1);
        // Into another buffer (unaligned when shift > 0: the byte loop).
        const backing = new Uint8ClampedArray(image.data.length + 4);
        const out = backing.subarray(shift, shift + image.data.length);
        out.fill(7);
        lutSpan(image.data, from, out, to, count, ...luts);
        const expected = new Uint8ClampedArray(image.data.length).fill(7);
        const mapped = refLut(image, luts).data;
        expected.set(mapped.subarray(from * 4, (from + count) * 4), to * 4);
        expect(same(out, expected)).toBe(true);
        // In place, and shifted within one buffer (written in the plain order).
        for (const target of [from, to]) {
          const data = new Uint8ClampedArray(image.data);
          const reference = new Uint8ClampedArray(image.data);
          lutSpan(data, from, data, target, count, ...luts);
          for (let i = 0; i < count; i++) {
            const s = (from + i) * 4;
            const d = (target + i) * 4;
            const px = [luts[0][reference[s] as number] as number, luts[1][reference[s + 1] as number] as number, luts[2][reference[s + 2] as number] as number, reference[s + 3] as number];
            reference.set(px, d);
          }
          expect(same(data, reference)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('saturation', () => {
  it('gives the bytes of the per-channel formula for any image and amount', () => {
    fc.assert(
      fc.property(arbImage(), arbAmount, (image, amount) => {
        expect(same(applyAdjustment(image, { kind: 'saturation', amount }).data, refSaturation(image, amount).data)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the bytes of the formula for every colour of a 64-level cube at extreme amounts', () => {
    const data = new Uint8ClampedArray(64 * 64 * 64 * 4);
    for (let i = 0; i < 64 * 64 * 64; i++) data.set([(i & 63) * 4 + 3, ((i >> 6) & 63) * 4 + 1, (i >> 12) * 4, 255], i * 4);
    const cube = { width: 64 * 64, height: 64, data };
    for (const amount of [-100, -37.5, 25, 60, 100, 333]) expect(same(applyAdjustment(cube, { kind: 'saturation', amount }).data, refSaturation(cube, amount).data)).toBe(true);
  });
});

describe('adjustment layer in normal mode (kernel and blend in one pass)', () => {
  const cases = (kind: 'saturation' | 'lut') =>
    arbImage(20).chain((image) =>
      fc.record({
        image: fc.constant(image),
        adjustment: kind === 'saturation' ? arbAmount.map((amount): Adjustment => ({ kind: 'saturation', amount })) : arbLutAdjustment,
        opacity: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
        mask: fc.oneof(fc.constant(null), arbMaskFor(image.width, image.height), arbBoxMaskFor(image.width, image.height)),
        knownBounds: fc.boolean(),
      }),
    );
  const reference = (image: RgbaImage, adjustment: Adjustment): RgbaImage =>
    adjustment.kind === 'saturation' ? refSaturation(image, adjustment.amount) : refLut(image, adjustmentLuts(adjustment)!);

  for (const kind of ['saturation', 'lut'] as const) {
    it(`${kind}: the bytes of the kernel then the per-channel blend, with or without a mask, any opacity and alpha`, () => {
      fc.assert(
        fc.property(cases(kind), ({ image, adjustment, opacity, mask, knownBounds }) => {
          const options = { opacity, mask, ...(mask && knownBounds ? { maskBounds: maskBounds(mask) } : {}) };
          const actual = applyAdjustmentLayer(image, adjustment, options);
          const expected = refNormalLayer(image, reference(image, adjustment), opacity, mask);
          expect(same(actual.data, expected.data)).toBe(true);
          expect(actual.data.buffer).not.toBe(image.data.buffer);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('an image viewed at an unaligned offset gets the same bytes', () => {
    const image = noise(9, 7, 11);
    const backing = new Uint8ClampedArray(image.data.length + 1);
    backing.set(image.data, 1);
    const view = { ...image, data: backing.subarray(1) };
    const mask = { width: 9, height: 7, data: Uint8ClampedArray.from({ length: 63 }, (_, i) => (i * 37) % 256) };
    const expected = refNormalLayer(image, refSaturation(image, 40), 0.8, mask);
    expect(same(applyAdjustmentLayer(view, { kind: 'saturation', amount: 40 }, { opacity: 0.8, mask }).data, expected.data)).toBe(true);
  });

  it('rejects a bad amount or scale as the kernel does', () => {
    const image = noise(4, 4, 3, true);
    const mask = { width: 4, height: 4, data: new Uint8ClampedArray(16).fill(128) };
    expect(() => applyAdjustmentLayer(image, { kind: 'saturation', amount: NaN }, { mask })).toThrow(/amount must be finite/);
    expect(() => applyAdjustmentLayer(image, { kind: 'brightness', amount: Infinity }, { opacity: 0.5 })).toThrow(/amount must be finite/);
    expect(() => applyAdjustmentLayer(image, { kind: 'saturation', amount: 10 }, { mask, scale: 0 })).toThrow(/scale must be a positive number/);
  });
});
