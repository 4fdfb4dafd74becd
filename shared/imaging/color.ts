/** Colour-space helpers on 0..1 floats (no allocation in hot loops: results go to `out`). */

/** Rec.709 luma weights, applied to the sRGB-encoded values (as video luma Y′ is). */
export const LUMA_R = 0.2126;
export const LUMA_G = 0.7152;
export const LUMA_B = 0.0722;

/**
 * RGB → HSL (h in 0..6 sextants, s and l in 0..1), written to out[0..2].
 * Achromatic colours get h = 0, s = 0.
 */
export function rgbToHsl(r: number, g: number, b: number, out: Float64Array): void {
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const l = (max + min) / 2;
  const chroma = max - min;
  if (chroma === 0) {
    out[0] = 0;
    out[1] = 0;
    out[2] = l;
    return;
  }
  const s = l <= 0.5 ? chroma / (max + min) : chroma / (2 - max - min);
  let h: number;
  if (max === r) {
    h = (g - b) / chroma;
    if (h < 0) h += 6;
  } else if (max === g) {
    h = (b - r) / chroma + 2;
  } else {
    h = (r - g) / chroma + 4;
  }
  out[0] = h;
  out[1] = s;
  out[2] = l;
}

function hueToChannel(p: number, q: number, t: number): number {
  // t in sextants, 0..6
  if (t < 0) t += 6;
  else if (t >= 6) t -= 6;
  if (t < 1) return p + (q - p) * t;
  if (t < 3) return q;
  if (t < 4) return p + (q - p) * (4 - t);
  return p;
}

/** HSL (h in sextants 0..6) → RGB 0..1, written to out[0..2]. */
export function hslToRgb(h: number, s: number, l: number, out: Float64Array): void {
  if (s === 0) {
    out[0] = l;
    out[1] = l;
    out[2] = l;
    return;
  }
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  out[0] = hueToChannel(p, q, h + 2);
  out[1] = hueToChannel(p, q, h);
  out[2] = hueToChannel(p, q, h - 2);
}
