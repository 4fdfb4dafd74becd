/** Turns a geometry intent ("rotate left", "crop to 4:5") into the change of the document's transform. */
import type { CropRect, DocTransform } from '../document/model.js';
import type { TransformIntent } from './types.js';

/** The size of the image the crop rectangle refers to: the document after its quarter turns. */
export function orientedSize(width: number, height: number, quarterTurns: number): { width: number; height: number } {
  return quarterTurns % 2 === 0 ? { width, height } : { width: height, height: width };
}

/**
 * The partial transform that does what was asked, relative to the current one. Rotating or
 * flipping carries an existing crop along (so the same part of the photo stays cropped);
 * cropping to an aspect ratio takes the largest centred rectangle of that shape inside the
 * current crop (or the whole photo). Null when nothing would change.
 */
export function resolveTransform(intent: TransformIntent, size: { width: number; height: number }, current: DocTransform): Partial<DocTransform> | null {
  const oriented = orientedSize(size.width, size.height, current.quarterTurns);
  switch (intent.type) {
    case 'rotate': {
      const quarterTurns = (current.quarterTurns + intent.quarterTurns) % 4;
      const change: Partial<DocTransform> = { quarterTurns };
      if (current.crop) change.crop = rotateRect(current.crop, oriented, intent.quarterTurns);
      return change;
    }
    case 'flip': {
      // Flips apply before the quarter turns: on a sideways photo, a flip on screen is the other axis.
      const sideways = current.quarterTurns % 2 === 1;
      const horizontalInSource = (intent.direction === 'horizontal') !== sideways;
      const change: Partial<DocTransform> = horizontalInSource ? { flipHorizontal: !current.flipHorizontal } : { flipVertical: !current.flipVertical };
      if (current.crop) {
        const c = current.crop;
        change.crop =
          intent.direction === 'horizontal'
            ? { ...c, x: oriented.width - c.x - c.width }
            : { ...c, y: oriented.height - c.y - c.height };
      }
      return change;
    }
    case 'cropAspect': {
      const region = current.crop ?? { x: 0, y: 0, width: oriented.width, height: oriented.height };
      const aspect = intent.width / intent.height;
      let width = region.width;
      let height = Math.round(width / aspect);
      if (height > region.height) {
        height = region.height;
        width = Math.round(height * aspect);
      }
      width = Math.max(1, Math.min(region.width, width));
      height = Math.max(1, Math.min(region.height, height));
      const crop: CropRect = {
        x: Math.round(region.x + (region.width - width) / 2),
        y: Math.round(region.y + (region.height - height) / 2),
        width,
        height,
      };
      if (current.crop && sameRect(current.crop, crop)) return null;
      if (!current.crop && width === oriented.width && height === oriented.height) return null;
      return { crop };
    }
    case 'straighten': {
      const straighten = Math.max(-45, Math.min(45, Math.round((current.straighten + intent.degrees) * 10) / 10));
      return straighten === current.straighten ? null : { straighten };
    }
  }
}

/** A crop rectangle after turning its image by quarter turns clockwise. */
function rotateRect(rect: CropRect, size: { width: number; height: number }, turns: number): CropRect {
  let r = rect;
  let { width, height } = size;
  for (let i = 0; i < turns; i++) {
    // Clockwise: (x, y) → (height − y, x) in an image `width × height`, which becomes height × width.
    r = { x: height - r.y - r.height, y: r.x, width: r.height, height: r.width };
    [width, height] = [height, width];
  }
  return r;
}

function sameRect(a: CropRect, b: CropRect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
