import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLEND_MODES, applyAdjustment, applyAdjustmentLayer, compositeLayer, type Adjustment, type Mask, type RgbaImage } from '../../../shared/imaging/index.js';
import { adjustmentLuts, applyLut, composeLuts } from '../../../shared/imaging/adjust.js';
import { maskBounds } from '../../../shared/imaging/mask.js';
import { noise } from './helpers.js';

/*
 * applyAdjustmentLayer and compositeLayer compute only a mask's non-zero box. A mask with a 1 in
 * two opposite corners has the whole image as its box, so it runs the full per-pixel loop: away
 * from those corners the two results must be the same bytes, and at the corners the boxed result
 * must be the pixel below.
 */

const adjustments: Adjustment[] = [
  { kind: 'saturation', amount: 40 },
  { kind: 'brightness', amount: -30 },
  { kind: 'hue', degrees: 50 },
  { kind: 'vibrance', amount: 60 },
  { kind: 'temperatureTint', temperature: 30, tint: -20 },
  { kind: 'blur', radius: 3 },
  { kind: 'sharpen', amount: 150, radius: 2 },
];

/** A mask that is 0 except for a random rectangle of random values away from the corners. */
const arbCase = fc
  .record({
    width: fc.integer({ min: 4, max: 24 }),
    height: fc.integer({ min: 4, max: 24 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    opaque: fc.boolean(),
    opacity: fc.constantFrom(0.25, 0.6, 1),
    mode: fc.constantFrom(...BLEND_MODES),
    adjustment: fc.constantFrom(...adjustments),
  })
  .chain((c) =>
    fc
      .record({
        x: fc.integer({ min: 1, max: c.width - 2 }),
        y: fc.integer({ min: 1, max: c.height - 2 }),
      })
      .chain((at) =>
        fc.record({
          w: fc.integer({ min: 1, max: c.width - 1 - at.x }),
          h: fc.integer({ min: 1, max: c.height - 1 - at.y }),
        }).map((size) => ({ ...c, ...at, ...size })),
      ),
  );

function boxMask(c: { width: number; height: number; x: number; y: number; w: number; h: number; seed: number }): Mask {
  const values = noise(c.w, c.h, c.seed + 1).data;
  const data = new Uint8ClampedArray(c.width * c.height);
  for (let y = 0; y < c.h; y++) for (let x = 0; x < c.w; x++) data[(c.y + y) * c.width + c.x + x] = values[(y * c.w + x) * 4]!;
  return { width: c.width, height: c.height, data };
}

/** The same mask with 1 at the top-left and bottom-right corners: its box is the whole image. */
function withCorners(mask: Mask): Mask {
  const data = new Uint8ClampedArray(mask.data);
  data[0] = 1;
  data[data.length - 1] = 1;
  return { width: mask.width, height: mask.height, data };
}

function sameAwayFromCorners(boxed: RgbaImage, full: RgbaImage, below: RgbaImage): void {
  const n = boxed.width * boxed.height;
  for (let i = 0; i < n; i++) {
    const corner = i === 0 || i === n - 1;
    for (let c = 0; c < 4; c++) {
      const got = boxed.data[i * 4 + c];
      expect(got, `pixel ${i} channel ${c}`).toBe(corner ? below.data[i * 4 + c] : full.data[i * 4 + c]);
    }
  }
}

describe("a mask's box", () => {
  it('maskBounds is the smallest rectangle holding every non-zero value', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const mask = boxMask(c);
        const bounds = maskBounds(mask);
        if (!bounds) {
          expect(mask.data.every((v) => v === 0)).toBe(true);
          return;
        }
        for (let y = 0; y < c.height; y++) {
          for (let x = 0; x < c.width; x++) {
            const inside = x >= bounds.x && x < bounds.x + bounds.width && y >= bounds.y && y < bounds.y + bounds.height;
            if (!inside) expect(mask.data[y * c.width + x]).toBe(0);
          }
        }
        const rowHas = (y: number) => mask.data.subarray(y * c.width + bounds.x, y * c.width + bounds.x + bounds.width).some((v) => v !== 0);
        const colHas = (x: number) => Array.from({ length: c.height }, (_, y) => mask.data[y * c.width + x]!).some((v) => v !== 0);
        expect(rowHas(bounds.y) && rowHas(bounds.y + bounds.height - 1)).toBe(true);
        expect(colHas(bounds.x) && colHas(bounds.x + bounds.width - 1)).toBe(true);
      }),
    );
  });

  it('an adjustment layer computed in the box gives the full loop bytes, and the pixel below outside it', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const below = noise(c.width, c.height, c.seed, c.opaque);
        const mask = boxMask(c);
        const options = { opacity: c.opacity, blendMode: c.mode, scale: 1 };
        const boxed = applyAdjustmentLayer(below, c.adjustment, { ...options, mask });
        const full = applyAdjustmentLayer(below, c.adjustment, { ...options, mask: withCorners(mask) });
        sameAwayFromCorners(boxed, full, below);
      }),
      { numRuns: 150 },
    );
  });

  it('an image layer composited in the box gives the full loop bytes, and the pixel below outside it', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const below = noise(c.width, c.height, c.seed, c.opaque);
        const layer = noise(c.width, c.height, c.seed + 7, false);
        const mask = boxMask(c);
        const boxed = compositeLayer(below, layer, { opacity: c.opacity, blendMode: c.mode, mask });
        const full = compositeLayer(below, layer, { opacity: c.opacity, blendMode: c.mode, mask: withCorners(mask) });
        sameAwayFromCorners(boxed, full, below);
      }),
      { numRuns: 150 },
    );
  });
});

describe('LUT adjustments', () => {
  const lutAdjustments: fc.Arbitrary<Adjustment> = fc.oneof(
    fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'brightness', amount })),
    fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'contrast', amount })),
    fc.record({ temperature: fc.integer({ min: -100, max: 100 }), tint: fc.integer({ min: -100, max: 100 }) }).map((t): Adjustment => ({ kind: 'temperatureTint', ...t })),
    fc.double({ min: -3, max: 3, noNaN: true }).map((stops): Adjustment => ({ kind: 'exposure', stops })),
    fc.integer({ min: 0, max: 255 }).map((y): Adjustment => ({ kind: 'curve', points: [{ x: 0, y: 0 }, { x: 100, y }, { x: 255, y: 255 }] })),
  );

  it('one pass of the composed tables equals the adjustments one after another', () => {
    fc.assert(
      fc.property(fc.array(lutAdjustments, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 99 }), (list, seed) => {
        const image = noise(9, 7, seed);
        let sequential = image;
        for (const adjustment of list) sequential = applyAdjustment(sequential, adjustment);
        const luts = list.map((a) => adjustmentLuts(a)!).reduce((acc, l) => composeLuts(acc, l));
        expect(Array.from(applyLut(image, luts[0], luts[1], luts[2]).data)).toEqual(Array.from(sequential.data));
      }),
    );
  });

  it('applyLut gives the same bytes on an unaligned view (the byte-by-byte loop) as on whole words', () => {
    const image = noise(13, 11, 5);
    const lut = adjustmentLuts({ kind: 'temperatureTint', temperature: 40, tint: 25 })!;
    const shifted = new Uint8ClampedArray(image.data.length + 1);
    shifted.set(image.data, 1);
    const unaligned = { width: 13, height: 11, data: shifted.subarray(1) };
    expect(Array.from(applyLut(unaligned, ...lut).data)).toEqual(Array.from(applyLut(image, ...lut).data));
    // And both are the per-channel lookup.
    const out = applyLut(image, ...lut).data;
    for (let p = 0; p < out.length; p += 4) expect([out[p], out[p + 1], out[p + 2], out[p + 3]]).toEqual([lut[0][image.data[p]!], lut[1][image.data[p + 1]!], lut[2][image.data[p + 2]!], image.data[p + 3]]);
  });

  it('saturation reads whole words on aligned data and bytes otherwise, with the same result', () => {
    const image = noise(17, 5, 3);
    const shifted = new Uint8ClampedArray(image.data.length + 2);
    shifted.set(image.data, 2);
    const unaligned = { width: 17, height: 5, data: shifted.subarray(2) };
    const adjustment: Adjustment = { kind: 'saturation', amount: 70 };
    expect(Array.from(applyAdjustment(unaligned, adjustment).data)).toEqual(Array.from(applyAdjustment(image, adjustment).data));
  });
});
