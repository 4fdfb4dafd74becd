/**
 * Geometric transforms. All return new images; inputs are never modified.
 * Coordinates: pixel (x, y) covers [x, x+1) × [y, y+1); its centre is (x + 0.5, y + 0.5).
 */
import type { RgbaImage } from './types.js';
import { fromPlanes, resamplePlane, resampleTaps, toPlanes } from './convolve.js';
import { assertDimension, assertImage, cloneImage, sinCosDegrees, toByte } from './util.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type FlipDirection = 'horizontal' | 'vertical';

/**
 * Cuts out `rect`. Edges are rounded to whole pixels (x0 = round(x), x1 = round(x + width), so
 * adjacent rects tile exactly) and clipped to the image. Throws RangeError if nothing is left.
 */
export function crop(image: RgbaImage, rect: Rect): RgbaImage {
  assertImage(image);
  for (const [key, value] of Object.entries(rect)) {
    if (!Number.isFinite(value)) throw new RangeError(`crop rect ${key} must be finite (got ${String(value)})`);
  }
  const x0 = Math.max(0, Math.round(rect.x));
  const y0 = Math.max(0, Math.round(rect.y));
  const x1 = Math.min(image.width, Math.round(rect.x + rect.width));
  const y1 = Math.min(image.height, Math.round(rect.y + rect.height));
  const width = x1 - x0;
  const height = y1 - y0;
  if (width <= 0 || height <= 0) {
    throw new RangeError(`crop rect ${JSON.stringify(rect)} does not overlap the ${image.width}×${image.height} image`);
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const rowBytes = width * 4;
  for (let y = 0; y < height; y++) {
    const start = ((y0 + y) * image.width + x0) * 4;
    out.set(image.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return { width, height, data: out };
}

export function flip(image: RgbaImage, direction: FlipDirection): RgbaImage {
  assertImage(image);
  const { width, height, data } = image;
  const out = new Uint8ClampedArray(data.length);
  const rowBytes = width * 4;
  if (direction === 'vertical') {
    for (let y = 0; y < height; y++) {
      const start = (height - 1 - y) * rowBytes;
      out.set(data.subarray(start, start + rowBytes), y * rowBytes);
    }
  } else if (direction === 'horizontal') {
    if (data.byteOffset % 4 === 0) {
      const src32 = new Uint32Array(data.buffer, data.byteOffset, width * height);
      const dst32 = new Uint32Array(out.buffer, 0, width * height);
      for (let y = 0; y < height; y++) {
        const row = y * width;
        const end = row + width - 1;
        for (let x = 0; x < width; x++) dst32[row + x] = src32[end - x] as number;
      }
    } else {
      for (let y = 0; y < height; y++) {
        const row = y * width;
        for (let x = 0; x < width; x++) {
          const s = (row + width - 1 - x) * 4;
          const d = (row + x) * 4;
          out[d] = data[s] as number;
          out[d + 1] = data[s + 1] as number;
          out[d + 2] = data[s + 2] as number;
          out[d + 3] = data[s + 3] as number;
        }
      }
    }
  } else {
    throw new RangeError(`unknown flip direction ${String(direction)}`);
  }
  return { width, height, data: out };
}

/**
 * Rotates by `quarterTurns` × 90°, clockwise on screen for positive values (any integer; taken
 * modulo 4). Odd turns swap width and height.
 */
export function rotate90(image: RgbaImage, quarterTurns: number): RgbaImage {
  assertImage(image);
  if (!Number.isInteger(quarterTurns)) throw new RangeError(`quarterTurns must be an integer (got ${quarterTurns})`);
  const turns = ((quarterTurns % 4) + 4) % 4;
  if (turns === 0) return cloneImage(image);
  if (turns === 2) return flip(flip(image, 'horizontal'), 'vertical');
  const { width: w, height: h } = image;
  const src = new Uint32Array(w * h);
  new Uint8Array(src.buffer).set(image.data);
  const dst = new Uint32Array(w * h); // output is h wide, w tall
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = src[y * w + x] as number;
      if (turns === 1) dst[x * h + (h - 1 - y)] = v; // clockwise: (x, y) → (h−1−y, x)
      else dst[(w - 1 - x) * h + y] = v; // counter-clockwise: (x, y) → (y, w−1−x)
    }
  }
  return { width: h, height: w, data: new Uint8ClampedArray(dst.buffer) };
}

/**
 * The zoom rotateArbitrary applies so the rotated image covers the whole frame: the smallest s
 * with s ≥ (W·|cos θ| + H·|sin θ|)/W and s ≥ (W·|sin θ| + H·|cos θ|)/H, i.e. the output rectangle,
 * rotated back, fits inside the source scaled by s about the centre.
 */
export function straightenZoom(width: number, height: number, degrees: number): number {
  const { sin, cos } = sinCosDegrees(degrees);
  const c = Math.abs(cos);
  const s = Math.abs(sin);
  if (width === 0 || height === 0) return 1;
  return Math.max((width * c + height * s) / width, (width * s + height * c) / height);
}

/**
 * Rotates by `degrees` about the centre (positive = clockwise on screen, as CSS rotate()),
 * keeping the size and zooming in by straightenZoom(width, height, degrees) so no empty corners
 * appear. Bilinear sampling with premultiplied alpha, clamped to the edge.
 */
export function rotateArbitrary(image: RgbaImage, degrees: number): RgbaImage {
  assertImage(image);
  const { sin, cos } = sinCosDegrees(degrees);
  if (sin === 0 && cos === 1) return cloneImage(image);
  const { width: w, height: h, data } = image;
  const zoom = straightenZoom(w, h, degrees);
  const out = new Uint8ClampedArray(data.length);
  const cx = w / 2;
  const cy = h / 2;
  // Inverse map: source = R(−θ)·(dest − centre)/zoom + centre, in pixel-centre coordinates.
  const a = cos / zoom;
  const b = sin / zoom;
  const lastX = w - 1;
  const lastY = h - 1;
  for (let y = 0; y < h; y++) {
    const dy = y + 0.5 - cy;
    for (let x = 0; x < w; x++) {
      const dx = x + 0.5 - cx;
      let sx = a * dx + b * dy + cx - 0.5;
      let sy = -b * dx + a * dy + cy - 0.5;
      sx = sx < 0 ? 0 : sx > lastX ? lastX : sx;
      sy = sy < 0 ? 0 : sy > lastY ? lastY : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const x1 = x0 < lastX ? x0 + 1 : x0;
      const y1 = y0 < lastY ? y0 + 1 : y0;
      const p00 = (y0 * w + x0) * 4;
      const p10 = (y0 * w + x1) * 4;
      const p01 = (y1 * w + x0) * 4;
      const p11 = (y1 * w + x1) * 4;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const a00 = w00 * (data[p00 + 3] as number);
      const a10 = w10 * (data[p10 + 3] as number);
      const a01 = w01 * (data[p01 + 3] as number);
      const a11 = w11 * (data[p11 + 3] as number);
      const alpha = a00 + a10 + a01 + a11;
      const o = (y * w + x) * 4;
      out[o + 3] = toByte(alpha);
      if (alpha <= 0) continue;
      for (let c = 0; c < 3; c++) {
        const sum =
          a00 * (data[p00 + c] as number) + a10 * (data[p10 + c] as number) + a01 * (data[p01 + c] as number) + a11 * (data[p11 + c] as number);
        out[o + c] = toByte(sum / alpha);
      }
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Resizes to width × height: bilinear with aligned pixel centres, or area-averaging along an axis
 * reduced by more than 2× (so proxies do not alias). Premultiplied alpha. Same size → copy.
 */
export function resizeBilinear(image: RgbaImage, width: number, height: number): RgbaImage {
  assertImage(image);
  assertDimension(width, 'width');
  assertDimension(height, 'height');
  if (width === image.width && height === image.height) return cloneImage(image);
  if (width === 0 || height === 0) return { width, height, data: new Uint8ClampedArray(width * height * 4) };
  if (image.width === 0 || image.height === 0) throw new RangeError('cannot resize an empty image to a non-empty size');
  const planes = toPlanes(image);
  const xTaps = resampleTaps(image.width, width);
  const yTaps = resampleTaps(image.height, height);
  const resize = (plane: Float32Array): Float32Array => resamplePlane(plane, image.width, image.height, width, height, xTaps, yTaps);
  const [r, g, b] = planes.color;
  return fromPlanes({
    width,
    height,
    color: [resize(r), resize(g), resize(b)],
    alpha: planes.alpha === null ? null : resize(planes.alpha),
  });
}
