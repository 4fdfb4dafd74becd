import { expect } from 'vitest';
import type { Adjustment, Mask, RgbaImage } from '../../../shared/imaging/index.js';

export type Px = readonly [number, number, number, number?];

/** An image of `width × height` whose pixels are listed row by row (alpha defaults to 255). */
export function image(width: number, height: number, pixels: readonly Px[]): RgbaImage {
  if (pixels.length !== width * height) throw new Error(`need ${width * height} pixels, got ${pixels.length}`);
  const data = new Uint8ClampedArray(width * height * 4);
  pixels.forEach(([r, g, b, a = 255], i) => data.set([r, g, b, a], i * 4));
  return { width, height, data };
}

export function solid(width: number, height: number, px: Px): RgbaImage {
  return image(width, height, Array.from({ length: width * height }, () => px));
}

export function onePixel(px: Px): RgbaImage {
  return image(1, 1, [px]);
}

export function pixel(img: RgbaImage, x: number, y: number): number[] {
  const p = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(p, p + 4));
}

/** A deterministic pseudo-random image (xorshift), with varied alpha unless `opaque`. */
export function noise(width: number, height: number, seed = 1, opaque = false): RgbaImage {
  let s = seed >>> 0 || 1;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    data[i] = opaque && i % 4 === 3 ? 255 : s & 255;
  }
  return { width, height, data };
}

/** Every byte value 0..255 once in each channel, opaque (a 256×1 ramp). */
export function ramp(): RgbaImage {
  return image(256, 1, Array.from({ length: 256 }, (_, v) => [v, v, v] as const));
}

export function mask(width: number, height: number, values: readonly number[]): Mask {
  return { width, height, data: Uint8ClampedArray.from(values) };
}

export function copyOf<T extends { data: Uint8ClampedArray }>(x: T): T {
  return { ...x, data: new Uint8ClampedArray(x.data) };
}

/** Asserts every channel of `actual` is within `tolerance` of `expected`. */
export function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i] as number;
    if (Math.abs(v - e) > tolerance) {
      expect.fail(`channel ${i}: got ${v}, expected ${e} ±${tolerance} (actual ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)})`);
    }
  });
}

export function alphaOf(img: RgbaImage): number[] {
  const out: number[] = [];
  for (let p = 3; p < img.data.length; p += 4) out.push(img.data[p] as number);
  return out;
}

/** One instance of every adjustment kind, non-trivial parameters. */
export const EVERY_ADJUSTMENT: Adjustment[] = [
  { kind: 'exposure', stops: 0.7 },
  { kind: 'brightness', amount: 40 },
  { kind: 'contrast', amount: 35 },
  { kind: 'saturation', amount: 60 },
  { kind: 'vibrance', amount: 70 },
  { kind: 'temperatureTint', temperature: 40, tint: -30 },
  { kind: 'hue', degrees: 75 },
  { kind: 'blackWhite' },
  { kind: 'sepia', amount: 80 },
  { kind: 'blur', radius: 3 },
  { kind: 'blur', radius: 12 },
  { kind: 'sharpen', amount: 150, radius: 1.5 },
  { kind: 'levels', inBlack: 20, inWhite: 230, gamma: 1.4, outBlack: 10, outWhite: 245 },
  { kind: 'curve', points: [{ x: 0, y: 10 }, { x: 90, y: 70 }, { x: 180, y: 200 }, { x: 255, y: 250 }] },
];
