/**
 * Image-quality measures shared by the imaging and local-engine tests and the restoration bench:
 * PSNR and SSIM against a clean original, and the seeded noise and per-pixel mapping the
 * degradations are built from. Pure TypeScript (no Node modules).
 */
import type { RgbaImage } from '../../shared/imaging/index.js';

/**
 * Peak signal-to-noise ratio over R, G, B in dB (optionally only where `mask` ≥ 128); identical
 * images score `identical`.
 */
export function psnr(a: RgbaImage, b: RgbaImage, mask?: Uint8ClampedArray, identical = 99): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (mask && (mask[i] as number) < 128) continue;
    for (let c = 0; c < 3; c++) se += ((a.data[i * 4 + c] as number) - (b.data[i * 4 + c] as number)) ** 2;
    n += 3;
  }
  return se === 0 ? identical : 10 * Math.log10((255 * 255 * n) / se);
}

/**
 * Mean SSIM (Wang et al. 2004, C1 = (0.01·255)², C2 = (0.03·255)²) over 8×8 windows at a stride
 * of 4, averaged over R, G and B.
 */
export function ssim(a: RgbaImage, b: RgbaImage): number {
  const { width: w, height: h } = a;
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let sum = 0;
  let n = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y + 8 <= h; y += 4) {
      for (let x = 0; x + 8 <= w; x += 4) {
        let ma = 0;
        let mb = 0;
        for (let j = 0; j < 8; j++) {
          for (let i = 0; i < 8; i++) {
            const p = ((y + j) * w + x + i) * 4 + c;
            ma += a.data[p] as number;
            mb += b.data[p] as number;
          }
        }
        ma /= 64;
        mb /= 64;
        let va = 0;
        let vb = 0;
        let cov = 0;
        for (let j = 0; j < 8; j++) {
          for (let i = 0; i < 8; i++) {
            const p = ((y + j) * w + x + i) * 4 + c;
            const da = (a.data[p] as number) - ma;
            const db = (b.data[p] as number) - mb;
            va += da * da;
            vb += db * db;
            cov += da * db;
          }
        }
        va /= 63;
        vb /= 63;
        cov /= 63;
        sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
        n++;
      }
    }
  }
  return sum / n;
}

/** xorshift32 in 0..1 */
export function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Standard normal samples (Box–Muller over `random`). */
export function gaussian(seed: number): () => number {
  const r = random(seed);
  return () => Math.sqrt(-2 * Math.log(Math.max(1e-12, r()))) * Math.cos(2 * Math.PI * r());
}

/** A copy with every pixel's R, G, B mapped through `f` (clamped), alpha kept. */
export function mapPixels(image: RgbaImage, f: (r: number, g: number, b: number) => [number, number, number]): RgbaImage {
  const data = new Uint8ClampedArray(image.data);
  for (let p = 0; p < data.length; p += 4) data.set(f(data[p] as number, data[p + 1] as number, data[p + 2] as number), p);
  return { ...image, data };
}
