import { describe, expect, it } from 'vitest';
import {
  BLEND_MODES,
  applyAdjustment,
  applyAdjustmentLayer,
  compositeLayer,
  emptyMask,
  type Adjustment,
  type BlendMode,
} from '../../../shared/imaging/index.js';
import { EVERY_ADJUSTMENT, copyOf, expectClose, image, mask, noise, onePixel, pixel } from './helpers.js';

const BELOW = onePixel([100, 200, 250, 255]);
const LAYER = onePixel([200, 100, 50, 255]);
const blend1 = (mode: BlendMode, below = BELOW, layer = LAYER, opacity = 1) =>
  pixel(compositeLayer(below, layer, { blendMode: mode, opacity }), 0, 0);

/**
 * Expected values from the W3C formulas, layer (200,100,50) over below (100,200,250), both opaque
 * (so the result is B(Cb, Cs)), and the same with the roles swapped, and a third pair.
 */
const EXPECTED: Record<BlendMode, { over: number[]; swapped: number[]; other: number[] }> = {
  normal: { over: [200, 100, 50], swapped: [100, 200, 250], other: [240, 20, 120] },
  // Cb·Cs: 100·200/255 = 78.4, 200·100/255 = 78.4, 250·50/255 = 49.0
  multiply: { over: [78, 78, 49], swapped: [78, 78, 49], other: [28, 5, 42] },
  // Cb + Cs − Cb·Cs
  screen: { over: [222, 222, 251], swapped: [222, 222, 251], other: [242, 75, 168] },
  // HardLight(Cs, Cb): 2·Cb·Cs for Cb ≤ ½ else screen(Cs, 2Cb − 1)
  overlay: { over: [157, 188, 247], swapped: [188, 157, 98], other: [56, 9, 85] },
  // W3C soft-light with D(Cb) = √Cb above ¼
  softLight: { over: [134, 191, 247], swapped: [191, 134, 111], other: [78, 21, 87] },
  // SetLum(Cs, Lum(Cb)) with ClipColor
  color: { over: [251, 151, 101], swapped: [49, 149, 199], other: [155, 0, 71] },
  // SetLum(Cb, Lum(Cs))
  luminosity: { over: [49, 149, 199], swapped: [251, 151, 101], other: [73, 103, 133] },
};

describe('compositeLayer: blend modes (W3C formulas)', () => {
  for (const mode of BLEND_MODES) {
    it(`${mode}`, () => {
      const e = EXPECTED[mode];
      expect(blend1(mode)).toEqual([...e.over, 255]);
      expect(blend1(mode, LAYER, BELOW)).toEqual([...e.swapped, 255]);
      expect(blend1(mode, onePixel([30, 60, 90]), onePixel([240, 20, 120]))).toEqual([...e.other, 255]);
    });
  }

  it('multiply with white and screen with black are identities; multiply with black is black', () => {
    const img = noise(16, 16, 5, true);
    expect(compositeLayer(img, { ...img, data: new Uint8ClampedArray(img.data.length).fill(255) }, { blendMode: 'multiply', opacity: 1 }).data).toEqual(img.data);
    const black = image(1, 1, [[0, 0, 0]]);
    expect(blend1('screen', BELOW, black)).toEqual([100, 200, 250, 255]);
    expect(blend1('multiply', BELOW, black)).toEqual([0, 0, 0, 255]);
  });
});

describe('compositeLayer: alpha, opacity and mask', () => {
  it('opacity 0.5 in normal mode gives the midpoint', () => {
    expect(blend1('normal', BELOW, LAYER, 0.5)).toEqual([150, 150, 150, 255]);
  });

  it('opacity 0.5 mixes the blend result with the backdrop', () => {
    // multiply: (78.43 + 100)/2 = 89.2, (78.43 + 200)/2 = 139.2, (49.02 + 250)/2 = 149.5
    expect(blend1('multiply', BELOW, LAYER, 128 / 255)).toEqual([89, 139, 149, 255]);
    expect(blend1('multiply', BELOW, onePixel([200, 100, 50, 128]))).toEqual([89, 139, 149, 255]);
  });

  it('source-over with a semi-transparent layer over a semi-transparent backdrop', () => {
    // αs = αb = 128/255; αo = 0.7520 → 192; red = αs/αo = 0.6675 → 170; blue = (1−αs)αb/αo → 85
    const out = pixel(compositeLayer(onePixel([0, 0, 255, 128]), onePixel([255, 0, 0, 128]), { blendMode: 'normal', opacity: 1 }), 0, 0);
    expect(out).toEqual([170, 0, 85, 192]);
  });

  it('blending only applies where the backdrop is opaque (αs·(1 − αb)·Cs term)', () => {
    // multiply, opaque layer over αb = 64/255: (1 − αb)·Cs + αb·Cb·Cs
    expect(blend1('multiply', onePixel([100, 200, 250, 64]), LAYER)).toEqual([169, 95, 50, 255]);
    // over fully transparent: the layer itself, for every mode
    for (const mode of BLEND_MODES) expect(blend1(mode, onePixel([9, 99, 199, 0]), LAYER)).toEqual([200, 100, 50, 255]);
  });

  it('mask 0, opacity 0 and a transparent layer leave the pixels below bit-identical', () => {
    const below = noise(24, 18, 1);
    const layer = noise(24, 18, 2);
    for (const mode of BLEND_MODES) {
      expect(compositeLayer(below, layer, { blendMode: mode, opacity: 1, mask: emptyMask(24, 18, 0) }).data).toEqual(below.data);
      expect(compositeLayer(below, layer, { blendMode: mode, opacity: 0 }).data).toEqual(below.data);
      const clear = { ...layer, data: layer.data.map((v, i) => (i % 4 === 3 ? 0 : v)) };
      expect(compositeLayer(below, clear, { blendMode: mode, opacity: 1 }).data).toEqual(below.data);
    }
  });

  it('the mask scales the layer per pixel', () => {
    const below = image(3, 1, [[100, 200, 250], [100, 200, 250], [100, 200, 250]]);
    const layer = image(3, 1, [[200, 100, 50], [200, 100, 50], [200, 100, 50]]);
    const out = compositeLayer(below, layer, { blendMode: 'normal', opacity: 1, mask: mask(3, 1, [0, 255, 128]) });
    expect(pixel(out, 0, 0)).toEqual([100, 200, 250, 255]);
    expect(pixel(out, 1, 0)).toEqual([200, 100, 50, 255]);
    expect(pixel(out, 2, 0)).toEqual([150, 150, 150, 255]);
  });

  it('an opaque normal layer at full opacity replaces the pixels', () => {
    const below = noise(10, 10, 3);
    const layer = noise(10, 10, 4, true);
    expect(compositeLayer(below, layer, { blendMode: 'normal', opacity: 1 }).data).toEqual(layer.data);
  });

  it('never mutates its inputs', () => {
    const below = noise(12, 9, 1);
    const layer = noise(12, 9, 2);
    const m = { width: 12, height: 9, data: noise(12, 9, 3).data.slice(0, 108) };
    const copies = [copyOf(below), copyOf(layer), copyOf(m)];
    for (const mode of BLEND_MODES) {
      const out = compositeLayer(below, layer, { blendMode: mode, opacity: 0.7, mask: m });
      expect(out.data).not.toBe(below.data);
    }
    expect([below.data, layer.data, m.data]).toEqual(copies.map((c) => c.data));
  });

  it('rejects mismatched sizes and bad opacity', () => {
    const a = noise(4, 4);
    expect(() => compositeLayer(a, noise(4, 5), { blendMode: 'normal', opacity: 1 })).toThrow(RangeError);
    expect(() => compositeLayer(a, a, { blendMode: 'normal', opacity: 1, mask: emptyMask(3, 4) })).toThrow(RangeError);
    expect(() => compositeLayer(a, a, { blendMode: 'normal', opacity: 1.5 })).toThrow(RangeError);
  });
});

describe('applyAdjustmentLayer', () => {
  const opaque = noise(20, 14, 9, true);

  it('at full strength equals the adjustment itself', () => {
    for (const adjustment of EVERY_ADJUSTMENT) {
      expect(applyAdjustmentLayer(opaque, adjustment, { opacity: 1 }).data).toEqual(applyAdjustment(opaque, adjustment).data);
    }
  });

  it('on an opaque backdrop equals compositing the adjusted image over it', () => {
    const m = { width: 20, height: 14, data: noise(20, 14, 1).data.slice(0, 280) };
    for (const mode of BLEND_MODES) {
      const adjustment: Adjustment = { kind: 'curve', points: [{ x: 0, y: 30 }, { x: 255, y: 200 }] };
      const viaLayer = applyAdjustmentLayer(opaque, adjustment, { opacity: 0.6, blendMode: mode, mask: m });
      const viaComposite = compositeLayer(opaque, applyAdjustment(opaque, adjustment), { opacity: 0.6, blendMode: mode, mask: m });
      expect(viaLayer.data).toEqual(viaComposite.data);
    }
  });

  it('opacity 0.5 gives the midpoint between original and adjusted', () => {
    // sepia of (200,100,50) = (165,147,114); midpoint with the original = (182.5, 123.5, 82)
    const out = applyAdjustmentLayer(onePixel([200, 100, 50]), { kind: 'sepia', amount: 100 }, { opacity: 0.5 });
    expectClose(pixel(out, 0, 0), [182.5, 123.5, 82, 255], 0.5);
    // contrast +100 of 100 → 17.5 → 18; midpoint (100 + 18)/2 = 59
    const c = applyAdjustmentLayer(onePixel([100, 100, 100]), { kind: 'contrast', amount: 100 }, { opacity: 0.5 });
    expect(pixel(c, 0, 0)).toEqual([59, 59, 59, 255]);
  });

  it('keeps the backdrop alpha and adjusts semi-transparent pixels fully', () => {
    const below = image(2, 1, [[200, 100, 50, 77], [10, 20, 30, 0]]);
    const out = applyAdjustmentLayer(below, { kind: 'blackWhite' }, { opacity: 1 });
    expect(pixel(out, 0, 0)).toEqual([118, 118, 118, 77]);
    expect(pixel(out, 1, 0)).toEqual([10, 20, 30, 0]);
  });

  it('mask 0 or opacity 0 leaves the pixels bit-identical; inputs are not mutated', () => {
    const below = noise(20, 14, 2);
    const before = copyOf(below);
    for (const adjustment of EVERY_ADJUSTMENT) {
      expect(applyAdjustmentLayer(below, adjustment, { opacity: 1, mask: emptyMask(20, 14) }).data).toEqual(below.data);
      expect(applyAdjustmentLayer(below, adjustment, { opacity: 0 }).data).toEqual(below.data);
    }
    expect(below.data).toEqual(before.data);
  });

  it('passes the render scale to spatial adjustments', () => {
    const img = noise(30, 20, 4, true);
    const full = applyAdjustmentLayer(img, { kind: 'blur', radius: 4 }, { scale: 0.5 });
    expect(full.data).toEqual(applyAdjustment(img, { kind: 'blur', radius: 2 }).data);
  });
});
