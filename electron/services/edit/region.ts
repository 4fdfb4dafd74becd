/**
 * Masked edits: what to send (the region's crop with context padding, at the model's working
 * size) and how to bring the answer back (resized to the region, colour-matched on the context,
 * composited through the feathered mask). Pixels outside the mask end up fully transparent in the
 * new layer, so everything below stays bit-identical.
 */
import sharp from 'sharp';
import { crop } from '../../../shared/imaging/index.js';
import type { Mask, RgbaImage } from '../../../shared/imaging/types.js';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Aspect ratios the image models accept, as numbers. */
const RATIOS: [string, number][] = [
  ['1:1', 1],
  ['2:3', 2 / 3],
  ['3:2', 3 / 2],
  ['3:4', 3 / 4],
  ['4:3', 4 / 3],
  ['4:5', 4 / 5],
  ['5:4', 5 / 4],
  ['9:16', 9 / 16],
  ['16:9', 16 / 9],
  ['21:9', 21 / 9],
];

export function nearestAspectRatio(width: number, height: number): string {
  const target = Math.log(width / height);
  let best = RATIOS[0]!;
  for (const ratio of RATIOS) if (Math.abs(Math.log(ratio[1]) - target) < Math.abs(Math.log(best[1]) - target)) best = ratio;
  return best[0];
}

/** The bounding box of a mask's non-zero pixels, or null for an empty mask. */
export function maskBounds(mask: Mask): Region | null {
  let minX = mask.width;
  let minY = mask.height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[row + x]! > 0) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** Grows a box by context padding (a quarter of its size, at least 32 px), clamped to the image. */
export function padRegion(box: Region, imageWidth: number, imageHeight: number): Region {
  const padX = Math.max(32, Math.round(box.width / 4));
  const padY = Math.max(32, Math.round(box.height / 4));
  const x = Math.max(0, box.x - padX);
  const y = Math.max(0, box.y - padY);
  return {
    x,
    y,
    width: Math.min(imageWidth, box.x + box.width + padX) - x,
    height: Math.min(imageHeight, box.y + box.height + padY) - y,
  };
}

/** Encodes a region of the composite at the working size: PNG, no metadata at all. */
export async function encodeForUpload(image: RgbaImage, region: Region, workingEdge: number): Promise<Buffer> {
  const part = region.x === 0 && region.y === 0 && region.width === image.width && region.height === image.height ? image : crop(image, region);
  const scale = Math.min(1, workingEdge / Math.max(part.width, part.height));
  return sharp(Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength), {
    raw: { width: part.width, height: part.height, channels: 4 },
  })
    .resize(Math.max(1, Math.round(part.width * scale)), Math.max(1, Math.round(part.height * scale)), { kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Decodes an answer to RGBA at exactly the region's size. */
export async function decodeAnswer(bytes: Uint8Array, region: Region): Promise<RgbaImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: 100_000_000 })
    .resize(region.width, region.height, { fit: 'fill', kernel: 'lanczos3' })
    .toColorspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Builds the new layer's pixels for a region: the answer, shifted per channel so that it matches
 * the original on the unmasked context around the edit (the seam), with alpha = the feathered mask.
 * Without a mask the answer covers the region fully.
 */
export function compositeAnswer(answer: RgbaImage, original: RgbaImage, region: Region, mask: Mask | null): RgbaImage {
  const out = new Uint8ClampedArray(region.width * region.height * 4);
  const offset = [0, 0, 0];
  if (mask) {
    // Colour drift measured where the model redrew context that is not to change.
    const sum = [0, 0, 0];
    let count = 0;
    for (let y = 0; y < region.height; y++) {
      for (let x = 0; x < region.width; x++) {
        const m = mask.data[(region.y + y) * mask.width + region.x + x]!;
        if (m !== 0) continue;
        const a = (y * region.width + x) * 4;
        const o = ((region.y + y) * original.width + region.x + x) * 4;
        for (let c = 0; c < 3; c++) sum[c]! += original.data[o + c]! - answer.data[a + c]!;
        count++;
      }
    }
    if (count > 0) for (let c = 0; c < 3; c++) offset[c] = sum[c]! / count;
  }
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const a = (y * region.width + x) * 4;
      const alpha = mask ? mask.data[(region.y + y) * mask.width + region.x + x]! : 255;
      if (alpha === 0) continue;
      out[a] = answer.data[a]! + offset[0]!;
      out[a + 1] = answer.data[a + 1]! + offset[1]!;
      out[a + 2] = answer.data[a + 2]! + offset[2]!;
      out[a + 3] = alpha;
    }
  }
  return { width: region.width, height: region.height, data: out };
}
