/**
 * Where things are on the canvas. The render pipeline (shared/document/render.ts) composites the
 * layers in DOCUMENT pixels, then flips, turns, straightens and crops; the screen shows the
 * result, the OUTPUT. Brush strokes and dropped layers are placed in document pixels, so pointer
 * positions on the output are mapped back here, exactly inverting the pipeline's geometry.
 */
import type { CropRect, DocTransform, LayerStack } from '../../shared/document/model.js';
import { straightenZoom } from '../../shared/imaging/index.js';
import { sinCosDegrees } from '../../shared/imaging/util.js';

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

function turns(transform: DocTransform): number {
  return ((transform.quarterTurns % 4) + 4) % 4;
}

/** The size after flips, quarter turns and straighten (which keeps the size), before the crop. */
export function rotatedSize(stack: Pick<LayerStack, 'width' | 'height' | 'transform'>): Size {
  return turns(stack.transform) % 2 === 1 ? { width: stack.height, height: stack.width } : { width: stack.width, height: stack.height };
}

/** The crop as the renderer applies it (clipped to the rotated image), or null for none. */
export function effectiveCrop(stack: Pick<LayerStack, 'width' | 'height' | 'transform'>): CropRect | null {
  const crop = stack.transform.crop;
  if (!crop) return null;
  const { width, height } = rotatedSize(stack);
  const x = clamp(crop.x, 0, width - 1);
  const y = clamp(crop.y, 0, height - 1);
  return { x, y, width: clamp(crop.width, 1, width - x), height: clamp(crop.height, 1, height - y) };
}

/** The output's size in document pixels (what the screen shows at 100 %). */
export function outputSize(stack: Pick<LayerStack, 'width' | 'height' | 'transform'>): Size {
  const crop = effectiveCrop(stack);
  return crop ? { width: crop.width, height: crop.height } : rotatedSize(stack);
}

/** A point on the output (document units) → the document pixel under it. */
export function outputToDocument(stack: Pick<LayerStack, 'width' | 'height' | 'transform'>, point: Point): Point {
  const t = stack.transform;
  const rotated = rotatedSize(stack);
  let { x, y } = point;
  const crop = effectiveCrop(stack);
  if (crop) {
    x += crop.x;
    y += crop.y;
  }
  if (t.straighten !== 0) {
    // The inverse map rotateArbitrary itself uses: source = R(−θ)·(dest − centre)/zoom + centre.
    const { sin, cos } = sinCosDegrees(t.straighten);
    const zoom = straightenZoom(rotated.width, rotated.height, t.straighten);
    const cx = rotated.width / 2;
    const cy = rotated.height / 2;
    const dx = x - cx;
    const dy = y - cy;
    x = (cos * dx + sin * dy) / zoom + cx;
    y = (-sin * dx + cos * dy) / zoom + cy;
  }
  const w = stack.width;
  const h = stack.height;
  switch (turns(t)) {
    case 1: // clockwise: (x, y) → (h − y, x)
      [x, y] = [y, h - x];
      break;
    case 2:
      [x, y] = [w - x, h - y];
      break;
    case 3: // counter-clockwise: (x, y) → (y, w − x)
      [x, y] = [w - y, x];
      break;
  }
  if (t.flipVertical) y = h - y;
  if (t.flipHorizontal) x = w - x;
  return { x, y };
}

/** A document pixel → where it shows on the output (the inverse of outputToDocument). */
export function documentToOutput(stack: Pick<LayerStack, 'width' | 'height' | 'transform'>, point: Point): Point {
  const t = stack.transform;
  const w = stack.width;
  const h = stack.height;
  let { x, y } = point;
  if (t.flipHorizontal) x = w - x;
  if (t.flipVertical) y = h - y;
  switch (turns(t)) {
    case 1:
      [x, y] = [h - y, x];
      break;
    case 2:
      [x, y] = [w - x, h - y];
      break;
    case 3:
      [x, y] = [y, w - x];
      break;
  }
  const rotated = rotatedSize(stack);
  if (t.straighten !== 0) {
    const { sin, cos } = sinCosDegrees(t.straighten);
    const zoom = straightenZoom(rotated.width, rotated.height, t.straighten);
    const cx = rotated.width / 2;
    const cy = rotated.height / 2;
    const dx = (x - cx) * zoom;
    const dy = (y - cy) * zoom;
    x = cos * dx - sin * dy + cx;
    y = sin * dx + cos * dy + cy;
  }
  const crop = effectiveCrop(stack);
  if (crop) {
    x -= crop.x;
    y -= crop.y;
  }
  return { x, y };
}

/** How much bigger one document pixel looks on the output (straighten zooms in). */
export function outputZoom(stack: Pick<LayerStack, 'width' | 'height' | 'transform'>): number {
  const rotated = rotatedSize(stack);
  return stack.transform.straighten === 0 ? 1 : straightenZoom(rotated.width, rotated.height, stack.transform.straighten);
}

/** A crop rect carried through a quarter turn of the image it lies on (`size` = before the turn). */
export function turnCrop(crop: CropRect, size: Size, clockwise: boolean): CropRect {
  return clockwise
    ? { x: size.height - crop.y - crop.height, y: crop.x, width: crop.height, height: crop.width }
    : { x: crop.y, y: size.width - crop.x - crop.width, width: crop.height, height: crop.width };
}

/** The largest rect of the given aspect (width / height) centred in `size`. */
export function fitAspect(size: Size, aspect: number): CropRect {
  let width = size.width;
  let height = width / aspect;
  if (height > size.height) {
    height = size.height;
    width = height * aspect;
  }
  return { x: (size.width - width) / 2, y: (size.height - height) / 2, width, height };
}

export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
