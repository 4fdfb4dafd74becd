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
import { blurPlane } from './convolve.js';
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

/* ---------------------------------------------------------------------------------------------
 * Parametric measurements
 * ------------------------------------------------------------------------------------------- */

/** Percentiles clipped at each end by auto levels (0.2% of the pixels). */
export const AUTO_LEVELS_CLIP = 0.002;

/**
 * Auto levels: one `levels` for all three channels (so colour balance is untouched) mapping the
 * darkest and brightest 0.2% of channel values to black and white. Null when the range is full
 * already or the image is (nearly) one flat colour, where a stretch would only amplify noise,
 * and, unless `force` (the person asked for auto levels), when the photo is not faded.
 * The stretch is limited to 4×, so a foggy near-flat scan is lifted, not posterised.
 */
export function measureAutoLevels(image: RgbaImage, options: { force?: boolean } = {}): Adjustment | null {
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
  // Unasked (as part of a restoration), only a faded or flat photo is stretched: lifted blacks,
  // or a short range. A low-key photo with good blacks keeps its mood.
  if (!options.force && lo < 16 && hi - lo >= 160) return null;
  if (hi - lo < 64) {
    const mid = (hi + lo) / 2;
    lo = Math.max(0, Math.round(mid - 32));
    hi = Math.min(255, Math.round(mid + 32));
  }
  return { kind: 'levels', inBlack: lo, inWhite: hi, gamma: 1, outBlack: 0, outWhite: 255 };
}

/** A tint smaller than this (levels) is left alone in a restoration: it may be the light. */
const CAST_TOLERANCE = 10;
/** When the person asks for the cast to go, smaller tints are removed too. */
const CAST_TOLERANCE_ASKED = 4;

/**
 * Colour-cast removal as per-channel levels. A cast tints everything, including the things that
 * should be white or grey; a coloured scene (an orange cat, a red cup on wood) has a few of those
 * untinted. So the highlights decide: among the pixels between luma 150 and 240, the 10% least
 * colourful (a white cup, a grey sky, paper) are averaged; if they are grey within
 * CAST_TOLERANCE (4 levels when `force`: the person asked) there is no cast and the result is
 * null. Otherwise the white points of the channels weaker than those pixels' luma come down so
 * that they reach it (white-patch gains; a stronger channel is left at 255, since levels only
 * raise a channel), and, if the darkest 0.5% of each channel lean the same way as the highlights
 * (as a yellowed print's shadows do), the black points are aligned too.
 */
export function measureColourCast(image: RgbaImage, options: { force?: boolean } = {}): ChannelLevels | null {
  const proxy = proxyOf(image);
  const d = proxy.data;
  const LOW = 150;
  const HIGH = 240;
  const chromaHist = new Uint32Array(256);
  let total = 0;
  for (let p = 0; p < d.length; p += 4) {
    if ((d[p + 3] as number) < 128) continue;
    const r = d[p] as number;
    const g = d[p + 1] as number;
    const b = d[p + 2] as number;
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    if (l < LOW || l >= HIGH) continue;
    const c = Math.max(r, g, b) - Math.min(r, g, b);
    chromaHist[c] = (chromaHist[c] as number) + 1;
    total++;
  }
  if (total < 50) return null;
  const limit = percentile(chromaHist, total, 0.1);
  const sum = [0, 0, 0, 0];
  let n = 0;
  for (let p = 0; p < d.length; p += 4) {
    if ((d[p + 3] as number) < 128) continue;
    const r = d[p] as number;
    const g = d[p + 1] as number;
    const b = d[p + 2] as number;
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    if (l < LOW || l >= HIGH || Math.max(r, g, b) - Math.min(r, g, b) > limit) continue;
    sum[0] = (sum[0] as number) + r;
    sum[1] = (sum[1] as number) + g;
    sum[2] = (sum[2] as number) + b;
    sum[3] = (sum[3] as number) + l;
    n++;
  }
  const white = sum.map((v) => v / n);
  const luma = white[3] as number;
  const highlightTint = [0, 1, 2].map((c) => (white[c] as number) - luma);
  if (Math.max(...highlightTint.map(Math.abs)) < (options.force ? CAST_TOLERANCE_ASKED : CAST_TOLERANCE)) return null;
  const hist = channelHistograms(proxy);
  if (!hist) return null;
  const lo = hist.counts.map((c) => percentile(c, hist.total, 0.005));
  const loMean = ((lo[0] as number) + (lo[1] as number) + (lo[2] as number)) / 3;
  const shadowTint = lo.map((v) => v - loMean);
  const dot = highlightTint.reduce((acc, t, c) => acc + t * (shadowTint[c] as number), 0);
  const norms = Math.hypot(...highlightTint) * Math.hypot(...shadowTint);
  const alignBlack = norms > 0 && dot / norms > 0.5 && Math.max(...lo) - Math.min(...lo) > CAST_TOLERANCE;
  const floor = Math.min(...lo);
  // Through (black → 0) and (highlight mean → the highlights' luma). A channel already above that
  // luma keeps its white at 255: levels only ever raise a channel, the weak ones come up.
  const channel = (c: number): { black: number; white: number; gamma: number } => {
    const black = alignBlack ? (lo[c] as number) - floor : 0;
    const span = ((white[c] as number) - black) / Math.max(1, luma);
    const top = Math.max(black + 4, Math.min(255, black + 255 * span));
    return { black: round2(Math.max(0, Math.min(250, black))), white: round2(top), gamma: 1 };
  };
  const r = channel(0);
  const g = channel(1);
  const b = channel(2);
  return {
    kind: 'channelLevels',
    redBlack: r.black,
    redWhite: r.white,
    redGamma: r.gamma,
    greenBlack: g.black,
    greenWhite: g.white,
    greenGamma: g.gamma,
    blueBlack: b.black,
    blueWhite: b.white,
    blueGamma: b.gamma,
  };
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
          if ((d[((y0 + y) * width + x0 + x) * 4 + 3] as number) < 128) opaque = false;
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
  /** Search radius in pixels (default 3: a 7×7 window). */
  searchRadius?: number;
  /** Patch radius (default 1: 3×3 patches). */
  patchRadius?: number;
  /** Filtering strength h as a multiple of sigma (default 0.85). */
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
  const S = Math.max(1, Math.round(options.searchRadius ?? 3));
  const P = Math.max(0, Math.round(options.patchRadius ?? 1));
  const hh = Math.pow((options.strength ?? 0.85) * sigma, 2);
  const patchArea = (2 * P + 1) * (2 * P + 1);
  // The LUT's last entry is 0, so an index clamped to WEIGHT_LUT_SIZE means "no weight".
  const lut = new Float32Array(WEIGHT_LUT_SIZE + 1);
  for (let i = 0; i < WEIGHT_LUT_SIZE; i++) lut[i] = Math.exp((-i * WEIGHT_LUT_RANGE) / WEIGHT_LUT_SIZE);
  const src = image.data;
  const n = w * h;
  // Y, Cb, Cr interleaved: one memory stream instead of three in the hot loop.
  const ycc = new Float32Array(3 * n);
  const Y = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const r = src[p] as number;
    const g = src[p + 1] as number;
    const b = src[p + 2] as number;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    Y[i] = y;
    ycc[3 * i] = y;
    ycc[3 * i + 1] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    ycc[3 * i + 2] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  const margin = S + P;
  const maxExt = Math.min(h, BAND_ROWS + 2 * margin);
  const bandMax = Math.min(h, BAND_ROWS);
  const band: NlmBand = {
    w,
    h,
    Y,
    ycc,
    lut,
    // Weight index = max(box sum − 2σ²·area, 0) · scale, the box sum being D·area.
    lutScale: WEIGHT_LUT_SIZE / (WEIGHT_LUT_RANGE * hh * patchArea),
    biasSum: 2 * sigma * sigma * patchArea,
    diff: new Float32Array(w * maxExt),
    rowSum: new Float32Array(w * maxExt),
    weight: new Float32Array(w * maxExt),
    colAcc: new Float64Array(w),
    acc: new Float64Array(4 * w * bandMax),
    wMax: new Float32Array(w * bandMax),
  };
  const out = new Uint8ClampedArray(src.length);
  for (let y0 = 0; y0 < h; y0 += BAND_ROWS) {
    const y1 = Math.min(h, y0 + BAND_ROWS);
    const e0 = Math.max(0, y0 - margin);
    const e1 = Math.min(h, y1 + margin);
    const size = w * (y1 - y0);
    band.acc.fill(0, 0, 4 * size);
    band.wMax.fill(0, 0, size);
    for (let dy = 0; dy <= S; dy++) {
      for (let dx = -S; dx <= S; dx++) {
        if (dy === 0 && dx <= 0) continue; // each unordered pair once: o and −o share a distance
        squaredDifferences(band, e0, e1, dx, dy);
        boxSum(band.diff, band.rowSum, band.weight, band.colAcc, w, e1 - e0, P);
        toWeights(band, e1 - e0);
        accumulatePairs(band, y0, y1, e0, dx, dy);
      }
    }
    writeBand(band, src, out, y0, y1);
  }
  return { width: w, height: h, data: out };
}

/** Working planes of the non-local means filter for one band of rows. */
interface NlmBand {
  w: number;
  h: number;
  Y: Float32Array;
  /** Y, Cb, Cr per pixel. */
  ycc: Float32Array;
  lut: Float32Array;
  lutScale: number;
  biasSum: number;
  diff: Float32Array;
  rowSum: Float32Array;
  /** Patch distances, then (in place) pair weights, for the band's rows and margins. */
  weight: Float32Array;
  colAcc: Float64Array;
  /** Σw·Y, Σw·Cb, Σw·Cr, Σw per band pixel. */
  acc: Float64Array;
  wMax: Float32Array;
}

/** diff = (Y(p) − Y(p + o))² for the rows e0..e1, p + o clamped to the image. */
function squaredDifferences(band: NlmBand, e0: number, e1: number, dx: number, dy: number): void {
  const { w, h, Y, diff } = band;
  const xa = dx < 0 ? Math.min(w, -dx) : 0;
  const xb = dx > 0 ? Math.max(xa, w - dx) : w;
  for (let y = e0; y < e1; y++) {
    const row = y * w;
    const qrow = (y + dy < h ? y + dy : h - 1) * w;
    const drow = (y - e0) * w;
    for (let x = 0; x < xa; x++) {
      const t = (Y[row + x] as number) - (Y[qrow] as number);
      diff[drow + x] = t * t;
    }
    const shift = qrow + dx;
    for (let x = xa; x < xb; x++) {
      const t = (Y[row + x] as number) - (Y[shift + x] as number);
      diff[drow + x] = t * t;
    }
    const lastQ = qrow + w - 1;
    for (let x = xb; x < w; x++) {
      const t = (Y[row + x] as number) - (Y[lastQ] as number);
      diff[drow + x] = t * t;
    }
  }
}

/** Patch distances (box sums, in place) become weights exp(−max(D − 2σ², 0) / h²) via the LUT. */
function toWeights(band: NlmBand, rows: number): void {
  const { weight, lut, lutScale, biasSum } = band;
  const end = band.w * rows;
  for (let i = 0; i < end; i++) {
    const excess = (weight[i] as number) - biasSum;
    if (excess <= 0) weight[i] = 1;
    else {
      const k = excess * lutScale;
      weight[i] = k < WEIGHT_LUT_SIZE ? (lut[k | 0] as number) : 0;
    }
  }
}

/** Adds neighbour j with weight wt to the sums of band pixel bi. */
function addNeighbour(acc: Float64Array, wMax: Float32Array, ycc: Float32Array, bi: number, j: number, wt: number): void {
  const a = 4 * bi;
  const c = 3 * j;
  acc[a] = (acc[a] as number) + wt * (ycc[c] as number);
  acc[a + 1] = (acc[a + 1] as number) + wt * (ycc[c + 1] as number);
  acc[a + 2] = (acc[a + 2] as number) + wt * (ycc[c + 2] as number);
  acc[a + 3] = (acc[a + 3] as number) + wt;
  if (wt > (wMax[bi] as number)) wMax[bi] = wt;
}

/** Each band pixel p takes its neighbours p + o and p − o, weighted by their patch distances. */
function accumulatePairs(band: NlmBand, y0: number, y1: number, e0: number, dx: number, dy: number): void {
  const { w, h, ycc, weight, acc, wMax } = band;
  const adx = dx < 0 ? -dx : dx;
  const lo = Math.min(w, adx);
  const hi = Math.max(lo, w - adx);
  for (let y = y0; y < y1; y++) {
    const drow = (y - e0) * w;
    const brow = (y - y0) * w;
    const qrow = (y + dy < h ? y + dy : h - 1) * w;
    const py = y - dy;
    const hasBack = py >= e0;
    const prow = py * w;
    // The weight of the pair (p − o, p) sits at p − o in the weight plane.
    const dback = (py - e0) * w - dx;
    if (hasBack) {
      const qshift = 3 * (qrow + dx);
      const pshift = 3 * (prow - dx);
      for (let x = lo; x < hi; x++) {
        const w1 = weight[drow + x] as number;
        const w2 = weight[dback + x] as number;
        if (w1 === 0 && w2 === 0) continue;
        const bi = brow + x;
        const a = 4 * bi;
        const q = qshift + 3 * x;
        const p = pshift + 3 * x;
        acc[a] = (acc[a] as number) + w1 * (ycc[q] as number) + w2 * (ycc[p] as number);
        acc[a + 1] = (acc[a + 1] as number) + w1 * (ycc[q + 1] as number) + w2 * (ycc[p + 1] as number);
        acc[a + 2] = (acc[a + 2] as number) + w1 * (ycc[q + 2] as number) + w2 * (ycc[p + 2] as number);
        acc[a + 3] = (acc[a + 3] as number) + w1 + w2;
        const m = w1 > w2 ? w1 : w2;
        if (m > (wMax[bi] as number)) wMax[bi] = m;
      }
    }
    for (let x = 0; x < w; x++) {
      if (hasBack && x >= lo && x < hi) {
        x = hi - 1;
        continue;
      }
      const bi = brow + x;
      const w1 = weight[drow + x] as number;
      if (w1 > 0) addNeighbour(acc, wMax, ycc, bi, qrow + (x + dx < 0 ? 0 : x + dx >= w ? w - 1 : x + dx), w1);
      const px = x - dx;
      if (!hasBack || px < 0 || px >= w) continue;
      const w2 = weight[dback + x] as number;
      if (w2 > 0) addNeighbour(acc, wMax, ycc, bi, prow + px, w2);
    }
  }
}

/** The weighted means back to RGB; the centre pixel weighs as much as its most similar neighbour. */
function writeBand(band: NlmBand, src: Uint8ClampedArray, out: Uint8ClampedArray, y0: number, y1: number): void {
  const { w, ycc, acc, wMax } = band;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const bi = (y - y0) * w + x;
      const a = 4 * bi;
      const self = Math.max(wMax[bi] as number, 1e-3);
      const total = (acc[a + 3] as number) + self;
      const yv = ((acc[a] as number) + self * (ycc[3 * i] as number)) / total;
      const cb = ((acc[a + 1] as number) + self * (ycc[3 * i + 1] as number)) / total;
      const cr = ((acc[a + 2] as number) + self * (ycc[3 * i + 2] as number)) / total;
      const p = i * 4;
      out[p] = toByte(yv + 1.402 * cr);
      out[p + 1] = toByte(yv - 0.344136 * cb - 0.714136 * cr);
      out[p + 2] = toByte(yv + 1.772 * cb);
      out[p + 3] = src[p + 3] as number;
    }
  }
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
    // x − r − 1 < 0 up to x = r; x + r > last from x = w − r.
    const midStart = Math.min(w, r + 1);
    const midEnd = Math.max(midStart, w - r);
    for (let x = 1; x < midStart; x++) {
      acc += (src[row + (x + r > last ? last : x + r)] as number) - (src[row] as number);
      tmp[row + x] = acc;
    }
    for (let x = midStart; x < midEnd; x++) {
      acc += (src[row + x + r] as number) - (src[row + x - r - 1] as number);
      tmp[row + x] = acc;
    }
    for (let x = Math.max(1, midEnd); x < w; x++) {
      acc += (src[row + last] as number) - (src[row + (x - r - 1 < 0 ? 0 : x - r - 1)] as number);
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
 * JPEG blocking
 * ------------------------------------------------------------------------------------------- */

const BLOCK = 8;

/**
 * How blocky the image is: the mean luma step across the 8-pixel grid (at its strongest phase)
 * over the mean step elsewhere, in both directions. About 1 for a photo; 1.3 and up for a
 * heavily compressed JPEG. Also returns the grid phase and the mean step across it.
 */
export function measureBlockiness(image: RgbaImage): { ratio: number; phaseX: number; phaseY: number; step: number } {
  assertImage(image);
  const { width: w, height: h } = image;
  if (w < 4 * BLOCK || h < 4 * BLOCK) return { ratio: 1, phaseX: 0, phaseY: 0, step: 0 };
  const Y = lumaPlane(image);
  const col = new Float64Array(BLOCK);
  const row = new Float64Array(BLOCK);
  const stride = Math.max(1, Math.floor((w * h) / 2_000_000));
  for (let y = 1; y < h; y += stride) {
    for (let x = 1; x < w; x++) {
      const i = y * w + x;
      const m = x % BLOCK;
      col[m] = (col[m] as number) + Math.abs((Y[i] as number) - (Y[i - 1] as number));
      const n = y % BLOCK;
      row[n] = (row[n] as number) + Math.abs((Y[i] as number) - (Y[i - w] as number));
    }
  }
  const phase = (sums: Float64Array): { phase: number; ratio: number; step: number; rest: number } => {
    let best = 0;
    for (let k = 1; k < BLOCK; k++) if ((sums[k] as number) > (sums[best] as number)) best = k;
    let rest = 0;
    for (let k = 0; k < BLOCK; k++) if (k !== best) rest += sums[k] as number;
    rest /= BLOCK - 1;
    const step = sums[best] as number;
    return { phase: best, ratio: rest > 0 ? Math.min(10, step / rest) : step > 0 ? 10 : 1, step, rest };
  };
  const px = phase(col);
  const py = phase(row);
  const samples = Math.ceil((h - 1) / stride) * (w - 1);
  const perBoundary = (v: number): number => (v / samples) * BLOCK;
  return {
    ratio: Math.min(px.ratio, py.ratio),
    phaseX: px.phase,
    phaseY: py.phase,
    step: (perBoundary(px.step) - perBoundary(px.rest) + perBoundary(py.step) - perBoundary(py.rest)) / 2,
  };
}

/**
 * Smooths the steps a heavily compressed JPEG leaves at its 8×8 block edges: where the step
 * between the two pixels at a block edge is small (not a real edge: below a threshold set by the
 * measured blockiness) and both sides are flat, a ramp over three pixels each side takes out
 * three quarters of it. Real edges and texture are left alone. Null-op when not blocky.
 */
export function deblock(image: RgbaImage, blockiness = measureBlockiness(image)): RgbaImage {
  assertImage(image);
  const { width: w, height: h } = image;
  const out = new Uint8ClampedArray(image.data);
  if (blockiness.ratio < 1.15 || blockiness.step <= 0) return { width: w, height: h, data: out };
  const alpha = Math.min(40, 4 + 3 * blockiness.step);
  const beta = alpha / 2;
  const Y = lumaPlane(image);
  const filter = (p2: number, p1: number, p0: number, q0: number, q1: number, q2: number, yp1: number, yp0: number, yq0: number, yq1: number): void => {
    const d = yq0 - yp0;
    if (Math.abs(d) >= alpha || Math.abs(yp1 - yp0) >= beta || Math.abs(yq1 - yq0) >= beta) return;
    for (let c = 0; c < 3; c++) {
      const step = (out[q0 + c] as number) - (out[p0 + c] as number);
      out[p2 + c] = toByte((out[p2 + c] as number) + step / 8);
      out[p1 + c] = toByte((out[p1 + c] as number) + (2 * step) / 8);
      out[p0 + c] = toByte((out[p0 + c] as number) + (3 * step) / 8);
      out[q0 + c] = toByte((out[q0 + c] as number) - (3 * step) / 8);
      out[q1 + c] = toByte((out[q1 + c] as number) - (2 * step) / 8);
      out[q2 + c] = toByte((out[q2 + c] as number) - step / 8);
    }
  };
  // Vertical block edges: between x − 1 and x where x ≡ phaseX (mod 8).
  for (let x = blockiness.phaseX || BLOCK; x + 2 < w; x += BLOCK) {
    if (x < 3) continue;
    for (let y = 0; y < h; y++) {
      const i = y * w + x;
      filter(4 * (i - 3), 4 * (i - 2), 4 * (i - 1), 4 * i, 4 * (i + 1), 4 * (i + 2), Y[i - 2] as number, Y[i - 1] as number, Y[i] as number, Y[i + 1] as number);
    }
  }
  for (let y = blockiness.phaseY || BLOCK; y + 2 < h; y += BLOCK) {
    if (y < 3) continue;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      filter(4 * (i - 3 * w), 4 * (i - 2 * w), 4 * (i - w), 4 * i, 4 * (i + w), 4 * (i + 2 * w), Y[i - 2 * w] as number, Y[i - w] as number, Y[i] as number, Y[i + w] as number);
    }
  }
  return { width: w, height: h, data: out };
}

/* ---------------------------------------------------------------------------------------------
 * Dust and scratches
 * ------------------------------------------------------------------------------------------- */

export interface DefectOptions {
  /** Noise sigma (levels); raises the detection threshold on grainy scans. Default: estimated. */
  sigma?: number;
  /** Minimum contrast of a defect against its surroundings in levels (default 40). */
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
 * Finds dust specks and thin scratches. Seeds are pixels much darker than the image's
 * morphological closing, or much brighter than its opening (a square of side 2r + 1, r growing
 * with the image, so features narrower than that stand out), by more than the threshold and more
 * than three times the luma deviation around them (a defect dominates a calm neighbourhood; in
 * texture or at an edge it is one feature of many), and not in a dense cluster of seeds (grain).
 * Each seed's region is grown over pixels of at least 45% of that contrast and 1.5 times the
 * deviation (hysteresis) and judged whole: kept if small and compact (dust) or long, thin and straight (a scratch). Hair,
 * whiskers, wood grain and lattice work are mostly left alone; catch-lights in eyes and stars can
 * be taken for dust, which is why the repair is its own layer.
 */
export function detectDefects(image: RgbaImage, options: DefectOptions = {}): DefectResult {
  assertImage(image);
  const { width: w, height: h } = image;
  const empty: DefectResult = { mask: { width: w, height: h, data: new Uint8ClampedArray(w * h) }, dust: 0, scratches: 0, pixels: 0 };
  if (w < 8 || h < 8) return empty;
  const r = Math.max(2, Math.round(Math.min(w, h) / 500));
  const sigma = options.sigma ?? estimateNoise(image);
  const threshold = Math.max(options.threshold ?? 40, 4 * sigma);
  const Y = lumaPlane(image);
  const closing = minFilter(maxFilter(Y, w, h, r), w, h, r);
  const opening = maxFilter(minFilter(Y, w, h, r), w, h, r);
  // A defect dominates a calm neighbourhood; in texture or at an edge it is one feature of many.
  // A line of contrast A fills ~1/10 of the window, so the window's deviation stays near A/3.
  const spread = localDeviation(Y, w, h, 4 * r + 2);
  const strong = new Uint8Array(w * h);
  const weak = new Uint8Array(w * h);
  const alpha = image.data;
  for (let i = 0; i < strong.length; i++) {
    if ((alpha[i * 4 + 3] as number) < 128) continue;
    const dark = (closing[i] as number) - (Y[i] as number);
    const bright = (Y[i] as number) - (opening[i] as number);
    const contrast = dark > bright ? dark : bright;
    if (contrast > 0.45 * threshold && contrast > 1.5 * (spread[i] as number)) weak[i] = 1;
    if (contrast > threshold && contrast > 3 * (spread[i] as number)) strong[i] = 1;
  }
  // Defects are sparse; fine texture (wood grain, gravel, lace) fires everywhere at once.
  const density = boxMean(Float32Array.from(strong), w, h, 5 * r + 10);
  for (let i = 0; i < strong.length; i++) if ((density[i] as number) > 0.06) strong[i] = 0;
  // Hysteresis: a defect's shape is judged on everything faintly like it around a strong seed,
  // so a bright fragment of a whisker is seen whole (long and curved) and kept out.
  const maxDustArea = Math.max(24, Math.round(6 * (r + 1) * (r + 1)));
  const minScratchLength = Math.max(16 * r, Math.round(Math.min(w, h) / 10));
  const keep = new Uint8Array(w * h);
  let dust = 0;
  let scratches = 0;
  forEachComponent(weak, w, h, (pixels, minX, minY, maxX, maxY) => {
    if (!pixels.some((i) => strong[i] === 1)) return;
    const area = pixels.length;
    const extent = Math.max(maxX - minX + 1, maxY - minY + 1);
    const isDust = area <= maxDustArea && extent <= 2 * r + 4;
    const isScratch = !isDust && extent >= minScratchLength && isStraightLine(pixels, w, r);
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

/**
 * Whether a component is a straight thin line: its pixels' spread across their main axis (the
 * smaller principal deviation) is under about half the structuring radius, i.e. it is at most
 * r pixels wide and does not bend. Scratches on prints and film are straight; hair and grain curve.
 */
function isStraightLine(pixels: number[], w: number, r: number): boolean {
  let sx = 0;
  let sy = 0;
  for (const i of pixels) {
    sx += i % w;
    sy += Math.floor(i / w);
  }
  const n = pixels.length;
  const mx = sx / n;
  const my = sy / n;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (const i of pixels) {
    const dx = (i % w) - mx;
    const dy = Math.floor(i / w) - my;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  xx /= n;
  yy /= n;
  xy /= n;
  const mean = (xx + yy) / 2;
  const root = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  const minor = Math.sqrt(Math.max(0, mean - root));
  return minor <= 0.5 * r + 0.5;
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

/** Standard deviation in a (2r + 1)² window around each pixel. */
function localDeviation(plane: Float32Array, w: number, h: number, r: number): Float32Array {
  const squares = new Float32Array(plane.length);
  for (let i = 0; i < plane.length; i++) squares[i] = (plane[i] as number) * (plane[i] as number);
  const mean = boxMean(plane, w, h, r);
  const meanSquare = boxMean(squares, w, h, r);
  for (let i = 0; i < mean.length; i++) {
    const m = mean[i] as number;
    const v = (meanSquare[i] as number) - m * m;
    mean[i] = v > 0 ? Math.sqrt(v) : 0;
  }
  return mean;
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
 * Method: Sobel gradients of the lightly blurred luma (at most 0.5 MP), the orientation of strong edges folded
 * onto −20°..20° around horizontal/vertical, a magnitude-weighted histogram in 0.25° bins, and
 * a weighted mean around its peak. The peak must hold a clear share of the edge energy.
 */
export function estimateTilt(image: RgbaImage): number | null {
  const proxy = proxyOf(image, 500_000);
  const { width: w, height: h } = proxy;
  if (w < 16 || h < 16) return null;
  // A little blur first: on the staircase of a sharp slanted edge, raw gradients lean to the axes.
  const Y = blurPlane(lumaPlane(proxy), w, h, 1.5);
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
  return Math.round(-tilt * 10) / 10 || 0;
}

/* ---------------------------------------------------------------------------------------------
 * Subject and background (the mask comes from a segmentation model in the main process)
 * ------------------------------------------------------------------------------------------- */

/**
 * Edge-aware refinement of a coarse mask (He, Sun and Tang, "Guided Image Filtering", 2010):
 * the mask, upsampled from the model's 256×256, is made to follow the edges of the photo's luma
 * within a (2r + 1)² window; `eps` (on 0..1 values) sets how strong an edge must be to be followed.
 * Returns 0..1 values.
 */
export function guidedFilter(guide: Float32Array, mask: Float32Array, w: number, h: number, r: number, eps: number): Float32Array {
  const n = w * h;
  const I = new Float32Array(n);
  const II = new Float32Array(n);
  const Ip = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (guide[i] as number) / 255;
    I[i] = v;
    II[i] = v * v;
    Ip[i] = v * (mask[i] as number);
  }
  const meanI = boxMean(I, w, h, r);
  const meanP = boxMean(mask, w, h, r);
  const meanII = boxMean(II, w, h, r);
  const meanIp = boxMean(Ip, w, h, r);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mi = meanI[i] as number;
    const variance = (meanII[i] as number) - mi * mi;
    const covariance = (meanIp[i] as number) - mi * (meanP[i] as number);
    const ai = covariance / (variance + eps);
    a[i] = ai;
    b[i] = (meanP[i] as number) - ai * mi;
  }
  const meanA = boxMean(a, w, h, r);
  const meanB = boxMean(b, w, h, r);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const q = (meanA[i] as number) * (I[i] as number) + (meanB[i] as number);
    out[i] = q < 0 ? 0 : q > 1 ? 1 : q;
  }
  return out;
}

/**
 * The full-size subject mask from a model's coarse probabilities (`coarse`, cw × ch, 0..1):
 * bilinear upsampling, then a guided filter on the photo's luma so the edge follows hair and
 * shoulders rather than the model's 256-pixel grid. 255 = subject.
 */
export function refineSubjectMask(image: RgbaImage, coarse: Float32Array, cw: number, ch: number): Mask {
  assertImage(image);
  const { width: w, height: h } = image;
  const up = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(ch - 1, Math.max(0, ((y + 0.5) * ch) / h - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(cw - 1, Math.max(0, ((x + 0.5) * cw) / w - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const fx = sx - x0;
      const top = (coarse[y0 * cw + x0] as number) * (1 - fx) + (coarse[y0 * cw + x1] as number) * fx;
      const bottom = (coarse[y1 * cw + x0] as number) * (1 - fx) + (coarse[y1 * cw + x1] as number) * fx;
      up[y * w + x] = top * (1 - fy) + bottom * fy;
    }
  }
  const r = Math.max(2, Math.round(Math.min(w, h) / 120));
  const refined = w * h > 0 ? guidedFilter(lumaPlane(image), up, w, h, r, 1e-3) : up;
  const data = new Uint8ClampedArray(w * h);
  for (let i = 0; i < data.length; i++) data[i] = toByte((refined[i] as number) * 255);
  return { width: w, height: h, data };
}

/** Share of the image the mask covers (0..1), counting partial coverage. */
export function maskCoverage(mask: Mask): number {
  let sum = 0;
  for (let i = 0; i < mask.data.length; i++) sum += mask.data[i] as number;
  return mask.data.length === 0 ? 0 : sum / (255 * mask.data.length);
}

/**
 * A layer of the blurred background: the photo blurred with the subject left out of the average
 * (so no halo of the subject spreads into the background), opaque where the background is and
 * transparent over the subject, with the mask's soft edge in between.
 */
export function backgroundBlurLayer(image: RgbaImage, subject: Mask, radius: number): RgbaImage {
  assertImage(image);
  assertMask(subject);
  const { width: w, height: h } = image;
  const n = w * h;
  const weight = new Float32Array(n);
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const bg = 1 - (subject.data[i] as number) / 255;
    weight[i] = bg;
    for (let c = 0; c < 3; c++) (planes[c] as Float32Array)[i] = bg * (image.data[i * 4 + c] as number);
  }
  const sigma = Math.max(0.5, radius / 2);
  const blurredWeight = blurPlane(weight, w, h, sigma);
  const blurred = planes.map((plane) => blurPlane(plane, w, h, sigma));
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const bw = blurredWeight[i] as number;
    const p = i * 4;
    for (let c = 0; c < 3; c++) out[p + c] = bw > 1e-4 ? toByte(((blurred[c] as Float32Array)[i] as number) / bw) : (image.data[p + c] as number);
    out[p + 3] = toByte(((weight[i] as number) * (image.data[p + 3] as number)) | 0);
  }
  return { width: w, height: h, data: out };
}

/** The subject cut out: the photo's colour, alpha from the subject mask. */
export function cutOutLayer(image: RgbaImage, subject: Mask): RgbaImage {
  assertImage(image);
  assertMask(subject);
  const out = new Uint8ClampedArray(image.data);
  for (let i = 0; i < subject.data.length; i++) out[i * 4 + 3] = toByte(((subject.data[i] as number) * (image.data[i * 4 + 3] as number)) / 255);
  return { width: image.width, height: image.height, data: out };
}
