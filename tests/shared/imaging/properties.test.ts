import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BLEND_MODES,
  applyAdjustment,
  compositeLayer,
  emptyMask,
  flip,
  invertMask,
  resizeBilinear,
  rotate90,
  rotateArbitrary,
  type Mask,
  type RgbaImage,
} from '../../../shared/imaging/index.js';
import { ramp } from './helpers.js';

const arbImage = (maxSide = 12): fc.Arbitrary<RgbaImage> =>
  fc
    .record({ width: fc.integer({ min: 1, max: maxSide }), height: fc.integer({ min: 1, max: maxSide }) })
    .chain(({ width, height }) =>
      fc
        .uint8Array({ minLength: width * height * 4, maxLength: width * height * 4 })
        .map((bytes) => ({ width, height, data: new Uint8ClampedArray(bytes) })),
    );

const arbMask: fc.Arbitrary<Mask> = fc
  .record({ width: fc.integer({ min: 1, max: 16 }), height: fc.integer({ min: 1, max: 16 }) })
  .chain(({ width, height }) =>
    fc.uint8Array({ minLength: width * height, maxLength: width * height }).map((bytes) => ({ width, height, data: new Uint8ClampedArray(bytes) })),
  );

/** Red channel of the 0..255 ramp after an adjustment. */
const response = (adjustment: Parameters<typeof applyAdjustment>[1]): number[] => {
  const out = applyAdjustment(ramp(), adjustment);
  return Array.from({ length: 256 }, (_, v) => out.data[v * 4] as number);
};
const nonDecreasing = (values: readonly number[]) => values.every((v, i) => i === 0 || v >= (values[i - 1] as number));

describe('properties', () => {
  it('brightness is monotone in the pixel value and in the amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 }), (a, b) => {
        const lo = response({ kind: 'brightness', amount: Math.min(a, b) });
        const hi = response({ kind: 'brightness', amount: Math.max(a, b) });
        expect(nonDecreasing(lo)).toBe(true);
        lo.forEach((v, i) => expect(hi[i]).toBeGreaterThanOrEqual(v));
      }),
    );
  });

  it('exposure, contrast and monotone levels are monotone in the pixel value', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.integer({ min: -100, max: 100 }),
        fc.integer({ min: 0, max: 254 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (stops, amount, inBlack, gamma) => {
          expect(nonDecreasing(response({ kind: 'exposure', stops }))).toBe(true);
          expect(nonDecreasing(response({ kind: 'contrast', amount }))).toBe(true);
          expect(nonDecreasing(response({ kind: 'levels', inBlack, inWhite: 255, gamma, outBlack: 0, outWhite: 255 }))).toBe(true);
        },
      ),
    );
  });

  it('contrast is symmetric around mid-grey (up to rounding of exact halves)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), (amount) => {
        const r = response({ kind: 'contrast', amount });
        r.forEach((v, i) => expect(Math.abs(v + (r[255 - i] as number) - 255)).toBeLessThanOrEqual(1));
        expect(r[0]! <= 128 && r[255]! >= 127).toBe(true);
      }),
    );
  });

  it('a curve through increasing points is non-decreasing and passes through the points', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 16 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
        (xsRaw, ysRaw) => {
          const xs = [...xsRaw].sort((a, b) => a - b);
          const ys = ysRaw.slice(0, xs.length).sort((a, b) => a - b);
          const points = xs.map((x, i) => ({ x, y: ys[i] as number }));
          const r = response({ kind: 'curve', points });
          expect(nonDecreasing(r)).toBe(true);
          for (const p of points) expect(r[p.x]).toBe(p.y);
        },
      ),
    );
  });

  it('invertMask twice is the identity', () => {
    fc.assert(
      fc.property(arbMask, (m) => {
        expect(invertMask(invertMask(m))).toEqual(m);
      }),
    );
  });

  it('flip twice is the identity; rotate90 four times is the identity; rotate90(k) then rotate90(−k) too', () => {
    fc.assert(
      fc.property(arbImage(), fc.constantFrom('horizontal' as const, 'vertical' as const), fc.integer({ min: -7, max: 7 }), (img, dir, k) => {
        expect(flip(flip(img, dir), dir)).toEqual(img);
        let r = img;
        for (let i = 0; i < 4; i++) r = rotate90(r, k === 0 ? 1 : k);
        expect(r).toEqual(img);
        expect(rotate90(rotate90(img, k), -k)).toEqual(img);
        expect(rotate90(img, 2)).toEqual(flip(flip(img, 'horizontal'), 'vertical'));
      }),
    );
  });

  it('rotateArbitrary(0) and resizeBilinear to the same size are identities', () => {
    fc.assert(
      fc.property(arbImage(), (img) => {
        expect(rotateArbitrary(img, 0)).toEqual(img);
        expect(resizeBilinear(img, img.width, img.height)).toEqual(img);
      }),
    );
  });

  it('compositing with mask 0 or opacity 0 is bit-identical to the backdrop; inputs are untouched', () => {
    fc.assert(
      fc.property(arbImage(8), fc.constantFrom(...BLEND_MODES), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (below, mode, seed) => {
        const layer = { ...below, data: below.data.map((v, i) => (v * 31 + seed + i) & 255) };
        const belowCopy = new Uint8ClampedArray(below.data);
        const layerCopy = new Uint8ClampedArray(layer.data);
        expect(compositeLayer(below, layer, { blendMode: mode, opacity: 1, mask: emptyMask(below.width, below.height) })).toEqual(below);
        expect(compositeLayer(below, layer, { blendMode: mode, opacity: 0 })).toEqual(below);
        compositeLayer(below, layer, { blendMode: mode, opacity: 0.5 });
        expect(below.data).toEqual(belowCopy);
        expect(layer.data).toEqual(layerCopy);
      }),
    );
  });

  it('output alpha of source-over is αs + αb(1 − αs) for every mode', () => {
    fc.assert(
      fc.property(arbImage(6), fc.constantFrom(...BLEND_MODES), fc.double({ min: 0, max: 1, noNaN: true }), (below, mode, opacity) => {
        const layer = { ...below, data: below.data.map((v) => 255 - v) };
        const out = compositeLayer(below, layer, { blendMode: mode, opacity });
        for (let p = 3; p < out.data.length; p += 4) {
          const as = ((layer.data[p] as number) / 255) * opacity;
          const ab = (below.data[p] as number) / 255;
          expect(Math.abs((out.data[p] as number) - (as + ab * (1 - as)) * 255)).toBeLessThanOrEqual(0.5 + 1e-9);
        }
      }),
    );
  });
});
