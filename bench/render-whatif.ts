/**
 * The what-if this module measured (fast paths, fused LUTs, masks in their window, the canvas
 * kept below the changed layer) is now shared/document/render.ts itself: `renderStack` and
 * `createIncrementalRenderer`. What is left are the two names other benchmarks still import
 * (export-child.ts, edit-child.ts), answering with the real code; drop this file once they call
 * render.ts directly.
 */
import type { LayerMask, LayerStack } from '../shared/document/model.js';
import { createIncrementalRenderer, rasterizeMask, renderStack, type SourceLookup } from '../shared/document/render.js';
import type { Mask, RgbaImage } from '../shared/imaging/index.js';

/** rasterizeMask, which now paints in the strokes' window itself. */
export function rasterizeMaskWindowed(mask: LayerMask, width: number, height: number, scale: number): Mask {
  return rasterizeMask(mask, width, height, scale);
}

export interface WhatIfRenderer {
  render(stack: LayerStack, sources: SourceLookup, scale: number): RgbaImage;
}

/** `interactive`: the editor's incremental renderer; otherwise renderStack. */
export function whatIfRenderer(interactive: boolean): WhatIfRenderer {
  const incremental = interactive ? createIncrementalRenderer() : null;
  return {
    render(stack, sources, scale) {
      return (incremental ? incremental.render(stack, sources, { scale }) : renderStack(stack, sources, { scale })).image;
    },
  };
}
