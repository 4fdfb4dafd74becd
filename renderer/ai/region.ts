import type { MaskStroke } from '../../shared/document/model.js';

/** A region painted for the next AI edit: like a selection, it is not part of the history. */
export interface AiRegion {
  strokes: MaskStroke[];
  inverted: boolean;
  /** Feather radius in document pixels. */
  feather: number;
}

export const EMPTY_REGION: AiRegion = { strokes: [], inverted: false, feather: 8 };

/** The prompt bar's brush on the region, or null when it is not painting. */
export type RegionTool = 'brush' | 'eraser' | null;
