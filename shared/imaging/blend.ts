/**
 * Compositing and blending after W3C "Compositing and Blending Level 1"
 * (https://www.w3.org/TR/compositing-1/), on straight (non-premultiplied) 8-bit RGBA.
 *
 * compositeLayer: source-over with blending. With Cs/αs the layer (αs = layer alpha × opacity ×
 * mask/255) and Cb/αb the image below:
 *   αo = αs + αb·(1 − αs)
 *   Co = [αs·(1 − αb)·Cs + αs·αb·B(Cb, Cs) + (1 − αs)·αb·Cb] / αo
 * Where αs is 0 (mask 0, opacity 0, transparent layer pixel) the pixel below is copied unchanged.
 *
 * applyAdjustmentLayer: Photoshop adjustment-layer semantics. The adjusted pixels are blended
 * onto the original as if both were opaque and mixed by k = opacity × mask/255:
 *   Co = (1 − k)·Cb + k·B(Cb, adjusted), αo = αb
 * i.e. W3C source-atop of the adjusted image onto an opaque backdrop; the backdrop's alpha is
 * kept, so an adjustment never changes transparency. For an opaque backdrop this is exactly
 * compositeLayer(below, applyAdjustment(below), …).
 *
 * Blend functions B(Cb, Cs) on 0..1: normal Cs; multiply Cb·Cs; screen Cb + Cs − Cb·Cs;
 * overlay HardLight(Cs, Cb) (condition on the backdrop); softLight the W3C definition
 * (D(Cb) = ((16Cb − 12)Cb + 4)Cb for Cb ≤ 0.25, else √Cb); color SetLum(Cs, Lum(Cb));
 * luminosity SetLum(Cb, Lum(Cs)), with Lum = 0.3R + 0.59G + 0.11B and ClipColor.
 *
 * With a mask, only the mask's non-zero bounding box is computed: outside it αs is 0 and the
 * pixel below is copied, exactly as the per-pixel loop would. A pointwise adjustment is likewise
 * applied to that box alone (each of its output pixels depends on that input pixel only). In normal
 * mode a LUT adjustment or a saturation is computed inside the blend's loop, only where the blend
 * uses it: the same expressions in the same order, so the same bytes.
 */
import type { Adjustment, BlendMode, Mask, RgbaImage } from './types.js';
import { applyAdjustment, fusedKernel, isPointwise, type FusedKernel } from './adjust.js';
import { LUMA_B, LUMA_G, LUMA_R } from './color.js';
import { cropMask, maskBounds, type PixelRect } from './mask.js';
import { crop } from './transform.js';
import { UNIT, assertImage, assertMask, cloneImage, isOpaque, toByte, wordsOf } from './util.js';

export interface CompositeOptions {
  blendMode: BlendMode;
  /** 0..1 */
  opacity: number;
  mask?: Mask | null;
  /** The mask's non-zero bounding box when the caller knows it (see maskBounds); else computed. */
  maskBounds?: PixelRect | null;
}

export interface AdjustmentLayerOptions {
  /** 0..1 (default 1) */
  opacity?: number;
  /** Default 'normal'. */
  blendMode?: BlendMode;
  mask?: Mask | null;
  /** The mask's non-zero bounding box when the caller knows it (see maskBounds); else computed. */
  maskBounds?: PixelRect | null;
  /** Render scale for spatial adjustments (see applyAdjustment). */
  scale?: number;
}

export function compositeLayer(below: RgbaImage, layer: RgbaImage, options: CompositeOptions): RgbaImage {
  const mask = options.mask ?? null;
  return composite(below, layer, options.blendMode, options.opacity, mask, false, mask ? regionOf(mask, options.maskBounds) : whole(below));
}

export function applyAdjustmentLayer(below: RgbaImage, adjustment: Adjustment, options: AdjustmentLayerOptions = {}): RgbaImage {
  const opacity = options.opacity ?? 1;
  const mask = options.mask ?? null;
  checkOpacity(opacity);
  if (opacity === 0) {
    assertImage(below, 'below');
    return { width: below.width, height: below.height, data: new Uint8ClampedArray(below.data) };
  }
  const scale = options.scale ?? 1;
  if (mask) {
    checkMaskSize(below, mask);
    const region = regionOf(mask, options.maskBounds);
    if (region.width * region.height < below.width * below.height) {
      if (region.width === 0) return cloneImage(below);
      // Kernel and blend in one pass over the box, on the image itself (outside the box the
      // pixels below are copied, as the paste below leaves them).
      if ((options.blendMode ?? 'normal') === 'normal' && wordsOf(below.data)) {
        const fused = fusedKernel(below, adjustment, { scale });
        if (fused && inside(region, below)) return adjustFused(below, fused, opacity, mask, region);
      }
      if (!isPointwise(adjustment)) return composite(below, applyAdjustment(below, adjustment, { scale }), options.blendMode ?? 'normal', opacity, mask, true, region);
      // The kernel on the box alone, blended there, pasted into a copy of the image below.
      const box = crop(below, region);
      const part = composite(box, applyAdjustment(box, adjustment, { scale }), options.blendMode ?? 'normal', opacity, cropMask(mask, region), true, whole(box));
      const out = cloneImage(below);
      paste(out, part, region.x, region.y);
      return out;
    }
  }
  const plain = opacity === 1 && !mask && (options.blendMode ?? 'normal') === 'normal';
  if (!plain && (options.blendMode ?? 'normal') === 'normal' && wordsOf(below.data)) {
    const fused = fusedKernel(below, adjustment, { scale });
    if (fused) return adjustFused(below, fused, opacity, mask, whole(below));
  }
  const adjusted = applyAdjustment(below, adjustment, { scale });
  // Full strength, normal, unmasked over an opaque backdrop: (1 − 1)·below + 1·adjusted is the
  // adjusted image itself, and the blend pass is most of a frame's cost. (Fully transparent pixels
  // below are otherwise copied as they were, so the shortcut needs an opaque backdrop.)
  if (opacity === 1 && !mask && (options.blendMode ?? 'normal') === 'normal' && isOpaque(below)) return adjusted;
  return composite(below, adjusted, options.blendMode ?? 'normal', opacity, mask, true, whole(below));
}

/** Copies `part` into `image` with its top-left corner at (x, y); it must fit. */
export function paste(image: RgbaImage, part: RgbaImage, x: number, y: number): void {
  const rowBytes = part.width * 4;
  for (let row = 0; row < part.height; row++) {
    image.data.set(part.data.subarray(row * rowBytes, (row + 1) * rowBytes), ((y + row) * image.width + x) * 4);
  }
}

function whole(image: { width: number; height: number }): PixelRect {
  return { x: 0, y: 0, width: image.width, height: image.height };
}

/** The mask's non-zero box (an empty rect at 0,0 when it has none). */
function regionOf(mask: Mask, known: PixelRect | null | undefined): PixelRect {
  const bounds = known === undefined ? maskBounds(mask) : known;
  return bounds ?? { x: 0, y: 0, width: 0, height: 0 };
}

function checkMaskSize(image: RgbaImage, mask: Mask): void {
  assertMask(mask);
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new RangeError(`mask is ${mask.width}×${mask.height}, image is ${image.width}×${image.height}`);
  }
}

function checkOpacity(opacity: number): void {
  if (!(opacity >= 0 && opacity <= 1)) throw new RangeError(`opacity must be in 0..1 (got ${opacity})`);
}

/* ---------------------------------------------------------------------------------------------
 * Blend functions
 * ------------------------------------------------------------------------------------------- */

function softLightD(cb: number): number {
  return cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : Math.sqrt(cb);
}

/** Separable blend B(cb, cs) for one channel, 0..1. */
function separable(mode: BlendMode, cb: number, cs: number): number {
  switch (mode) {
    case 'multiply':
      return cb * cs;
    case 'screen':
      return cb + cs - cb * cs;
    case 'overlay': {
      // HardLight(Cs, Cb): the roles are swapped, the condition is on the backdrop.
      if (cb <= 0.5) return cs * (2 * cb);
      const b2 = 2 * cb - 1;
      return cs + b2 - cs * b2;
    }
    case 'softLight':
      if (cs <= 0.5) return cb - (1 - 2 * cs) * cb * (1 - cb);
      return cb + (2 * cs - 1) * (softLightD(cb) - cb);
    default:
      return cs;
  }
}

function lum(r: number, g: number, b: number): number {
  return 0.3 * r + 0.59 * g + 0.11 * b;
}

/** SetLum(C, l) followed by ClipColor, written to out[0..2]. */
function setLum(r: number, g: number, b: number, l: number, out: Float64Array): void {
  const d = l - lum(r, g, b);
  r += d;
  g += d;
  b += d;
  const ll = lum(r, g, b);
  const n = Math.min(r, g, b);
  const x = Math.max(r, g, b);
  if (n < 0) {
    const s = ll / (ll - n);
    r = ll + (r - ll) * s;
    g = ll + (g - ll) * s;
    b = ll + (b - ll) * s;
  }
  if (x > 1) {
    const s = (1 - ll) / (x - ll);
    r = ll + (r - ll) * s;
    g = ll + (g - ll) * s;
    b = ll + (b - ll) * s;
  }
  out[0] = r;
  out[1] = g;
  out[2] = b;
}

/** B(Cb, Cs) for all three channels (0..1), written to out. */
function blendPixel(mode: BlendMode, br: number, bg: number, bb: number, sr: number, sg: number, sb: number, out: Float64Array): void {
  switch (mode) {
    case 'normal':
      out[0] = sr;
      out[1] = sg;
      out[2] = sb;
      return;
    case 'color':
      setLum(sr, sg, sb, lum(br, bg, bb), out);
      return;
    case 'luminosity':
      setLum(br, bg, bb, lum(sr, sg, sb), out);
      return;
    default:
      out[0] = separable(mode, br, sr);
      out[1] = separable(mode, bg, sg);
      out[2] = separable(mode, bb, sb);
  }
}

/* ---------------------------------------------------------------------------------------------
 * The compositing loop
 * ------------------------------------------------------------------------------------------- */

/**
 * composite's atop branch for the normal mode (B(Cb, Cs) = Cs), the common adjustment layer: the
 * same expressions without the per-pixel dispatch on the mode.
 */
function adjustNormal(bd: Uint8ClampedArray, ld: Uint8ClampedArray, md: Uint8ClampedArray | null, opacity: number, out: Uint8ClampedArray, width: number, region: PixelRect): void {
  for (let y = region.y; y < region.y + region.height; y++) {
    const rowStart = y * width + region.x;
    const rowEnd = rowStart + region.width;
    for (let i = rowStart, p = rowStart * 4; i < rowEnd; i++, p += 4) {
      const as = md !== null ? opacity * (UNIT[md[i] as number] as number) : opacity;
      const ab8 = bd[p + 3] as number;
      if (as <= 0 || ab8 === 0) {
        out[p] = bd[p] as number;
        out[p + 1] = bd[p + 1] as number;
        out[p + 2] = bd[p + 2] as number;
        out[p + 3] = ab8;
        continue;
      }
      const br = UNIT[bd[p] as number] as number;
      const bg = UNIT[bd[p + 1] as number] as number;
      const bb = UNIT[bd[p + 2] as number] as number;
      out[p] = toByte((br + ((UNIT[ld[p] as number] as number) - br) * as) * 255);
      out[p + 1] = toByte((bg + ((UNIT[ld[p + 1] as number] as number) - bg) * as) * 255);
      out[p + 2] = toByte((bb + ((UNIT[ld[p + 2] as number] as number) - bb) * as) * 255);
      out[p + 3] = ab8;
    }
  }
}

/** Whether `rect` is whole pixels inside `image` (a caller's maskBounds could be anything). */
function inside(rect: PixelRect, image: RgbaImage): boolean {
  const { x, y, width, height } = rect;
  return Number.isInteger(x) && Number.isInteger(y) && Number.isInteger(width) && Number.isInteger(height) && x >= 0 && y >= 0 && width >= 0 && height >= 0 && x + width <= image.width && y + height <= image.height;
}

/**
 * applyAdjustmentLayer in normal mode for a LUT adjustment or a saturation: the kernel and
 * adjustNormal's blend in one pass over `region`, the kernel only where the blend uses it (αs > 0
 * and the pixel below not transparent). The same expressions as the kernel followed by
 * adjustNormal, so the same bytes; outside `region` the pixels below are copied.
 */
function adjustFused(below: RgbaImage, kernel: FusedKernel, opacity: number, mask: Mask | null, region: PixelRect): RgbaImage {
  const out = new Uint8ClampedArray(below.data);
  // Callers check that the pixels are word-aligned (wordsOf).
  const words = wordsOf(below.data)!;
  const into = wordsOf(out)!;
  // No mask is a mask of 255 everywhere: opacity · UNIT[255] is opacity · 1, the same number.
  const md = mask ? mask.data : new Uint8ClampedArray(below.width * below.height).fill(255);
  const strength = STRENGTH;
  for (let m = 0; m < 256; m++) strength[m] = opacity * (UNIT[m] as number);
  if (kernel.luts) lutNormal(words, md, into, below.width, region, kernel.luts[0], kernel.luts[1], kernel.luts[2]);
  else if (kernel.factor === 1) lutNormal(words, md, into, below.width, region, IDENTITY, IDENTITY, IDENTITY);
  else saturateNormal(words, md, into, below.width, region, kernel.factor);
  return { width: below.width, height: below.height, data: out };
}

/**
 * αs = opacity · mask/255 for each mask byte, filled by adjustFused for the call at hand (never read
 * across calls). A module constant, so the loops below look it up at a known address.
 */
const STRENGTH = new Float64Array(256);

/** A saturation of factor 1 leaves each byte as it is. */
const IDENTITY = Uint8ClampedArray.from({ length: 256 }, (_, v) => v);

/*
 * The fused loops write only where the blend changes something (`into` starts as a copy of the
 * pixels below). Where αs is exactly 1 the blend's toByte((Cb + (Cs − Cb)·1)·255) is Cs's byte for
 * every pair of bytes (checked for all 65536 in the tests), so the adjusted pixel is written as is.
 */

function saturateNormal(words: Uint32Array, md: Uint8ClampedArray, into: Uint32Array, width: number, region: PixelRect, factor: number): void {
  for (let y = region.y; y < region.y + region.height; y++) {
    const rowStart = y * width + region.x;
    const rowEnd = rowStart + region.width;
    for (let i = rowStart; i < rowEnd; i++) {
      const as = STRENGTH[md[i] as number] as number;
      const v = words[i] as number;
      if (as <= 0 || v < 0x1000000) continue;
      const r = v & 255;
      const g = (v >>> 8) & 255;
      const b = (v >>> 16) & 255;
      // applySaturation's expressions (its factor-1 case, a copy, goes through lutNormal).
      const l = LUMA_R * r + LUMA_G * g + LUMA_B * b;
      into[i] = mixWord(v, r, g, b, toByte(l + (r - l) * factor), toByte(l + (g - l) * factor), toByte(l + (b - l) * factor), as);
    }
  }
}

/**
 * adjustNormal's blend of one pixel: the pixel below `v` (bytes r, g, b) and its adjusted bytes
 * (sr, sg, sb) at strength αs > 0, alpha kept.
 */
function mixWord(v: number, r: number, g: number, b: number, sr: number, sg: number, sb: number, as: number): number {
  if (as === 1) return (v & 0xff000000) | (sb << 16) | (sg << 8) | sr;
  const br = UNIT[r] as number;
  const bg = UNIT[g] as number;
  const bb = UNIT[b] as number;
  return (
    (v & 0xff000000) |
    (toByte((bb + ((UNIT[sb] as number) - bb) * as) * 255) << 16) |
    (toByte((bg + ((UNIT[sg] as number) - bg) * as) * 255) << 8) |
    toByte((br + ((UNIT[sr] as number) - br) * as) * 255)
  );
}

function lutNormal(words: Uint32Array, md: Uint8ClampedArray, into: Uint32Array, width: number, region: PixelRect, lr: Uint8ClampedArray, lg: Uint8ClampedArray, lb: Uint8ClampedArray): void {
  for (let y = region.y; y < region.y + region.height; y++) {
    const rowStart = y * width + region.x;
    const rowEnd = rowStart + region.width;
    for (let i = rowStart; i < rowEnd; i++) {
      const as = STRENGTH[md[i] as number] as number;
      const v = words[i] as number;
      if (as <= 0 || v < 0x1000000) continue;
      const r = v & 255;
      const g = (v >>> 8) & 255;
      const b = (v >>> 16) & 255;
      into[i] = mixWord(v, r, g, b, lr[r] as number, lg[g] as number, lb[b] as number, as);
    }
  }
}

/** The blend inside `region` (outside it αs is 0: the pixel below, copied). */
function composite(below: RgbaImage, layer: RgbaImage, mode: BlendMode, opacity: number, mask: Mask | null, atop: boolean, region: PixelRect): RgbaImage {
  assertImage(below, 'below');
  assertImage(layer, 'layer');
  checkOpacity(opacity);
  if (below.width !== layer.width || below.height !== layer.height) {
    throw new RangeError(`layer is ${layer.width}×${layer.height}, below is ${below.width}×${below.height}`);
  }
  if (mask) checkMaskSize(below, mask);
  const bd = below.data;
  const ld = layer.data;
  const md = mask ? mask.data : null;
  const partial = region.width * region.height < below.width * below.height;
  const out = partial ? new Uint8ClampedArray(bd) : new Uint8ClampedArray(bd.length);
  if (atop && mode === 'normal') {
    adjustNormal(bd, ld, md, opacity, out, below.width, region);
    return { width: below.width, height: below.height, data: out };
  }
  const blended = new Float64Array(3);
  for (let y = region.y; y < region.y + region.height; y++) {
    const rowStart = y * below.width + region.x;
    const rowEnd = rowStart + region.width;
    for (let i = rowStart, p = rowStart * 4; i < rowEnd; i++, p += 4) {
      let k = opacity;
      if (md !== null) k *= UNIT[md[i] as number] as number;
      const as = atop ? k : k * (UNIT[ld[p + 3] as number] as number);
      const ab8 = bd[p + 3] as number;
      if (as <= 0 || (atop && ab8 === 0)) {
        out[p] = bd[p] as number;
        out[p + 1] = bd[p + 1] as number;
        out[p + 2] = bd[p + 2] as number;
        out[p + 3] = ab8;
        continue;
      }
      const br = UNIT[bd[p] as number] as number;
      const bg = UNIT[bd[p + 1] as number] as number;
      const bb = UNIT[bd[p + 2] as number] as number;
      const sr = UNIT[ld[p] as number] as number;
      const sg = UNIT[ld[p + 1] as number] as number;
      const sb = UNIT[ld[p + 2] as number] as number;
      blendPixel(mode, br, bg, bb, sr, sg, sb, blended);
      const xr = blended[0] as number;
      const xg = blended[1] as number;
      const xb = blended[2] as number;
      if (atop) {
        out[p] = toByte((br + (xr - br) * as) * 255);
        out[p + 1] = toByte((bg + (xg - bg) * as) * 255);
        out[p + 2] = toByte((bb + (xb - bb) * as) * 255);
        out[p + 3] = ab8;
        continue;
      }
      const ab = UNIT[ab8] as number;
      const ao = as + ab * (1 - as);
      const wS = as * (1 - ab); // weight of the plain source colour
      const wB = as * ab; // weight of the blended colour
      const wD = (1 - as) * ab; // weight of the backdrop
      const scale = 255 / ao;
      out[p] = toByte((wS * sr + wB * xr + wD * br) * scale);
      out[p + 1] = toByte((wS * sg + wB * xg + wD * bg) * scale);
      out[p + 2] = toByte((wS * sb + wB * xb + wD * bb) * scale);
      out[p + 3] = toByte(ao * 255);
    }
  }
  return { width: below.width, height: below.height, data: out };
}
