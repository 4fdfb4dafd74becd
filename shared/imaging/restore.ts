/**
 * Restoration kernels for old prints and scans: pure, deterministic functions over RgbaImage.
 *
 * Two kinds of result:
 *  - measurements that become parametric adjustments (auto levels, colour-cast removal, fade
 *    recovery, auto straighten): the numbers are read from the image's statistics, the pixels are
 *    changed later by the ordinary adjustment kernels, so the step stays editable;
 *  - raster kernels (denoise, dust and scratch removal): new pixels.
 *
 * Alpha is preserved everywhere; statistics count only pixels at least half opaque.
 */
import type { Adjustment, ChannelLevels, Mask, RgbaImage } from './types.js';
import { applyAdjustment } from './adjust.js';
import { resizeBilinear } from './transform.js';
import { assertImage, assertMask, toByte } from './util.js';

/* ---------------------------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------------------------- */

/** A copy of at most `maxPixels` pixels (area-averaged), for statistics that need no detail. */
export function proxyOf(image: RgbaImage, maxPixels = 1_000_000): RgbaImage {
  assertImage(image);
  const n = image.width * image.height;
  if (n <= maxPixels || n === 0) return image;
  const f = Math.sqrt(maxPixels / n);
  return resizeBilinear(image, Math.max(1, Math.round(image.width * f)), Math.max(1, Math.round(image.height * f)));
}

/** Per-channel histograms (R, G, B) of the pixels at least half opaque; null if there are none. */
export function channelHistograms(image: RgbaImage): { counts: [Uint32Array, Uint32Array, Uint32Array]; total: number } | null {
  const r = new Uint32Array(256);
  const g = new Uint32Array(256);
  const b = new Uint32Array(256);
  const d = image.data;
  let total = 0;
  for (let p = 0; p < d.length; p += 4) {
    if ((d[p + 3] as number) < 128) continue;
    const rv = d[p] as number;
    const gv = d[p + 1] as number;
    const bv = d[p + 2] as number;
    r[rv] = (r[rv] as number) + 1;
    g[gv] = (g[gv] as number) + 1;
    b[bv] = (b[bv] as number) + 1;
    total++;
  }
  return total === 0 ? null : { counts: [r, g, b], total };
}

/** The smallest value v with at least `q` (0..1) of the counts at or below it. */
export function percentile(counts: Uint32Array, total: number, q: number): number {
  const target = Math.max(1, Math.ceil(q * total));
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += counts[v] as number;
    if (acc >= target) return v;
  }
  return 255;
}

function meanOf(counts: Uint32Array, total: number): number {
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += v * (counts[v] as number);
  return sum / total;
}

/* ---------------------------------------------------------------------------------------------
 * Parametric measurements
 * ------------------------------------------------------------------------------------------- */

/** Percentiles clipped at each end by auto levels (0.2% of the pixels). */
export const AUTO_LEVELS_CLIP = 0.002;

/**
 * Auto levels: one `levels` for all three channels (so colour balance is untouched) mapping the
 * darkest and brightest 0.2% of channel values to black and white. Null when the range is full
 * already or the image is (nearly) one flat colour, where a stretch would only amplify noise.
 * The stretch is limited to 4×, so a foggy near-flat scan is lifted, not posterised.
 */
export function measureAutoLevels(image: RgbaImage): Adjustment | null {
  const hist = channelHistograms(proxyOf(image));
  if (!hist) return null;
  let lo = 255;
  let hi = 0;
  for (const counts of hist.counts) {
    lo = Math.min(lo, percentile(counts, hist.total, AUTO_LEVELS_CLIP));
    hi = Math.max(hi, percentile(counts, hist.total, 1 - AUTO_LEVELS_CLIP));
  }
  if (hi - lo < 8) return null;
  if (lo <= 2 && hi >= 253) return null;
  if (hi - lo < 64) {
    const mid = (hi + lo) / 2;
    lo = Math.max(0, Math.round(mid - 32));
    hi = Math.min(255, Math.round(mid + 32));
  }
  return { kind: 'levels', inBlack: lo, inWhite: hi, gamma: 1, outBlack: 0, outWhite: 255 };
}

/** Below this the channels are taken as aligned (levels of 255). */
const CAST_TOLERANCE = 3;

/**
 * Colour-cast removal as per-channel levels. Three cues, each the tint of one part of the tonal
 * range: the black point (0.5th percentile per channel), the white point (99.5th) and the grey
 * world (channel means). A cast tints the whole range the same way; a coloured scene (a blue dusk,
 * an orange cat) tints its shadows and highlights differently. So the black point is aligned only
 * where its tint agrees with the grey world's, likewise the white point, and the midtones are
 * balanced (a gamma per channel) only on the pixels that are nearly grey after that, the
 * "snap neutral midtones" of darkroom practice. Null when nothing needs changing.
 */
export function measureColourCast(image: RgbaImage): ChannelLevels | null {
  const proxy = proxyOf(image);
  const hist = channelHistograms(proxy);
  if (!hist) return null;
  const lo = hist.counts.map((c) => percentile(c, hist.total, 0.005));
  const hi = hist.counts.map((c) => percentile(c, hist.total, 0.995));
  const mean = hist.counts.map((c) => meanOf(c, hist.total));
  const tint = (v: number[]): number[] => {
    const m = ((v[0] as number) + (v[1] as number) + (v[2] as number)) / 3;
    return v.map((x) => x - m);
  };
  const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
  const norm = (a: number[]): number => Math.sqrt(dot(a, a));
  const world = tint(mean);
  const agrees = (t: number[]): boolean => norm(t) > 0 && norm(world) > 0 && dot(t, world) / (norm(t) * norm(world)) > 0.5;
  const blackTint = tint(lo);
  const whiteTint = tint(hi);
  const L = Math.min(...lo);
  const H = Math.max(...hi);
  const alignBlack = agrees(blackTint) && Math.max(...lo) - L > CAST_TOLERANCE;
  const alignWhite = agrees(whiteTint) && H - Math.min(...hi) > CAST_TOLERANCE;
  const black = [0, 0, 0];
  const white = [255, 255, 255];
  for (let c = 0; c < 3; c++) {
    const l = alignBlack ? (lo[c] as number) : L;
    const h = alignWhite ? (hi[c] as number) : H;
    if (h - l < 8) return null;
    // Map l → L and h → H, written as levels with output 0..255.
    const s = (H - L) / (h - l);
    black[c] = Math.max(0, Math.min(254, l - L / s));
    white[c] = Math.max((black[c] as number) + 1, Math.min(255, (black[c] as number) + 255 / s));
  }
  if (!alignBlack && !alignWhite) {
    black.fill(0);
    white.fill(255);
  }
  const levels: ChannelLevels = {
    kind: 'channelLevels',
    redBlack: round2(black[0] as number),
    redWhite: round2(white[0] as number),
    redGamma: 1,
    greenBlack: round2(black[1] as number),
    greenWhite: round2(white[1] as number),
    greenGamma: 1,
    blueBlack: round2(black[2] as number),
    blueWhite: round2(white[2] as number),
    blueGamma: 1,
  };
  const gammas = neutralMidtoneGammas(applyAdjustment(proxy, levels));
  if (gammas) {
    levels.redGamma = gammas[0];
    levels.greenGamma = gammas[1];
    levels.blueGamma = gammas[2];
  }
  const changed =
    Math.max(...black) > 0.5 ||
    Math.min(...white) < 254.5 ||
    [levels.redGamma, levels.greenGamma, levels.blueGamma].some((g) => Math.abs(g - 1) > 0.015);
  return changed ? levels : null;
}

/**
 * Gammas that make the nearly grey midtones grey: each channel's mean over pixels of low chroma
 * and middle lightness is moved to their common luma. Null if too few such pixels (a scene of
 * saturated colour) or the cast there is negligible. Limited to 0.8..1.25 per channel.
 */
function neutralMidtoneGammas(image: RgbaImage): [number, number, number] | null {
  const d = image.data;
  const sum = [0, 0, 0];
  let n = 0;
  let opaque = 0;
  for (let p = 0; p < d.length; p += 4) {
    if ((d[p + 3] as number) < 128) continue;
    opaque++;
    const r = d[p] as number;
    const g = d[p + 1] as number;
    const b = d[p + 2] as number;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    if (max > 230 || min < 25 || max - min > 0.12 * max + 6) continue;
    sum[0] = (sum[0] as number) + r;
    sum[1] = (sum[1] as number) + g;
    sum[2] = (sum[2] as number) + b;
    n++;
  }
  if (opaque === 0 || n < 0.03 * opaque) return null;
  const means = sum.map((s) => s / n);
  const target = ((means[0] as number) + (means[1] as number) + (means[2] as number)) / 3;
  if (Math.max(...means) - Math.min(...means) < 2) return null;
  // levels: out = 255·(in/255)^(1/gamma) ⇒ gamma = ln(in/255) / ln(target/255).
  const gammas = means.map((m) => Math.min(1.25, Math.max(0.8, round2(Math.log(m / 255) / Math.log(target / 255)))));
  return [gammas[0] as number, gammas[1] as number, gammas[2] as number];
}

/** Mean chroma (max − min of the channels, 0..1) of the half-opaque pixels; null if none. */
export function meanChroma(image: RgbaImage): number | null {
  const d = image.data;
  let sum = 0;
  let n = 0;
  for (let p = 0; p < d.length; p += 4) {
    if ((d[p + 3] as number) < 128) continue;
    const r = d[p] as number;
    const g = d[p + 1] as number;
    const b = d[p + 2] as number;
    sum += Math.max(r, g, b) - Math.min(r, g, b);
    n++;
  }
  return n === 0 ? null : sum / n / 255;
}

/** The mean chroma fade recovery aims for: a middling value for ordinary colour photographs. */
export const FADE_TARGET_CHROMA = 0.16;

/**
 * Fade recovery: faded prints lose saturation, so a `saturation` boost lifts the mean chroma
 * towards FADE_TARGET_CHROMA (at most +60). Null for a photo that is colourful enough, and for a
 * black-and-white one (chroma under 0.015): fade recovery never colours a monochrome print.
 */
export function measureFade(image: RgbaImage): Adjustment | null {
  const chroma = meanChroma(proxyOf(image));
  if (chroma === null || chroma < 0.015 || chroma >= FADE_TARGET_CHROMA * 0.9) return null;
  const amount = Math.min(60, Math.round((FADE_TARGET_CHROMA / chroma - 1) * 100 * 0.6));
  return amount >= 5 ? { kind: 'saturation', amount } : null;
}

/** The tone steps of a restoration, each measured on the image as the previous ones left it. */
export interface ToneMeasurement {
  autoLevels: Adjustment | null;
  colourCast: ChannelLevels | null;
  fade: Adjustment | null;
}

export function measureTone(image: RgbaImage): ToneMeasurement {
  let proxy = proxyOf(image);
  const autoLevels = measureAutoLevels(proxy);
  if (autoLevels) proxy = applyAdjustment(proxy, autoLevels);
  const colourCast = measureColourCast(proxy);
  if (colourCast) proxy = applyAdjustment(proxy, colourCast);
  const fade = measureFade(proxy);
  return { autoLevels, colourCast, fade };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/* ---------------------------------------------------------------------------------------------
 * Planes
 * ------------------------------------------------------------------------------------------- */

/** Rec.709 luma (as blackWhite) of every pixel, 0..255 floats. */
export function lumaPlane(image: RgbaImage): Float32Array {
  const d = image.data;
  const out = new Float32Array(image.width * image.height);
  for (let i = 0, p = 0; i < out.length; i++, p += 4) {
    out[i] = 0.2126 * (d[p] as number) + 0.7152 * (d[p + 1] as number) + 0.0722 * (d[p + 2] as number);
  }
  return out;
}

/* ---------------------------------------------------------------------------------------------
 * Noise
 * ------------------------------------------------------------------------------------------- */

const NOISE_BLOCK = 16;

/**
 * The standard deviation of the image's noise in 8-bit levels, from Immerkær's operator
 * (J. Immerkær, "Fast Noise Variance Estimation", 1996) on luma, evaluated in 16×16 blocks; the
 * 20th percentile of the blocks' estimates discounts texture and edges, which only ever raise a
 * block's estimate. Blocks near black or white (where noise clips) are skipped. At most about
 * 6000 blocks, spread evenly, are read, so a 12 MP image costs the same as a 2 MP one.
 */
export function estimateNoise(image: RgbaImage): number {
  assertImage(image);
  const { width, height } = image;
  if (width < NOISE_BLOCK || height < NOISE_BLOCK) return 0;
  const bx = Math.floor(width / NOISE_BLOCK);
  const by = Math.floor(height / NOISE_BLOCK);
  const step = Math.max(1, Math.ceil(Math.sqrt((bx * by) / 6000)));
  const d = image.data;
  const lum = (x: number, y: number): number => {
    const p = (y * width + x) * 4;
    return 0.2126 * (d[p] as number) + 0.7152 * (d[p + 1] as number) + 0.0722 * (d[p + 2] as number);
  };
  const estimates: number[] = [];
  const block = new Float64Array(NOISE_BLOCK * NOISE_BLOCK);
  for (let j = 0; j < by; j += step) {
    for (let i = 0; i < bx; i += step) {
      const x0 = i * NOISE_BLOCK;
      const y0 = j * NOISE_BLOCK;
      let mean = 0;
      let opaque = true;
      for (let y = 0; y < NOISE_BLOCK; y++) {
        for (let x = 0; x < NOISE_BLOCK; x++) {
          const v = lum(x0 + x, y0 + y);
          block[y * NOISE_BLOCK + x] = v;
          mean += v;
          if ((d[((y0 + y) * width + x0 + x) * 4 + 3] as number) < 255) opaque = false;
        }
      }
      mean /= NOISE_BLOCK * NOISE_BLOCK;
      if (!opaque || mean < 16 || mean > 239) continue;
      let acc = 0;
      for (let y = 1; y < NOISE_BLOCK - 1; y++) {
        for (let x = 1; x < NOISE_BLOCK - 1; x++) {
          const at = (dx: number, dy: number): number => block[(y + dy) * NOISE_BLOCK + x + dx] as number;
          const conv =
            at(-1, -1) - 2 * at(0, -1) + at(1, -1) - 2 * at(-1, 0) + 4 * at(0, 0) - 2 * at(1, 0) + at(-1, 1) - 2 * at(0, 1) + at(1, 1);
          acc += Math.abs(conv);
        }
      }
      const inner = (NOISE_BLOCK - 2) * (NOISE_BLOCK - 2);
      estimates.push((Math.sqrt(Math.PI / 2) * acc) / (6 * inner));
    }
  }
  if (estimates.length === 0) return 0;
  estimates.sort((a, b) => a - b);
  return estimates[Math.floor(0.2 * (estimates.length - 1))] as number;
}

/* ---------------------------------------------------------------------------------------------
 * Denoise: non-local means
 * ------------------------------------------------------------------------------------------- */

export interface DenoiseOptions {
  /** Noise standard deviation in 8-bit levels (see estimateNoise). 0 returns a copy. */
  sigma: number;
  /** Search radius in pixels (default 4: a 9×9 window). */
  searchRadius?: number;
  /** Patch radius (default 1: 3×3 patches). */
  patchRadius?: number;
  /** Filtering strength h as a multiple of sigma (default 0.75). */
  strength?: number;
}

const BAND_ROWS = 96;
const WEIGHT_LUT_SIZE = 4096;
const WEIGHT_LUT_RANGE = 8; // exp(−8) ≈ 3e-4: beyond that a neighbour does not count

/**
 * Non-local means (Buades, Coll and Morel 2005) in YCbCr: patch distances are measured on luma
 * only and the same weights average Y, Cb and Cr, so chroma noise (the blotchy part) is smoothed
 * as hard as luma noise without a second distance computation. Patch distances are box sums of
 * per-offset squared differences (the integral-image formulation), so the cost per pixel is
 * independent of the patch size; the image is processed in bands of rows to keep memory at a few
 * planes. Weights are exp(−max(d² − 2σ², 0) / h²) with d² the mean squared patch difference;
 * the centre pixel takes the largest weight of its neighbours.
 */
export function denoise(image: RgbaImage, options: DenoiseOptions): RgbaImage {
  assertImage(image);
  const { width: w, height: h } = image;
  const sigma = options.sigma;
  if (!Number.isFinite(sigma) || sigma < 0) throw new RangeError(`sigma must be a non-negative number (got ${sigma})`);
  if (sigma === 0 || w * h === 0) return { width: w, height: h, data: new Uint8ClampedArray(image.data) };
  const S = Math.max(1, Math.round(options.searchRadius ?? 4));
  const P = Math.max(0, Math.round(options.patchRadius ?? 1));
  const hh = Math.pow((options.strength ?? 0.75) * sigma, 2);
  const twoSigma2 = 2 * sigma * sigma;
  const patchArea = (2 * P + 1) * (2 * P + 1);
  const lut = new Float32Array(WEIGHT_LUT_SIZE + 1);
  for (let i = 0; i <= WEIGHT_LUT_SIZE; i++) lut[i] = Math.exp((-i * WEIGHT_LUT_RANGE) / WEIGHT_LUT_SIZE);
  // Weight index = max(D·patchArea − 2σ²·patchArea, 0) · scale, D·patchArea being the box sum.
  const lutScale = WEIGHT_LUT_SIZE / (WEIGHT_LUT_RANGE * hh * patchArea);
  const biasSum = twoSigma2 * patchArea;

  const src = image.data;
  const n = w * h;
  const Y = new Float32Array(n);
  const Cb = new Float32Array(n);
  const Cr = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    Y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    Cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    Cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  const out = new Uint8ClampedArray(src.length);
  const margin = S + P;
  const maxExt = Math.min(h, BAND_ROWS + 2 * margin);
  const diff = new Float32Array(w * maxExt);
  const rowSum = new Float32Array(w * maxExt);
  const dist = new Float32Array(w * maxExt);
  const bandMax = Math.min(h, BAND_ROWS);
  const accY = new Float32Array(w * bandMax);
  const accB = new Float32Array(w * bandMax);
  const accR = new Float32Array(w * bandMax);
  const wSum = new Float32Array(w * bandMax);
  const wMax = new Float32Array(w * bandMax);
  const colAcc = new Float64Array(w);

  for (let y0 = 0; y0 < h; y0 += BAND_ROWS) {
    const y1 = Math.min(h, y0 + BAND_ROWS);
    const e0 = Math.max(0, y0 - margin);
    const e1 = Math.min(h, y1 + margin);
    const extRows = e1 - e0;
    const bandRows = y1 - y0;
    accY.fill(0, 0, w * bandRows);
    accB.fill(0, 0, w * bandRows);
    accR.fill(0, 0, w * bandRows);
    wSum.fill(0, 0, w * bandRows);
    wMax.fill(0, 0, w * bandRows);
    for (let dy = 0; dy <= S; dy++) {
      for (let dx = -S; dx <= S; dx++) {
        if (dy === 0 && dx <= 0) continue; // each unordered pair once: o and −o share a distance
        // Squared luma difference between p and p + o (clamped to the image), rows e0..e1.
        for (let yy = 0; yy < extRows; yy++) {
          const y = e0 + yy;
          const qy = y + dy < h ? y + dy : h - 1;
          const row = y * w;
          const qrow = qy * w;
          const drow = yy * w;
          for (let x = 0; x < w; x++) {
            let qx = x + dx;
            if (qx < 0) qx = 0;
            else if (qx >= w) qx = w - 1;
            const t = (Y[row + x] as number) - (Y[qrow + qx] as number);
            diff[drow + x] = t * t;
          }
        }
        boxSum(diff, rowSum, dist, colAcc, w, extRows, P);
        // p in the band gets q = p + o; q in the band gets p = q − o, with the same weight.
        for (let y = y0; y < y1; y++) {
          const drow = (y - e0) * w;
          const brow = (y - y0) * w;
          const qy = y + dy;
          for (let x = 0; x < w; x++) {
            const excess = (dist[drow + x] as number) - biasSum;
            const k = excess <= 0 ? 0 : excess * lutScale;
            if (k >= WEIGHT_LUT_SIZE) continue;
            const wt = lut[k | 0] as number;
            const qx = x + dx < 0 ? 0 : x + dx >= w ? w - 1 : x + dx;
            const q = (qy < h ? qy : h - 1) * w + qx;
            const bi = brow + x;
            accY[bi] = (accY[bi] as number) + wt * (Y[q] as number);
            accB[bi] = (accB[bi] as number) + wt * (Cb[q] as number);
            accR[bi] = (accR[bi] as number) + wt * (Cr[q] as number);
            wSum[bi] = (wSum[bi] as number) + wt;
            if (wt > (wMax[bi] as number)) wMax[bi] = wt;
          }
        }
        // The other direction: q = (x, y) in the band takes p = q − o, whose distance row is y − dy.
        for (let y = y0; y < y1; y++) {
          const py = y - dy;
          if (py < e0) continue;
          const drow = (py - e0) * w;
          const brow = (y - y0) * w;
          for (let x = 0; x < w; x++) {
            const px = x - dx;
            if (px < 0 || px >= w) continue;
            const excess = (dist[drow + px] as number) - biasSum;
            const k = excess <= 0 ? 0 : excess * lutScale;
            if (k >= WEIGHT_LUT_SIZE) continue;
            const wt = lut[k | 0] as number;
            const p = py * w + px;
            const bi = brow + x;
            accY[bi] = (accY[bi] as number) + wt * (Y[p] as number);
            accB[bi] = (accB[bi] as number) + wt * (Cb[p] as number);
            accR[bi] = (accR[bi] as number) + wt * (Cr[p] as number);
            wSum[bi] = (wSum[bi] as number) + wt;
            if (wt > (wMax[bi] as number)) wMax[bi] = wt;
          }
        }
      }
    }
    for (let y = y0; y < y1; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const bi = (y - y0) * w + x;
        const self = Math.max(wMax[bi] as number, 1e-3);
        const total = (wSum[bi] as number) + self;
        const yv = ((accY[bi] as number) + self * (Y[i] as number)) / total;
        const cb = ((accB[bi] as number) + self * (Cb[i] as number)) / total;
        const cr = ((accR[bi] as number) + self * (Cr[i] as number)) / total;
        const p = i * 4;
        out[p] = toByte(yv + 1.402 * cr);
        out[p + 1] = toByte(yv - 0.344136 * cb - 0.714136 * cr);
        out[p + 2] = toByte(yv + 1.772 * cb);
        out[p + 3] = src[p + 3] as number;
      }
    }
  }
  return { width: w, height: h, data: out };
}

/** Box sum of radius r over `rows` rows of width w (clamped at the plane's edges): src → dst. */
function boxSum(src: Float32Array, tmp: Float32Array, dst: Float32Array, colAcc: Float64Array, w: number, rows: number, r: number): void {
  if (r === 0) {
    dst.set(src.subarray(0, w * rows));
    return;
  }
  const last = w - 1;
  for (let y = 0; y < rows; y++) {
    const row = y * w;
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += src[row + (i < 0 ? 0 : i > last ? last : i)] as number;
    tmp[row] = acc;
    for (let x = 1; x < w; x++) {
      const add = x + r > last ? last : x + r;
      const sub = x - r - 1 < 0 ? 0 : x - r - 1;
      acc += (src[row + add] as number) - (src[row + sub] as number);
      tmp[row + x] = acc;
    }
  }
  const lastRow = rows - 1;
  colAcc.fill(0);
  for (let i = -r; i <= r; i++) {
    const row = (i < 0 ? 0 : i > lastRow ? lastRow : i) * w;
    for (let x = 0; x < w; x++) colAcc[x] = (colAcc[x] as number) + (tmp[row + x] as number);
  }
  for (let x = 0; x < w; x++) dst[x] = colAcc[x] as number;
  for (let y = 1; y < rows; y++) {
    const add = (y + r > lastRow ? lastRow : y + r) * w;
    const sub = (y - r - 1 < 0 ? 0 : y - r - 1) * w;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const v = (colAcc[x] as number) + (tmp[add + x] as number) - (tmp[sub + x] as number);
      colAcc[x] = v;
      dst[row + x] = v;
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Dust and scratches
 * ------------------------------------------------------------------------------------------- */

export interface DefectOptions {
  /** Noise sigma (levels); raises the detection threshold on grainy scans. Default: estimated. */
  sigma?: number;
  /** Minimum contrast of a defect against its surroundings in levels (default 28). */
  threshold?: number;
}

export interface DefectResult {
  /** 255 where a defect was found (dilated by a pixel), else 0. */
  mask: Mask;
  dust: number;
  scratches: number;
  /** Pixels in the mask. */
  pixels: number;
}

/**
 * Finds dust specks and thin scratches: pixels much darker than the image's morphological
 * closing, or much brighter than its opening (a square of side 2r + 1, r growing with the image,
 * so features narrower than that stand out), where the surroundings are calm: the contrast must
 * exceed both the threshold and twice the local texture (mean closing − opening in a window), so
 * whiskers on fur or leaves in a tree are left alone while a scratch across the sky is found.
 * Connected components are kept if compact and small (dust) or long and thin (scratches).
 */
export function detectDefects(image: RgbaImage, options: DefectOptions = {}): DefectResult {
  assertImage(image);
  const { width: w, height: h } = image;
  const empty: DefectResult = { mask: { width: w, height: h, data: new Uint8ClampedArray(w * h) }, dust: 0, scratches: 0, pixels: 0 };
  if (w < 8 || h < 8) return empty;
  const r = Math.max(2, Math.round(Math.min(w, h) / 500));
  const sigma = options.sigma ?? estimateNoise(image);
  const threshold = Math.max(options.threshold ?? 28, 4 * sigma);
  const Y = lumaPlane(image);
  const closing = minFilter(maxFilter(Y, w, h, r), w, h, r);
  const opening = maxFilter(minFilter(Y, w, h, r), w, h, r);
  const spread = new Float32Array(w * h);
  for (let i = 0; i < spread.length; i++) spread[i] = (closing[i] as number) - (opening[i] as number);
  const texture = boxMean(spread, w, h, 3 * r + 2);
  const candidate = new Uint8Array(w * h);
  const alpha = image.data;
  for (let i = 0; i < candidate.length; i++) {
    if ((alpha[i * 4 + 3] as number) < 128) continue;
    const dark = (closing[i] as number) - (Y[i] as number);
    const bright = (Y[i] as number) - (opening[i] as number);
    const contrast = dark > bright ? dark : bright;
    if (contrast > threshold && contrast > 2 * (texture[i] as number)) candidate[i] = 1;
  }
  const maxDustArea = Math.max(12, Math.round(3 * (r + 1) * (r + 1)));
  const minScratchLength = 8 * r;
  const maxScratchWidth = 2 * r;
  const keep = new Uint8Array(w * h);
  let dust = 0;
  let scratches = 0;
  forEachComponent(candidate, w, h, (pixels, minX, minY, maxX, maxY) => {
    const area = pixels.length;
    const extent = Math.max(maxX - minX + 1, maxY - minY + 1);
    const isDust = area <= maxDustArea && extent <= 2 * r + 2;
    const isScratch = extent >= minScratchLength && area / extent <= maxScratchWidth;
    if (!isDust && !isScratch) return;
    if (isDust) dust++;
    else scratches++;
    for (const i of pixels) keep[i] = 1;
  });
  const mask = new Uint8ClampedArray(w * h);
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let hit = 0;
      for (let dy = -1; dy <= 1 && !hit; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w && keep[yy * w + xx]) {
            hit = 1;
            break;
          }
        }
      }
      if (hit) {
        mask[y * w + x] = 255;
        count++;
      }
    }
  }
  return { mask: { width: w, height: h, data: mask }, dust, scratches, pixels: count };
}

/** 8-connected components of the set pixels: calls back with their indices and bounding box. */
function forEachComponent(
  set: Uint8Array,
  w: number,
  h: number,
  visit: (pixels: number[], minX: number, minY: number, maxX: number, maxY: number) => void,
): void {
  const seen = new Uint8Array(set.length);
  const stack: number[] = [];
  for (let start = 0; start < set.length; start++) {
    if (!set[start] || seen[start]) continue;
    const pixels: number[] = [];
    let minX = w;
    let minY = h;
    let maxX = 0;
    let maxY = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop() as number;
      pixels.push(i);
      const x = i % w;
      const y = (i - x) / w;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (set[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    visit(pixels, minX, minY, maxX, maxY);
  }
}

/** Running max (or min) over 2r + 1 samples of a strided line, van Herk / Gil–Werman, edges clamped. */
function extremeLine(src: Float32Array, dst: Float32Array, start: number, stride: number, n: number, r: number, max: boolean, g: Float32Array, hbuf: Float32Array): void {
  const k = 2 * r + 1;
  const len = n + 2 * r;
  const at = (i: number): number => src[start + (i < 0 ? 0 : i >= n ? n - 1 : i) * stride] as number;
  // Padded line index j ↔ source index j − r.
  for (let b = 0; b < len; b += k) {
    const end = Math.min(len, b + k);
    let acc = at(b - r);
    g[b] = acc;
    for (let j = b + 1; j < end; j++) {
      const v = at(j - r);
      acc = max ? (v > acc ? v : acc) : v < acc ? v : acc;
      g[j] = acc;
    }
    acc = at(end - 1 - r);
    hbuf[end - 1] = acc;
    for (let j = end - 2; j >= b; j--) {
      const v = at(j - r);
      acc = max ? (v > acc ? v : acc) : v < acc ? v : acc;
      hbuf[j] = acc;
    }
  }
  for (let i = 0; i < n; i++) {
    // Window of source i is padded j = i .. i + 2r.
    const a = hbuf[i] as number;
    const b = g[i + 2 * r] as number;
    dst[start + i * stride] = max ? (a > b ? a : b) : a < b ? a : b;
  }
}

function extremeFilter(plane: Float32Array, w: number, h: number, r: number, max: boolean): Float32Array {
  const tmp = new Float32Array(plane.length);
  const out = new Float32Array(plane.length);
  const len = Math.max(w, h) + 2 * r;
  const g = new Float32Array(len);
  const hb = new Float32Array(len);
  for (let y = 0; y < h; y++) extremeLine(plane, tmp, y * w, 1, w, r, max, g, hb);
  for (let x = 0; x < w; x++) extremeLine(tmp, out, x, w, h, r, max, g, hb);
  return out;
}

/** Grey-level dilation by a (2r + 1)² square. */
export function maxFilter(plane: Float32Array, w: number, h: number, r: number): Float32Array {
  return extremeFilter(plane, w, h, r, true);
}

/** Grey-level erosion by a (2r + 1)² square. */
export function minFilter(plane: Float32Array, w: number, h: number, r: number): Float32Array {
  return extremeFilter(plane, w, h, r, false);
}

function boxMean(plane: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(plane.length);
  const out = new Float32Array(plane.length);
  boxSum(plane, tmp, out, new Float64Array(w), w, h, r);
  const area = (2 * r + 1) * (2 * r + 1);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / area;
  return out;
}

/**
 * Fills the masked pixels from their surroundings, outside in (an "onion peel", a simplified
 * fast-marching inpaint after Telea 2004 without the gradient term): each ring of unknown pixels
 * next to known ones becomes the distance-weighted mean of the known pixels within 2 px, then
 * counts as known. Good for defect-sized holes (a few pixels across); larger holes blur.
 */
export function inpaint(image: RgbaImage, mask: Mask): RgbaImage {
  assertImage(image);
  assertMask(mask);
  const { width: w, height: h } = image;
  if (mask.width !== w || mask.height !== h) throw new RangeError(`mask ${mask.width}×${mask.height} does not match image ${w}×${h}`);
  const out = new Uint8ClampedArray(image.data);
  const known = new Uint8Array(w * h);
  let front: number[] = [];
  let unknown = 0;
  for (let i = 0; i < known.length; i++) {
    if ((mask.data[i] as number) >= 128) unknown++;
    else known[i] = 1;
  }
  if (unknown === 0) return { width: w, height: h, data: out };
  if (unknown === w * h) return { width: w, height: h, data: out }; // nothing to fill from
  const R = 2;
  const isFront = (i: number): boolean => {
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx >= 0 && xx < w && known[yy * w + xx]) return true;
      }
    }
    return false;
  };
  for (let i = 0; i < known.length; i++) if (!known[i] && isFront(i)) front.push(i);
  const queued = new Uint8Array(w * h);
  for (const i of front) queued[i] = 1;
  while (front.length) {
    const values: number[] = [];
    for (const i of front) {
      const x = i % w;
      const y = (i - x) / w;
      let sw = 0;
      let sr = 0;
      let sg = 0;
      let sb = 0;
      for (let dy = -R; dy <= R; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -R; dx <= R; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!known[j]) continue;
          const wt = 1 / (dx * dx + dy * dy);
          const p = j * 4;
          sw += wt;
          sr += wt * (out[p] as number);
          sg += wt * (out[p + 1] as number);
          sb += wt * (out[p + 2] as number);
        }
      }
      values.push(sr / sw, sg / sw, sb / sw);
    }
    const next: number[] = [];
    front.forEach((i, k) => {
      const p = i * 4;
      out[p] = toByte(values[3 * k] as number);
      out[p + 1] = toByte(values[3 * k + 1] as number);
      out[p + 2] = toByte(values[3 * k + 2] as number);
      known[i] = 1;
    });
    for (const i of front) {
      const x = i % w;
      const y = (i - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!known[j] && !queued[j]) {
            queued[j] = 1;
            next.push(j);
          }
        }
      }
    }
    front = next;
  }
  return { width: w, height: h, data: out };
}

/**
 * A layer holding only the repaired pixels: the inpainted colour where the mask is set, fully
 * transparent elsewhere. Hiding it shows the defects again; everything else is the layer below.
 */
export function patchLayer(repaired: RgbaImage, mask: Mask): RgbaImage {
  const out = new Uint8ClampedArray(repaired.data.length);
  for (let i = 0; i < mask.data.length; i++) {
    if ((mask.data[i] as number) < 128) continue;
    const p = i * 4;
    out[p] = repaired.data[p] as number;
    out[p + 1] = repaired.data[p + 1] as number;
    out[p + 2] = repaired.data[p + 2] as number;
    out[p + 3] = repaired.data[p + 3] as number;
  }
  return { width: repaired.width, height: repaired.height, data: out };
}

/** Detects dust and scratches and repairs them; `patch` is the sparse layer of repaired pixels. */
export function removeDefects(image: RgbaImage, options: DefectOptions = {}): DefectResult & { repaired: RgbaImage; patch: RgbaImage } {
  const found = detectDefects(image, options);
  const repaired = found.pixels > 0 ? inpaint(image, found.mask) : { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
  return { ...found, repaired, patch: patchLayer(repaired, found.mask) };
}

/* ---------------------------------------------------------------------------------------------
 * Auto straighten
 * ------------------------------------------------------------------------------------------- */

/**
 * The tilt of the horizon or of verticals, in degrees, as the `straighten` that levels it
 * (positive = rotate clockwise); null when no dominant near-horizontal or near-vertical line
 * stands out (a portrait, foliage), which is common: a person then straightens by hand.
 * Method: Sobel gradients of the luma (at most 0.5 MP), the orientation of strong edges folded
 * onto −20°..20° around horizontal/vertical, a magnitude-weighted histogram in 0.25° bins, and
 * a weighted mean around its peak. The peak must hold a clear share of the edge energy.
 */
export function estimateTilt(image: RgbaImage): number | null {
  const proxy = proxyOf(image, 500_000);
  const { width: w, height: h } = proxy;
  if (w < 16 || h < 16) return null;
  const Y = lumaPlane(proxy);
  const RANGE = 20;
  const BIN = 0.25;
  const bins = new Float64Array(Math.round((2 * RANGE) / BIN) + 1);
  const mags: number[] = [];
  const angles: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const at = (dx: number, dy: number): number => Y[(y + dy) * w + x + dx] as number;
      const gx = at(1, -1) + 2 * at(1, 0) + at(1, 1) - at(-1, -1) - 2 * at(-1, 0) - at(-1, 1);
      const gy = at(-1, 1) + 2 * at(0, 1) + at(1, 1) - at(-1, -1) - 2 * at(0, -1) - at(1, -1);
      const mag = Math.hypot(gx, gy);
      if (mag < 80) continue;
      // The edge runs perpendicular to the gradient; fold its direction into (−45°, 45°].
      let a = (Math.atan2(gy, gx) * 180) / Math.PI + 90;
      a = ((a % 90) + 90) % 90;
      if (a > 45) a -= 90;
      if (Math.abs(a) > RANGE) continue;
      mags.push(mag);
      angles.push(a);
    }
  }
  if (angles.length < 50) return null;
  let total = 0;
  for (let i = 0; i < angles.length; i++) {
    const m = mags[i] as number;
    const bin = Math.round(((angles[i] as number) + RANGE) / BIN);
    bins[bin] = (bins[bin] as number) + m;
    total += m;
  }
  // Smooth over ±0.5° and find the peak.
  let best = 0;
  let bestAt = 0;
  for (let i = 0; i < bins.length; i++) {
    let s = 0;
    for (let k = -2; k <= 2; k++) s += bins[Math.min(bins.length - 1, Math.max(0, i + k))] as number;
    if (s > best) {
      best = s;
      bestAt = i;
    }
  }
  if (best < 0.12 * total) return null;
  const peak = bestAt * BIN - RANGE;
  let sw = 0;
  let sa = 0;
  for (let i = 0; i < angles.length; i++) {
    const a = angles[i] as number;
    if (Math.abs(a - peak) > 1) continue;
    sw += mags[i] as number;
    sa += (mags[i] as number) * a;
  }
  const tilt = sa / sw;
  // An edge at +a° (clockwise on screen, y down) is levelled by rotating −a°.
  return Math.round(-tilt * 10) / 10;
}
