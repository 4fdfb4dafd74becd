/**
 * Pixel types shared by the renderer (on-screen) and the main process (export). Images are
 * 8-bit sRGB RGBA, not premultiplied, row-major, `data.length === width * height * 4`.
 */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A mask: one byte per pixel, 255 = fully applied, 0 = untouched. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export const BLEND_MODES = ['normal', 'multiply', 'screen', 'overlay', 'softLight', 'color', 'luminosity'] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

/** A point of a tone curve, both in 0..255. */
export interface CurvePoint {
  x: number;
  y: number;
}

/** Every adjustment and its parameters; ranges are validated by the contract's zod schemas. */
export type Adjustment =
  | { kind: 'exposure'; stops: number } // -5..5
  | { kind: 'brightness'; amount: number } // -100..100
  | { kind: 'contrast'; amount: number } // -100..100
  | { kind: 'saturation'; amount: number } // -100..100
  | { kind: 'vibrance'; amount: number } // -100..100
  | { kind: 'temperatureTint'; temperature: number; tint: number } // -100..100 each
  | { kind: 'hue'; degrees: number } // -180..180
  | { kind: 'blackWhite' }
  | { kind: 'sepia'; amount: number } // 0..100
  | { kind: 'blur'; radius: number } // 0..100 px at full resolution
  | { kind: 'sharpen'; amount: number; radius: number } // amount 0..500 (%), radius 0.1..10 px
  | { kind: 'levels'; inBlack: number; inWhite: number; gamma: number; outBlack: number; outWhite: number } // 0..255, gamma 0.1..10
  | { kind: 'curve'; points: CurvePoint[] } // 2..16 points, x increasing
  | ChannelLevels;

/**
 * Levels per colour channel (output 0..255): black and white points 0..255 (black below white),
 * gamma 0.1..10. What colour-cast removal and fade recovery produce: a tinted black point, a
 * tinted white point and a midtone cast are each three numbers here.
 */
export interface ChannelLevels {
  kind: 'channelLevels';
  redBlack: number;
  redWhite: number;
  redGamma: number;
  greenBlack: number;
  greenWhite: number;
  greenGamma: number;
  blueBlack: number;
  blueWhite: number;
  blueGamma: number;
}

export type AdjustmentKind = Adjustment['kind'];
