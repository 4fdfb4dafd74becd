import { describe, expect, it } from 'vitest';
import { applyAdjustment, type Adjustment } from '../../../shared/imaging/index.js';
import { EVERY_ADJUSTMENT, alphaOf, copyOf, expectClose, image, noise, onePixel, pixel, ramp, solid } from './helpers.js';

const px = (r: number, g: number, b: number, a = 255) => onePixel([r, g, b, a]);
const adjust1 = (rgb: [number, number, number], adjustment: Adjustment, a = 255) => pixel(applyAdjustment(px(...rgb, a), adjustment), 0, 0);


describe('applyAdjustment: known pixels', () => {
  it('exposure multiplies linear light by 2^stops', () => {
    // 128 → linear 0.21586; ×2 = 0.43172 → sRGB 0.6897 → 176; ÷2 → 92
    expect(adjust1([128, 200, 10], { kind: 'exposure', stops: 1 })).toEqual([176, 255, 18, 255]);
    expect(adjust1([128, 128, 128], { kind: 'exposure', stops: -1 })).toEqual([92, 92, 92, 255]);
    expect(adjust1([0, 255, 0], { kind: 'exposure', stops: 3 })).toEqual([0, 255, 0, 255]);
  });

  it('brightness is a power curve that keeps black and white', () => {
    // +100: 255·(64/255)^0.5 = 127.75; −100: 255·(128/255)^2 = 64.25
    expect(adjust1([64, 0, 255], { kind: 'brightness', amount: 100 })).toEqual([128, 0, 255, 255]);
    expect(adjust1([128, 0, 255], { kind: 'brightness', amount: -100 })).toEqual([64, 0, 255, 255]);
  });

  it('contrast scales around mid-grey 127.5', () => {
    // +50 → ×2.5: 140 → 158.75, 100 → 58.75, 50 → −66.25
    expect(adjust1([140, 100, 50], { kind: 'contrast', amount: 50 })).toEqual([159, 59, 0, 255]);
    // −50 → ×0.5: 200 → 163.75, 100 → 113.75, 50 → 88.75
    expect(adjust1([200, 100, 50], { kind: 'contrast', amount: -50 })).toEqual([164, 114, 89, 255]);
    // −100 → flat grey
    expect(adjust1([0, 90, 255], { kind: 'contrast', amount: -100 })).toEqual([128, 128, 128, 255]);
  });

  it('saturation moves channels away from Rec.709 luma', () => {
    // Y(200,100,50) = 117.65
    expect(adjust1([200, 100, 50], { kind: 'saturation', amount: -100 })).toEqual([118, 118, 118, 255]);
    expect(adjust1([200, 100, 50], { kind: 'saturation', amount: 50 })).toEqual([241, 91, 16, 255]);
  });

  it('vibrance boosts muted colours, leaves saturated ones, protects skin', () => {
    expect(adjust1([100, 120, 140], { kind: 'vibrance', amount: 100 })).toEqual([86, 122, 159, 255]);
    expect(adjust1([255, 0, 0], { kind: 'vibrance', amount: 100 })).toEqual([255, 0, 0, 255]);
    expect(adjust1([100, 120, 140], { kind: 'vibrance', amount: -100 })).toEqual([114, 118, 121, 255]);
    // skin-ish (hue 22.5°): factor 1 + (1 − 80/255)·0.55
    expect(adjust1([200, 150, 120], { kind: 'vibrance', amount: 100 })).toEqual([216, 147, 105, 255]);
    expect(adjust1([200, 100, 50], { kind: 'vibrance', amount: 50 })).toEqual([210, 98, 42, 255]);
    // grey is untouched
    expect(adjust1([90, 90, 90], { kind: 'vibrance', amount: 100 })).toEqual([90, 90, 90, 255]);
  });

  it('temperature warms (red up, blue down) and tint goes magenta/green', () => {
    expect(adjust1([128, 128, 128], { kind: 'temperatureTint', temperature: 100, tint: 0 })).toEqual([144, 128, 108, 255]);
    expect(adjust1([128, 128, 128], { kind: 'temperatureTint', temperature: 0, tint: 100 })).toEqual([128, 112, 128, 255]);
    expect(adjust1([128, 128, 128], { kind: 'temperatureTint', temperature: -100, tint: -100 })).toEqual([108, 142, 144, 255]);
    expect(adjust1([12, 34, 56], { kind: 'temperatureTint', temperature: 0, tint: 0 })).toEqual([12, 34, 56, 255]);
  });

  it('hue rotates the HSL hue', () => {
    expect(adjust1([255, 0, 0], { kind: 'hue', degrees: 120 })).toEqual([0, 255, 0, 255]);
    expect(adjust1([255, 0, 0], { kind: 'hue', degrees: -120 })).toEqual([0, 0, 255, 255]);
    expect(adjust1([200, 100, 50], { kind: 'hue', degrees: 180 })).toEqual([50, 150, 200, 255]);
    expect(adjust1([200, 100, 50], { kind: 'hue', degrees: -90 })).toEqual([175, 50, 200, 255]);
    expect(adjust1([77, 77, 77], { kind: 'hue', degrees: 45 })).toEqual([77, 77, 77, 255]);
  });

  it('blackWhite uses Rec.709 luma', () => {
    // 0.2126·200 + 0.7152·100 + 0.0722·50 = 117.65
    expect(adjust1([200, 100, 50], { kind: 'blackWhite' })).toEqual([118, 118, 118, 255]);
    expect(adjust1([0, 255, 0], { kind: 'blackWhite' })).toEqual([182, 182, 182, 255]);
  });

  it('sepia blends to the classic matrix', () => {
    // (0.393·200 + 0.769·100 + 0.189·50, …) = (164.95, 146.8, 114.35)
    expect(adjust1([200, 100, 50], { kind: 'sepia', amount: 100 })).toEqual([165, 147, 114, 255]);
    expect(adjust1([200, 100, 50], { kind: 'sepia', amount: 50 })).toEqual([182, 123, 82, 255]);
    expect(adjust1([255, 255, 255], { kind: 'sepia', amount: 100 })).toEqual([255, 255, 239, 255]);
  });

  it('levels maps the input range, gamma and output range', () => {
    const lv = (inBlack: number, inWhite: number, gamma: number, outBlack: number, outWhite: number) =>
      ({ kind: 'levels', inBlack, inWhite, gamma, outBlack, outWhite }) as const;
    // (100 − 50)/150·255 = 85; (1/3)^(1/2)·255 = 147.2
    expect(adjust1([100, 40, 210], lv(50, 200, 1, 0, 255))).toEqual([85, 0, 255, 255]);
    expect(adjust1([100, 100, 100], lv(50, 200, 2, 0, 255))).toEqual([147, 147, 147, 255]);
    // output 20..220 at t = 0.5 → 120; inverted output
    expect(adjust1([125, 0, 250], lv(0, 250, 1, 20, 220))).toEqual([120, 20, 220, 255]);
    expect(adjust1([0, 255, 51], lv(0, 255, 1, 255, 0))).toEqual([255, 0, 204, 255]);
  });

  it('curve: Fritsch–Carlson monotone cubic through the points', () => {
    const points = [{ x: 0, y: 0 }, { x: 128, y: 200 }, { x: 255, y: 255 }];
    // tangents (1.5625, 0.99779, 0.43307); Hermite values at 32, 64, 96, 192, 230
    const out = applyAdjustment(image(6, 1, [[32, 64, 96], [128, 192, 230], [0, 255, 128], [50, 50, 50], [1, 2, 3], [250, 251, 252]]), {
      kind: 'curve',
      points,
    });
    expect(pixel(out, 0, 0)).toEqual([53, 109, 160, 255]);
    expect(pixel(out, 1, 0)).toEqual([200, 237, 246, 255]);
    expect(pixel(out, 2, 0)).toEqual([0, 255, 200, 255]);
    // flat outside the points, inverted curve
    const clampCurve: Adjustment = { kind: 'curve', points: [{ x: 50, y: 60 }, { x: 200, y: 180 }] };
    expect(adjust1([10, 50, 240], clampCurve)).toEqual([60, 60, 180, 255]);
    expect(adjust1([10, 50, 240], { kind: 'curve', points: [{ x: 0, y: 255 }, { x: 255, y: 0 }] })).toEqual([245, 205, 15, 255]);
  });

  it('curve never overshoots between monotone points', () => {
    const out = applyAdjustment(ramp(), {
      kind: 'curve',
      points: [{ x: 0, y: 0 }, { x: 60, y: 10 }, { x: 70, y: 240 }, { x: 255, y: 255 }],
    });
    let previous = -1;
    for (let x = 0; x < 256; x++) {
      const v = pixel(out, x, 0)[0] as number;
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
  });

  it('blur: a Gaussian with sigma = radius/2 (exact kernel for small radii)', () => {
    // 9×9 black with one white pixel; radius 2 → sigma 1: centre 255·w0² = 40.6, side 255·w0·w1 = 24.6
    const pixels = Array.from({ length: 81 }, (_, i) => (i === 40 ? [255, 255, 255] : [0, 0, 0]) as [number, number, number]);
    const out = applyAdjustment(image(9, 9, pixels), { kind: 'blur', radius: 2 });
    expect(pixel(out, 4, 4)).toEqual([41, 41, 41, 255]);
    expect(pixel(out, 5, 4)).toEqual([25, 25, 25, 255]);
    expect(pixel(out, 4, 3)).toEqual([25, 25, 25, 255]);
    expect(pixel(out, 5, 5)).toEqual([15, 15, 15, 255]);
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0, 255]);
  });

  it('blur: large radii (three box passes) approximate the Gaussian step response', () => {
    // 40×3, black left of x = 20, white from x = 20; radius 10 → sigma 5: 255·Φ(d/5)
    const pixels = Array.from({ length: 120 }, (_, i) => (i % 40 < 20 ? [0, 0, 0] : [255, 255, 255]) as [number, number, number]);
    const out = applyAdjustment(image(40, 3, pixels), { kind: 'blur', radius: 10 });
    expectClose(pixel(out, 20, 1), [138, 138, 138, 255], 4);
    expectClose(pixel(out, 25, 1), [220, 220, 220, 255], 4);
    expectClose(pixel(out, 15, 1), [47, 47, 47, 255], 4);
    // clamp-to-edge: the ends stay pure
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(out, 39, 2)).toEqual([255, 255, 255, 255]);
  });

  it('blur keeps a uniform image uniform, with either kernel', () => {
    const img = solid(30, 20, [37, 150, 220, 255]);
    for (const radius of [1, 4, 30]) expect(applyAdjustment(img, { kind: 'blur', radius }).data).toEqual(img.data);
  });

  it('blur weights colour by alpha: transparent neighbours do not darken', () => {
    // red opaque next to transparent black
    const img = image(4, 1, [[255, 0, 0, 255], [255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 0]]);
    const out = applyAdjustment(img, { kind: 'blur', radius: 3 });
    expect(pixel(out, 1, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(out, 2, 0)).toEqual([255, 0, 0, 0]);
  });

  it('blur and sharpen radii scale with the render scale', () => {
    const img = noise(40, 30, 7);
    for (const adj of [{ kind: 'blur', radius: 8 }, { kind: 'sharpen', amount: 200, radius: 4 }] as const) {
      const half = { ...adj, radius: adj.radius / 2 };
      expect(applyAdjustment(img, adj, { scale: 0.5 }).data).toEqual(applyAdjustment(img, half).data);
    }
  });

  it('sharpen is an unsharp mask: c + amount·(c − blur(c))', () => {
    // step 100 | 150, radius 2 (sigma 1): blur left of the edge = 100 + 50·0.30048 = 115.02
    const pixels = Array.from({ length: 24 }, (_, i) => (i % 8 < 4 ? [100, 100, 100] : [150, 150, 150]) as [number, number, number]);
    const out = applyAdjustment(image(8, 3, pixels), { kind: 'sharpen', amount: 100, radius: 2 });
    expect(pixel(out, 3, 1)).toEqual([85, 85, 85, 255]);
    expect(pixel(out, 4, 1)).toEqual([165, 165, 165, 255]);
    expect(pixel(out, 0, 1)).toEqual([100, 100, 100, 255]);
    expect(pixel(out, 7, 0)).toEqual([150, 150, 150, 255]);
  });
});

describe('applyAdjustment: identities', () => {
  const img = noise(37, 23, 3);
  const identities: Adjustment[] = [
    { kind: 'exposure', stops: 0 },
    { kind: 'brightness', amount: 0 },
    { kind: 'contrast', amount: 0 },
    { kind: 'saturation', amount: 0 },
    { kind: 'vibrance', amount: 0 },
    { kind: 'temperatureTint', temperature: 0, tint: 0 },
    { kind: 'hue', degrees: 0 },
    { kind: 'hue', degrees: 360 },
    { kind: 'sepia', amount: 0 },
    { kind: 'blur', radius: 0 },
    { kind: 'sharpen', amount: 0, radius: 3 },
    { kind: 'levels', inBlack: 0, inWhite: 255, gamma: 1, outBlack: 0, outWhite: 255 },
    { kind: 'curve', points: [{ x: 0, y: 0 }, { x: 255, y: 255 }] },
    { kind: 'curve', points: [{ x: 0, y: 0 }, { x: 64, y: 64 }, { x: 200, y: 200 }, { x: 255, y: 255 }] },
  ];
  for (const adjustment of identities) {
    it(`${JSON.stringify(adjustment)} returns identical pixels in a new image`, () => {
      const out = applyAdjustment(img, adjustment);
      expect(out.data).toEqual(img.data);
      expect(out.data).not.toBe(img.data);
      expect([out.width, out.height]).toEqual([img.width, img.height]);
    });
  }

  it('a tiny sharpen radius changes nothing visible', () => {
    expect(applyAdjustment(img, { kind: 'sharpen', amount: 500, radius: 0.1 }).data).toEqual(img.data);
  });

  it('blackWhite of a grey image, and hue of a grey image, are identities', () => {
    const grey = ramp();
    expect(applyAdjustment(grey, { kind: 'blackWhite' }).data).toEqual(grey.data);
    expect(applyAdjustment(grey, { kind: 'hue', degrees: 123 }).data).toEqual(grey.data);
  });
});

describe('applyAdjustment: alpha and immutability', () => {
  const img = noise(21, 17, 11);
  for (const adjustment of EVERY_ADJUSTMENT) {
    it(`${adjustment.kind} ${JSON.stringify(adjustment)} preserves alpha and does not mutate its input`, () => {
      const before = copyOf(img);
      const out = applyAdjustment(img, adjustment, { scale: 0.75 });
      expect(img.data).toEqual(before.data);
      expect(alphaOf(out)).toEqual(alphaOf(img));
      expect(out.data).not.toBe(img.data);
      expect(out.data.length).toBe(img.data.length);
    });
  }

  it('is deterministic', () => {
    for (const adjustment of EVERY_ADJUSTMENT) {
      expect(applyAdjustment(img, adjustment).data).toEqual(applyAdjustment(img, adjustment).data);
    }
  });

  it('rejects a bad scale and malformed images', () => {
    expect(() => applyAdjustment(img, { kind: 'blur', radius: 2 }, { scale: 0 })).toThrow(RangeError);
    expect(() => applyAdjustment({ width: 2, height: 2, data: new Uint8ClampedArray(3) }, { kind: 'blackWhite' })).toThrow(RangeError);
  });

  it('handles an empty image', () => {
    const empty = { width: 0, height: 0, data: new Uint8ClampedArray(0) };
    for (const adjustment of EVERY_ADJUSTMENT) expect(applyAdjustment(empty, adjustment).data.length).toBe(0);
  });
});
