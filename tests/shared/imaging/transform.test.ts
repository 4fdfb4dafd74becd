import { describe, expect, it } from 'vitest';
import { crop, flip, resizeBilinear, rotate90, rotateArbitrary, straightenZoom } from '../../../shared/imaging/index.js';
import { alphaOf, copyOf, image, noise, pixel, solid, type Px } from './helpers.js';

/** 3×2:  A B C / D E F */
const A: Px = [10, 0, 0, 255];
const B: Px = [20, 0, 0, 250];
const C: Px = [30, 0, 0, 245];
const D: Px = [40, 0, 0, 240];
const E: Px = [50, 0, 0, 235];
const F: Px = [60, 0, 0, 230];
const grid = () => image(3, 2, [A, B, C, D, E, F]);

describe('crop', () => {
  it('cuts out the rect', () => {
    const out = crop(grid(), { x: 1, y: 0, width: 2, height: 2 });
    expect(out).toEqual(image(2, 2, [B, C, E, F]));
    expect(crop(grid(), { x: 0, y: 1, width: 3, height: 1 })).toEqual(image(3, 1, [D, E, F]));
  });

  it('rounds edges to whole pixels and clips to the image', () => {
    expect(crop(grid(), { x: 0.6, y: -5, width: 1.2, height: 6.4 })).toEqual(image(1, 1, [B]));
    expect(crop(grid(), { x: 2, y: 1, width: 10, height: 10 })).toEqual(image(1, 1, [F]));
  });

  it('rejects a rect outside the image', () => {
    expect(() => crop(grid(), { x: 3, y: 0, width: 2, height: 2 })).toThrow(RangeError);
    expect(() => crop(grid(), { x: 0, y: 0, width: Number.NaN, height: 2 })).toThrow(RangeError);
  });
});

describe('flip', () => {
  it('horizontal mirrors each row', () => {
    expect(flip(grid(), 'horizontal')).toEqual(image(3, 2, [C, B, A, F, E, D]));
  });
  it('vertical mirrors the rows', () => {
    expect(flip(grid(), 'vertical')).toEqual(image(3, 2, [D, E, F, A, B, C]));
  });
  it('works on an unaligned view of a buffer', () => {
    const backing = new Uint8ClampedArray(3 * 2 * 4 + 1);
    backing.set(grid().data, 1);
    const view = { width: 3, height: 2, data: backing.subarray(1) };
    expect(flip(view, 'horizontal')).toEqual(image(3, 2, [C, B, A, F, E, D]));
  });
});

describe('rotate90', () => {
  it('one quarter turn is clockwise', () => {
    // A B C      D A
    // D E F  →   E B
    //            F C
    expect(rotate90(grid(), 1)).toEqual(image(2, 3, [D, A, E, B, F, C]));
  });
  it('minus one (or three) quarter turns is counter-clockwise', () => {
    const expected = image(2, 3, [C, F, B, E, A, D]);
    expect(rotate90(grid(), -1)).toEqual(expected);
    expect(rotate90(grid(), 3)).toEqual(expected);
  });
  it('two quarter turns is a half turn', () => {
    expect(rotate90(grid(), 2)).toEqual(image(3, 2, [F, E, D, C, B, A]));
    expect(rotate90(grid(), 0)).toEqual(grid());
  });
});

describe('rotateArbitrary', () => {
  it('0° is the identity, 180° is a half turn, 90° of a square is rotate90', () => {
    const img = noise(9, 7, 2);
    expect(rotateArbitrary(img, 0).data).toEqual(img.data);
    expect(rotateArbitrary(img, 360).data).toEqual(img.data);
    expect(rotateArbitrary(img, 180).data).toEqual(rotate90(img, 2).data);
    const square = noise(8, 8, 3);
    expect(rotateArbitrary(square, 90).data).toEqual(rotate90(square, 1).data);
    expect(rotateArbitrary(square, -90).data).toEqual(rotate90(square, -1).data);
  });

  it('zooms so no empty corners appear', () => {
    expect(straightenZoom(100, 100, 45)).toBeCloseTo(Math.SQRT2, 12);
    expect(straightenZoom(300, 200, 0)).toBe(1);
    // W = 300, H = 200, 10°: max((300c + 200s)/300, (300s + 200c)/200)
    const c = Math.cos((10 * Math.PI) / 180);
    const s = Math.sin((10 * Math.PI) / 180);
    expect(straightenZoom(300, 200, 10)).toBeCloseTo(Math.max((300 * c + 200 * s) / 300, (300 * s + 200 * c) / 200), 12);
    // the kernel's own sin/cos (no Math.sin) agrees with Math at many angles
    for (let degrees = -720; degrees <= 720; degrees += 7.3) {
      const ac = Math.abs(Math.cos((degrees * Math.PI) / 180));
      const as = Math.abs(Math.sin((degrees * Math.PI) / 180));
      expect(straightenZoom(300, 200, degrees)).toBeCloseTo(Math.max((300 * ac + 200 * as) / 300, (300 * as + 200 * ac) / 200), 12);
    }
    // a uniform opaque image stays uniform and opaque at any angle
    const img = solid(40, 30, [90, 120, 150, 255]);
    for (const degrees of [3, -7.5, 33, 45, 137]) expect(rotateArbitrary(img, degrees).data).toEqual(img.data);
  });

  it('rotates content clockwise for positive angles', () => {
    // a bright dot right of centre moves down (clockwise on screen) at +30°
    const pixels: Px[] = Array.from({ length: 41 * 41 }, () => [0, 0, 0, 255]);
    for (let y = 19; y <= 21; y++) for (let x = 29; x <= 31; x++) pixels[y * 41 + x] = [255, 255, 255, 255];
    const out = rotateArbitrary(image(41, 41, pixels), 30);
    // centre (20.5, 20.5); dot at (10, 0) from centre → rotated by 30° → (8.66, 5) → ×zoom 1.366 → (11.83, 6.83)
    expect(pixel(out, 32, 27)[0]).toBeGreaterThan(200);
    expect(pixel(out, 30, 20)[0]).toBe(0);
  });

  it('preserves the size and does not mutate its input', () => {
    const img = noise(13, 11, 5);
    const before = copyOf(img);
    const out = rotateArbitrary(img, 12.5);
    expect([out.width, out.height]).toEqual([13, 11]);
    expect(img.data).toEqual(before.data);
  });
});

describe('resizeBilinear', () => {
  it('same size is an identical copy', () => {
    const img = noise(10, 6, 1);
    const out = resizeBilinear(img, 10, 6);
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
  });

  it('halving averages 2×2 blocks (pixel centres aligned)', () => {
    const img = image(4, 2, [[0, 0, 0], [100, 40, 0], [200, 0, 0], [250, 0, 0], [20, 40, 0], [40, 0, 0], [0, 0, 0], [50, 0, 0]]);
    const out = resizeBilinear(img, 2, 1);
    expect(pixel(out, 0, 0)).toEqual([40, 20, 0, 255]); // (0 + 100 + 20 + 40)/4
    expect(pixel(out, 1, 0)).toEqual([125, 0, 0, 255]); // (200 + 250 + 0 + 50)/4
  });

  it('reducing by more than 2× averages the covered area', () => {
    // 6×3 → 2×1: each output pixel is the mean of a 3×3 block
    const pixels: Px[] = [];
    for (let y = 0; y < 3; y++) for (let x = 0; x < 6; x++) pixels.push([x < 3 ? 9 * (y * 3 + x) : 90, 0, 0, 255]);
    const out = resizeBilinear(image(6, 3, pixels), 2, 1);
    expect(pixel(out, 0, 0)).toEqual([36, 0, 0, 255]); // 9·(0+1+…+8)/9
    expect(pixel(out, 1, 0)).toEqual([90, 0, 0, 255]);
    // 1 white pixel in a 10×10 black square → 1×1 grey 255/100
    const dot: Px[] = Array.from({ length: 100 }, (_, i) => (i === 55 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    expect(pixel(resizeBilinear(image(10, 10, dot), 1, 1), 0, 0)).toEqual([3, 3, 3, 255]);
    // 5 → 2 (2.5×): fractional coverage, weights 1, 1, ½ over 2.5
    const row = image(5, 1, [[0, 0, 0], [50, 0, 0], [100, 0, 0], [150, 0, 0], [200, 0, 0]]);
    expect(pixel(resizeBilinear(row, 2, 1), 0, 0)).toEqual([40, 0, 0, 255]); // (0 + 50 + 50)/2.5
    expect(pixel(resizeBilinear(row, 2, 1), 1, 0)).toEqual([160, 0, 0, 255]); // (50 + 150 + 200)/2.5
  });

  it('upscaling interpolates between pixel centres', () => {
    const out = resizeBilinear(image(2, 1, [[0, 0, 0], [100, 200, 0]]), 4, 1);
    expect([0, 1, 2, 3].map((x) => pixel(out, x, 0))).toEqual([
      [0, 0, 0, 255],
      [25, 50, 0, 255],
      [75, 150, 0, 255],
      [100, 200, 0, 255],
    ]);
  });

  it('uses premultiplied alpha: transparent pixels do not darken', () => {
    const out = resizeBilinear(image(2, 1, [[255, 0, 0, 255], [0, 0, 255, 0]]), 1, 1);
    expect(pixel(out, 0, 0)).toEqual([255, 0, 0, 128]);
    expect(alphaOf(resizeBilinear(solid(9, 9, [1, 2, 3, 77]), 3, 2))).toEqual([77, 77, 77, 77, 77, 77]);
  });

  it('keeps uniform images uniform at any size and does not mutate its input', () => {
    const img = solid(17, 13, [10, 200, 33, 255]);
    const before = copyOf(img);
    for (const [w, h] of [[5, 4], [40, 31], [1, 1], [17, 3]] as const) {
      expect(resizeBilinear(img, w, h)).toEqual(solid(w, h, [10, 200, 33, 255]));
    }
    expect(img).toEqual(before);
  });
});
