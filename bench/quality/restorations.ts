/**
 * The restoration sub-step that answers each degradation, run the way the local engine's worker
 * runs it (the same kernels from electron/services/local/tasks.ts, on the calling thread, without
 * the render and PNG around them), and the least improvement the tests accept for each.
 */
import { measureImage, rasterImage } from '../../electron/services/local/tasks.js';
import { applyAdjustment, compositeLayer, type RgbaImage } from '../../shared/imaging/index.js';
import type { DegradationKind } from './degradations.js';

function removeDefects(image: RgbaImage): RgbaImage {
  const patch = rasterImage(image, 'removeDefects', 1, true).image;
  return patch ? compositeLayer(image, patch, { blendMode: 'normal', opacity: 1 }) : image;
}

/** Restores a degraded image with the engine's sub-step for that degradation. */
export const RESTORATIONS: Record<DegradationKind, (image: RgbaImage) => RgbaImage> = {
  noise: (image) => rasterImage(image, 'denoise', 1, true).image ?? image,
  jpeg: (image) => rasterImage(image, 'denoise', 1, true).image ?? image,
  fade: (image) => {
    let out = image;
    for (const kind of ['autoLevels', 'colourCast', 'fade'] as const) {
      const measured = measureImage(out, kind, false);
      if (measured.type === 'measure' && measured.adjustment) out = applyAdjustment(out, measured.adjustment);
    }
    return out;
  },
  cast: (image) => {
    const measured = measureImage(image, 'colourCast', false);
    return measured.type === 'measure' && measured.adjustment ? applyAdjustment(image, measured.adjustment) : image;
  },
  blur: (image) => applyAdjustment(image, { kind: 'sharpen', amount: 80, radius: 1 }),
  scratches: removeDefects,
  dust: removeDefects,
};

/** The engine's sub-steps by name, for tables. */
export const RESTORATION_NAMES: Record<DegradationKind, string> = {
  noise: 'denoise',
  jpeg: 'denoise (deblocks first)',
  fade: 'auto levels + colour cast + fade',
  cast: 'remove colour cast',
  blur: 'sharpen 80%, radius 1',
  scratches: 'remove dust and scratches',
  dust: 'remove dust and scratches',
};

/**
 * The least improvement accepted on every sample photo: dB of PSNR, SSIM points, and dB of PSNR
 * inside the damage where it is local.
 */
export const RESTORE_MARGINS: Record<DegradationKind, { psnr: number; ssim: number; inMask?: number }> = {
  noise: { psnr: 6, ssim: 0.3 },
  fade: { psnr: 2, ssim: 0.04 },
  cast: { psnr: 5, ssim: 0.01 },
  blur: { psnr: 0.15, ssim: 0.004 },
  jpeg: { psnr: 0.1, ssim: 0.005 },
  scratches: { psnr: 3, ssim: 0.003, inMask: 4 },
  dust: { psnr: 2, ssim: 0.005, inMask: 5 },
};
