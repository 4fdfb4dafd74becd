/** What the local engine makes of an instruction: a plan of actions, or a refusal that says why. */
import type { Adjustment } from '../imaging/types.js';

/** A message in both languages the local engine speaks. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** Geometry as asked ("rotate left", "crop to 4:5"); resolveTransform turns it into a DocTransform change. */
export type TransformIntent =
  /** Clockwise quarter turns relative to the current orientation. */
  | { type: 'rotate'; quarterTurns: 1 | 2 | 3 }
  /** As seen on screen, after the current rotation. */
  | { type: 'flip'; direction: 'horizontal' | 'vertical' }
  | { type: 'cropAspect'; width: number; height: number }
  /** Degrees added to the current straighten angle (positive = clockwise). */
  | { type: 'straighten'; degrees: number };

/** Parametric steps whose numbers are measured from the image when the step is made. */
export type AutoOp = 'autoLevels' | 'removeColourCast' | 'fixFade' | 'autoStraighten';

/** Steps that make new pixels (a raster layer); they cannot be recomputed from parameters. */
export type RasterOp = 'denoise' | 'removeDefects' | 'upscale2x' | 'blurBackground' | 'removeBackground';

export interface RasterParams {
  /** Multiplies the measured strength (1 = as measured; "a little" 0.5, "much" 2). */
  strength: number;
}

export type LocalAction =
  /** An adjustment layer, editable afterwards in the layers panel. */
  | { kind: 'adjustment'; name: string; adjustment: Adjustment }
  | { kind: 'transform'; name: string; transform: TransformIntent }
  /**
   * An adjustment layer whose parameters are read from the image. `force`: the person asked for
   * it by name, so it is made even for a small correction (a restoration skips those).
   */
  | { kind: 'auto'; name: string; op: AutoOp; force: boolean }
  /** `optional`: part of a restoration; skipped (and said so) when the image does not need it. */
  | { kind: 'raster'; name: string; op: RasterOp; params: RasterParams; optional: boolean };

export type RefusalCode =
  | 'empty'
  | 'noWords'
  | 'tooLong'
  | 'addObjects'
  | 'removeObjects'
  | 'faces'
  | 'text'
  | 'scene'
  | 'region'
  | 'subjectMask'
  | 'history'
  | 'upscaleFactor'
  | 'unknown';

export interface LocalRefusal {
  refused: true;
  code: RefusalCode;
  reason: Bilingual;
  /** Whether a cloud model could do it: offer to queue it for Gemini. */
  cloudable: boolean;
}

export interface LocalPlanSteps {
  refused: false;
  /** The instruction as understood (trimmed), for the steps' provenance. */
  instruction: string;
  actions: LocalAction[];
}

export type LocalPlan = LocalPlanSteps | LocalRefusal;

/** What the local engine can do on this machine beyond the always-present kernels. */
export interface LocalCapabilities {
  /** A subject-segmentation model is installed: background blur and removal are possible. */
  subjectMask?: boolean;
}
