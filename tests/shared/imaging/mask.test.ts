import { describe, expect, it } from 'vitest';
import { emptyMask, featherMask, invertMask, paintStroke, resizeMask, type Mask } from '../../../shared/imaging/index.js';
import { copyOf, mask } from './helpers.js';

const at = (m: Mask, x: number, y: number) => m.data[y * m.width + x];
const sum = (m: Mask) => m.data.reduce((a, v) => a + v, 0);

describe('emptyMask / invertMask', () => {
  it('fills with a value (default 0)', () => {
    expect(emptyMask(3, 2)).toEqual(mask(3, 2, [0, 0, 0, 0, 0, 0]));
    expect(emptyMask(2, 2, 200)).toEqual(mask(2, 2, [200, 200, 200, 200]));
    expect(emptyMask(1, 1, 999).data[0]).toBe(255);
  });

  it('invert is 255 − v and returns a new mask', () => {
    const m = mask(4, 1, [0, 1, 128, 255]);
    const out = invertMask(m);
    expect(out).toEqual(mask(4, 1, [255, 254, 127, 0]));
    expect(m).toEqual(mask(4, 1, [0, 1, 128, 255]));
  });
});

describe('featherMask', () => {
  it('blurs an edge with sigma = radius/2', () => {
    // 40×2, 0 left of x = 20, 255 from x = 20; radius 4 → sigma 2: 255·(½ ± w0/2) = 152.96 / 102.04
    const values = Array.from({ length: 80 }, (_, i) => (i % 40 < 20 ? 0 : 255));
    const out = featherMask(mask(40, 2, values), 4);
    expect(at(out, 20, 0)).toBe(153);
    expect(at(out, 19, 1)).toBe(102);
    expect(at(out, 0, 0)).toBe(0);
    expect(at(out, 39, 1)).toBe(255);
  });

  it('radius 0 is an identical copy; uniform masks stay uniform', () => {
    const m = mask(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = featherMask(m, 0);
    expect(out).toEqual(m);
    expect(out.data).not.toBe(m.data);
    expect(featherMask(emptyMask(30, 20, 77), 25)).toEqual(emptyMask(30, 20, 77));
  });
});

describe('resizeMask', () => {
  it('resizes like resizeBilinear', () => {
    expect(resizeMask(mask(4, 1, [0, 100, 200, 255]), 2, 1)).toEqual(mask(2, 1, [50, 228]));
    expect(resizeMask(mask(2, 1, [0, 100]), 4, 1)).toEqual(mask(4, 1, [0, 25, 75, 100]));
    expect(resizeMask(mask(6, 1, [0, 30, 60, 90, 90, 90]), 2, 1)).toEqual(mask(2, 1, [30, 90]));
  });
});

describe('paintStroke', () => {
  const blank = () => emptyMask(100, 100);

  it('a hard dab fills a disc of diameter `size` with a 1 px anti-aliased rim', () => {
    const out = paintStroke(blank(), { points: [{ x: 50, y: 50 }], size: 10, hardness: 1, erase: false });
    expect(at(out, 50, 50)).toBe(255);
    expect(at(out, 53, 50)).toBe(255); // centre distance 3.54
    expect(at(out, 56, 50)).toBe(0); // 6.02
    expect(at(out, 44, 50)).toBe(0); // 5.52
    expect(sum(out) / 255).toBeCloseTo(Math.PI * 25, -0.5); // area ≈ π r²
  });

  it('hardness controls the falloff (smoothstep from hardness·r to r)', () => {
    // size 20, hardness 0, dab on a pixel centre: d = 5 → t = ½ → 0.5; d = 8 → 1 − 0.64·1.4 = 0.104
    const out = paintStroke(blank(), { points: [{ x: 50.5, y: 50.5 }], size: 20, hardness: 0, erase: false });
    expect(at(out, 50, 50)).toBe(255);
    expect(at(out, 55, 50)).toBe(128);
    expect(at(out, 50, 58)).toBe(27);
    expect(at(out, 61, 50)).toBe(0);
    // half hardness: full strength out to 5
    const half = paintStroke(blank(), { points: [{ x: 50.5, y: 50.5 }], size: 20, hardness: 0.5, erase: false });
    expect(at(half, 54, 50)).toBe(255);
    expect(at(half, 57, 50)).toBeLessThan(255);
    expect(at(half, 57, 50)).toBeGreaterThan(at(out, 57, 50) as number);
  });

  it('a stroke covers the whole polyline with dabs', () => {
    const out = paintStroke(blank(), {
      points: [{ x: 10, y: 50 }, { x: 90, y: 50 }, { x: 90, y: 80 }],
      size: 10,
      hardness: 1,
      erase: false,
    });
    for (let x = 10; x < 90; x++) for (let y = 46; y <= 53; y++) expect(at(out, x, y)).toBe(255);
    for (let y = 50; y < 80; y++) expect(at(out, 89, y)).toBe(255);
    for (let x = 0; x < 100; x++) expect(at(out, x, 57)).toBe(x >= 85 && x <= 94 ? 255 : 0);
    expect(at(out, 3, 50)).toBe(0);
    expect(at(out, 90, 87)).toBe(0);
  });

  it('flow scales the stroke; paint raises and erase lowers values', () => {
    const dab = { points: [{ x: 5, y: 5 }], size: 6, hardness: 1 };
    expect(at(paintStroke(emptyMask(10, 10), { ...dab, erase: false, flow: 0.5 }), 5, 5)).toBe(128);
    expect(at(paintStroke(emptyMask(10, 10, 100), { ...dab, erase: false, flow: 0.5 }), 5, 5)).toBe(178); // 100 + 155/2
    expect(at(paintStroke(emptyMask(10, 10, 200), { ...dab, erase: true, flow: 0.5 }), 5, 5)).toBe(100);
    const erased = paintStroke(emptyMask(10, 10, 255), { ...dab, erase: true });
    expect(at(erased, 5, 5)).toBe(0);
    expect(at(erased, 0, 0)).toBe(255);
  });

  it('overlapping dabs within one stroke do not build up; repeated strokes do', () => {
    const stroke = { points: [{ x: 20, y: 20 }, { x: 20.1, y: 20 }, { x: 20, y: 20 }], size: 8, hardness: 1, erase: false, flow: 0.5 };
    const once = paintStroke(emptyMask(40, 40), stroke);
    expect(at(once, 20, 20)).toBe(128);
    expect(at(paintStroke(once, stroke), 20, 20)).toBe(192); // 128 + (255 − 128)·½ = 191.5
  });

  it('no points, zero size or zero flow change nothing; input is not mutated', () => {
    const m = emptyMask(20, 20, 40);
    const before = copyOf(m);
    expect(paintStroke(m, { points: [], size: 5, hardness: 1, erase: false })).toEqual(m);
    expect(paintStroke(m, { points: [{ x: 3, y: 3 }], size: 0, hardness: 1, erase: false })).toEqual(m);
    expect(paintStroke(m, { points: [{ x: 3, y: 3 }], size: 5, hardness: 1, erase: false, flow: 0 })).toEqual(m);
    const out = paintStroke(m, { points: [{ x: 3, y: 3 }, { x: 15, y: 12 }], size: 5, hardness: 0.3, erase: false });
    expect(out.data).not.toBe(m.data);
    expect(m).toEqual(before);
    // dabs partly outside the mask are clipped
    expect(() => paintStroke(m, { points: [{ x: -30, y: 5 }, { x: 50, y: 5 }], size: 9, hardness: 1, erase: true })).not.toThrow();
  });
});
