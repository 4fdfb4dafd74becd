/** The pixel kernels: pure functions over RgbaImage / Mask (see types.ts). */
export type { Adjustment, AdjustmentKind, BlendMode, ChannelLevels, CurvePoint, Mask, RgbaImage } from './types.js';
export { BLEND_MODES } from './types.js';
export { applyAdjustment, type AdjustOptions } from './adjust.js';
export { applyAdjustmentLayer, compositeLayer, type AdjustmentLayerOptions, type CompositeOptions } from './blend.js';
export { crop, flip, resizeBilinear, rotate90, rotateArbitrary, straightenZoom, type FlipDirection, type Rect } from './transform.js';
export { emptyMask, featherMask, invertMask, paintStroke, resizeMask, type BrushStroke } from './mask.js';
export { radiusToSigma } from './convolve.js';
