import { describe, expect, it } from 'vitest';
import { AdjustmentSchema } from '../../../shared/contract/document.js';
import { applyAdjustment, rotateArbitrary, type RgbaImage } from '../../../shared/imaging/index.js';
import {
  deblock,
  denoise,
  detectDefects,
  estimateNoise,
  estimateTilt,
  inpaint,
  measureAutoLevels,
  measureBlockiness,
  measureColourCast,
  measureFade,
  removeDefects,
} from '../../../shared/imaging/restore.js';
import { gaussian, mapPixels as map, psnr as psnrOf, random } from '../../../bench/quality/measures.js';
import { pixel } from './helpers.js';

/** A smooth scene: a diagonal colour gradient with a few soft shapes, opaque. */
function scene(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const t = (x + y) / (width + height);
      const blob = Math.exp(-((x - width * 0.6) ** 2 + (y - height * 0.4) ** 2) / (2 * (width / 6) ** 2));
      data[p] = 30 + 190 * t + 20 * blob;
      data[p + 1] = 40 + 150 * t + 40 * blob;
      data[p + 2] = 60 + 120 * (1 - t) + 10 * blob;
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}

function withNoise(image: RgbaImage, sigma: number, seed = 3): RgbaImage {
  const g = gaussian(seed);
  const data = new Uint8ClampedArray(image.data);
  for (let p = 0; p < data.length; p += 4) for (let c = 0; c < 3; c++) data[p + c] = (data[p + c] as number) + sigma * g();
  return { ...image, data };
}

/** Identical images score Infinity here. */
const psnr = (a: RgbaImage, b: RgbaImage, mask?: Uint8ClampedArray) => psnrOf(a, b, mask, Infinity);

describe('channel levels (the adjustment colour-cast removal writes)', () => {
  it('maps each channel through its own black, white and gamma', () => {
    const image: RgbaImage = { width: 1, height: 1, data: Uint8ClampedArray.from([100, 100, 100, 200]) };
    const out = applyAdjustment(image, {
      kind: 'channelLevels',
      redBlack: 0,
      redWhite: 200,
      redGamma: 1,
      greenBlack: 50,
      greenWhite: 255,
      greenGamma: 1,
      blueBlack: 0,
      blueWhite: 255,
      blueGamma: 2,
    });
    expect(pixel(out, 0, 0)).toEqual([128, 62, 160, 200]);
  });

  it('is validated by the contract: black below white, gamma in range', () => {
    const ok = { kind: 'channelLevels', redBlack: 0, redWhite: 255, redGamma: 1, greenBlack: 0, greenWhite: 255, greenGamma: 1, blueBlack: 0, blueWhite: 255, blueGamma: 1 };
    expect(AdjustmentSchema.safeParse(ok).success).toBe(true);
    expect(AdjustmentSchema.safeParse({ ...ok, blueBlack: 255, blueWhite: 200 }).success).toBe(false);
    expect(AdjustmentSchema.safeParse({ ...ok, redGamma: 0 }).success).toBe(false);
  });
});

describe('tone measurements', () => {
  /** A diagonal grey-to-colour ramp spanning `lo`..`hi` in every channel. */
  function ramp(lo: number, hi: number): RgbaImage {
    return map(scene(120, 80), (r, g, b) => {
      const f = (v: number, min: number, max: number) => lo + ((v - min) / (max - min)) * (hi - lo);
      return [f(r, 30, 240), f(g, 40, 230), f(b, 60, 180)];
    });
  }

  it('auto levels stretch a faded photo and leave a full-range one alone', () => {
    const levels = measureAutoLevels(ramp(80, 190));
    expect(levels).toMatchObject({ kind: 'levels', gamma: 1, outBlack: 0, outWhite: 255 });
    if (levels?.kind !== 'levels') throw new Error('no levels');
    expect(levels.inBlack).toBeGreaterThanOrEqual(80);
    expect(levels.inBlack).toBeLessThanOrEqual(85);
    expect(levels.inWhite).toBeGreaterThanOrEqual(185);
    expect(levels.inWhite).toBeLessThanOrEqual(190);
    expect(measureAutoLevels(ramp(0, 255))).toBeNull();
    expect(measureAutoLevels({ width: 4, height: 4, data: new Uint8ClampedArray(64).fill(128) })).toBeNull();
  });

  it('auto levels keep a low-key photo unless asked', () => {
    expect(measureAutoLevels(ramp(0, 180))).toBeNull();
    const forced = measureAutoLevels(ramp(0, 180), { force: true });
    expect(forced?.kind === 'levels' && forced.inBlack).toBeLessThanOrEqual(5);
    expect(forced?.kind === 'levels' && forced.inWhite).toBeGreaterThanOrEqual(175);
  });

  it('removes most of a yellow cast from a scene with grey in it, and leaves the scene alone without one', () => {
    // Grey card bands across a colourful gradient.
    const base = scene(160, 100);
    for (let y = 30; y < 70; y++) for (let x = 0; x < 160; x++) base.data.set([120 + x / 2, 120 + x / 2, 120 + x / 2], (y * 160 + x) * 4);
    expect(measureColourCast(base)).toBeNull();
    const yellow = map(base, (r, g, b) => [r, g * 0.94, b * 0.74]);
    const fix = measureColourCast(yellow);
    expect(fix?.kind).toBe('channelLevels');
    const fixed = applyAdjustment(yellow, fix!);
    const chroma = (image: RgbaImage) => {
      const [r, g, b] = pixel(image, 100, 50);
      return Math.max(r!, g!, b!) - Math.min(r!, g!, b!);
    };
    expect(chroma(yellow)).toBeGreaterThan(40);
    expect(chroma(fixed)).toBeLessThan(12);
    expect(psnr(base, fixed)).toBeGreaterThan(psnr(base, yellow) + 6);
  });

  it('boosts the saturation of a faded colour photo, never of a black-and-white one', () => {
    const dull = map(scene(80, 60), (r, g, b) => {
      const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      return [y + (r - y) * 0.3, y + (g - y) * 0.3, y + (b - y) * 0.3];
    });
    expect(measureFade(dull)).toMatchObject({ kind: 'saturation' });
    expect(measureFade(applyAdjustment(scene(80, 60), { kind: 'blackWhite' }))).toBeNull();
  });
});

describe('noise', () => {
  it('estimates the noise of a smooth scene within a few levels', () => {
    expect(estimateNoise(scene(256, 192))).toBeLessThan(1);
    // Independent RGB noise of σ shows in luma as about 0.75σ; the estimate reads luma.
    for (const sigma of [5, 10, 20]) {
      const estimate = estimateNoise(withNoise(scene(256, 192), sigma));
      expect(estimate).toBeGreaterThan(0.5 * sigma);
      expect(estimate).toBeLessThan(1.0 * sigma);
    }
  });

  it('denoises (PSNR up by more than 6 dB), keeps alpha and is deterministic', () => {
    const clean = scene(200, 150);
    const noisy = withNoise(clean, 15);
    for (let i = 3; i < noisy.data.length; i += 40) noisy.data[i] = 128;
    const sigma = estimateNoise(noisy);
    const out = denoise(noisy, { sigma });
    expect(psnr(clean, out)).toBeGreaterThan(psnr(clean, noisy) + 6);
    for (let i = 3; i < out.data.length; i += 4) expect(out.data[i]).toBe(noisy.data[i]);
    expect(Buffer.from(denoise(noisy, { sigma }).data).equals(Buffer.from(out.data))).toBe(true);
  });

  it('handles degenerate sizes', () => {
    for (const [w, h] of [
      [1, 1],
      [20_000, 1],
      [1, 300],
      [3, 2],
    ] as const) {
      const image = withNoise({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(128) }, 10);
      expect(denoise(image, { sigma: 10 }).data.length).toBe(w * h * 4);
      expect(estimateNoise(image)).toBeGreaterThanOrEqual(0);
      expect(detectDefects(image).pixels).toBeGreaterThanOrEqual(0);
      expect(measureBlockiness(image).ratio).toBeGreaterThan(0);
    }
    expect(() => denoise(scene(4, 4), { sigma: -1 })).toThrow(RangeError);
    expect(denoise(scene(0, 0), { sigma: 5 }).data.length).toBe(0);
  });
});

describe('dust and scratches', () => {
  function damaged(): { clean: RgbaImage; image: RgbaImage; mask: Uint8ClampedArray } {
    const clean = scene(300, 200);
    const data = new Uint8ClampedArray(clean.data);
    const mask = new Uint8ClampedArray(300 * 200);
    const set = (x: number, y: number, v: number) => {
      data.set([v, v, v], (y * 300 + x) * 4);
      mask[y * 300 + x] = 255;
    };
    for (let y = 10; y < 190; y++) set(150 + Math.round((y - 100) * 0.05), y, 245); // a long bright scratch
    for (const [cx, cy] of [
      [40, 40],
      [80, 150],
      [250, 60],
      [220, 170],
    ] as const) {
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) set(cx + dx, cy + dy, 15); // dark specks
    }
    return { clean, image: { ...clean, data }, mask };
  }

  it('finds a scratch and specks on a calm photo and repairs them', () => {
    const { clean, image, mask } = damaged();
    const found = removeDefects(image);
    expect(found.scratches).toBe(1);
    expect(found.dust).toBe(4);
    let covered = 0;
    let total = 0;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      total++;
      if (found.mask.data[i]) covered++;
    }
    expect(covered / total).toBeGreaterThan(0.95);
    expect(found.pixels).toBeLessThan(total * 4);
    expect(psnr(clean, found.repaired, mask)).toBeGreaterThan(psnr(clean, image, mask) + 15);
    // The patch layer holds only repaired pixels; the rest is transparent.
    for (let i = 0; i < mask.length; i++) if (!found.mask.data[i]) expect(found.patch.data[i * 4 + 3]).toBe(0);
  });

  it('leaves fine texture alone', () => {
    const r = random(5);
    const texture = map(scene(200, 200), (red, g, b) => {
      const v = r() < 0.3 ? 60 : 0;
      return [red + v, g + v, b + v];
    });
    expect(detectDefects(texture).pixels).toBeLessThan(200 * 200 * 0.01);
  });

  it('inpaints a hole in a gradient from its surroundings', () => {
    const gradient = scene(60, 40);
    const mask = { width: 60, height: 40, data: new Uint8ClampedArray(60 * 40) };
    for (let y = 15; y < 25; y++) for (let x = 20; x < 26; x++) mask.data[y * 60 + x] = 255;
    const holed = { ...gradient, data: new Uint8ClampedArray(gradient.data) };
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) holed.data.set([255, 0, 255], i * 4);
    const filled = inpaint(holed, mask);
    for (let y = 15; y < 25; y++) {
      for (let x = 20; x < 26; x++) {
        const got = pixel(filled, x, y);
        const want = pixel(gradient, x, y);
        for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - want[c]!)).toBeLessThanOrEqual(8);
      }
    }
  });
});

describe('JPEG blocking', () => {
  it('measures 8×8 blocking and smooths it without touching a clean photo', () => {
    const clean = scene(128, 96);
    const blocky = map(clean, (r, g, b) => [r, g, b]);
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 128; x++) {
        // Each 8×8 block takes its corner's colour: the steps of heavy quantisation.
        const p = (y * 128 + x) * 4;
        blocky.data.set(clean.data.subarray(((y - (y % 8)) * 128 + (x - (x % 8))) * 4, ((y - (y % 8)) * 128 + (x - (x % 8))) * 4 + 3), p);
      }
    }
    expect(measureBlockiness(clean).ratio).toBeLessThan(1.15);
    expect(measureBlockiness(blocky).ratio).toBeGreaterThan(1.5);
    const smoothed = deblock(blocky);
    expect(psnr(clean, smoothed)).toBeGreaterThan(psnr(clean, blocky) + 0.5);
    expect(Buffer.from(deblock(clean).data).equals(Buffer.from(clean.data))).toBe(true);
  });
});

describe('auto straighten', () => {
  it('reads the tilt of strong horizontal lines as the straighten that levels them', () => {
    const w = 400;
    const h = 300;
    const stripes: RgbaImage = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = Math.floor(y / 25) % 2 === 0 ? 40 : 210;
        stripes.data.set([v, v, v, 255], (y * w + x) * 4);
      }
    }
    for (const degrees of [3, -4.5]) {
      const tilted = rotateArbitrary(stripes, degrees);
      const tilt = estimateTilt(tilted);
      expect(tilt).not.toBeNull();
      expect(Math.abs(tilt! + degrees)).toBeLessThan(0.4);
    }
    expect(Math.abs(estimateTilt(stripes) ?? 0)).toBeLessThan(0.2);
  });

  it('declines when nothing is straight', () => {
    const r = random(9);
    const noise: RgbaImage = { width: 200, height: 150, data: new Uint8ClampedArray(200 * 150 * 4).map((_, i) => (i % 4 === 3 ? 255 : r() * 255)) };
    expect(estimateTilt(noise)).toBeNull();
    expect(estimateTilt(scene(200, 150))).toBeNull();
  });
});
