import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOperation, type LayerMask, type LayerStack, type MaskStroke, type Operation } from '../../../shared/document/model.js';
import { balancedBands, canRenderInBands, createIncrementalRenderer, rasterizeMask, renderStack, splitRows, type RenderResult, type RowBand, type SourceLookup } from '../../../shared/document/render.js';
import { isPointwise } from '../../../shared/imaging/adjust.js';
import {
  applyAdjustmentLayer,
  compositeLayer,
  crop,
  emptyMask,
  featherMask,
  flip,
  invertMask,
  paintStroke,
  resizeBilinear,
  rotate90,
  rotateArbitrary,
  type Adjustment,
  type BlendMode,
  type Mask,
  type RgbaImage,
} from '../../../shared/imaging/index.js';
import { noise } from '../imaging/helpers.js';

/*
 * The renderer skips work whose result is known (fast paths, fused LUTs, masks in their window,
 * adjustments in the mask's box, canvases kept between frames). These tests hold it to the plain
 * loop it replaced: every layer through applyAdjustmentLayer / compositeLayer on the whole canvas,
 * every mask painted and feathered on the whole canvas.
 */

/** The straightforward renderer: renderStack as it was before the fast paths. */
function referenceRender(stack: LayerStack, sources: SourceLookup, scale: number, layerLimit?: number): { image: RgbaImage; broken: string[] } {
  const width = Math.max(1, Math.round(stack.width * scale));
  const height = Math.max(1, Math.round(stack.height * scale));
  let canvas: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  const broken: string[] = [];
  let empty = true;
  for (const layer of stack.layers.slice(0, layerLimit ?? stack.layers.length)) {
    if (!layer.visible || layer.opacity <= 0) continue;
    const mask = layer.mask ? referenceMask(layer.mask, width, height, scale) : null;
    if (layer.kind === 'adjustment') {
      empty = false;
      canvas = applyAdjustmentLayer(canvas, layer.adjustment, { opacity: layer.opacity, blendMode: layer.blendMode, mask, scale });
      continue;
    }
    const source = sources(layer.sha256);
    if (!source) {
      broken.push(layer.id);
      continue;
    }
    const tw = Math.max(1, Math.round(layer.width * scale));
    const th = Math.max(1, Math.round(layer.height * scale));
    const sized = source.width === tw && source.height === th ? source : resizeBilinear(source, tw, th);
    const placed: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
    const left = Math.round(layer.x * scale);
    const top = Math.round(layer.y * scale);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const sx = x - left;
        const sy = y - top;
        if (sx < 0 || sy < 0 || sx >= tw || sy >= th) continue;
        placed.data.set(sized.data.subarray((sy * tw + sx) * 4, (sy * tw + sx) * 4 + 4), (y * width + x) * 4);
      }
    }
    canvas = empty && !mask && layer.opacity === 1 && layer.blendMode === 'normal' ? placed : compositeLayer(canvas, placed, { blendMode: layer.blendMode, opacity: layer.opacity, mask });
    empty = false;
  }
  const t = stack.transform;
  if (t.flipHorizontal) canvas = flip(canvas, 'horizontal');
  if (t.flipVertical) canvas = flip(canvas, 'vertical');
  if (t.quarterTurns % 4 !== 0) canvas = rotate90(canvas, t.quarterTurns);
  if (t.straighten !== 0) canvas = rotateArbitrary(canvas, t.straighten);
  if (t.crop) {
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
    const x = clamp(Math.round(t.crop.x * scale), 0, canvas.width - 1);
    const y = clamp(Math.round(t.crop.y * scale), 0, canvas.height - 1);
    canvas = crop(canvas, { x, y, width: clamp(Math.round(t.crop.width * scale), 1, canvas.width - x), height: clamp(Math.round(t.crop.height * scale), 1, canvas.height - y) });
  }
  return { image: canvas, broken };
}

/** Every stroke painted and feathered on the whole canvas. */
function referenceMask(mask: LayerMask, width: number, height: number, scale: number): Mask {
  let raster = emptyMask(width, height, 0);
  for (const stroke of mask.strokes) {
    raster = paintStroke(raster, { points: stroke.points.map((p) => ({ x: p.x * scale, y: p.y * scale })), size: Math.max(1, stroke.size * scale), hardness: stroke.hardness, erase: stroke.erase });
  }
  if (mask.feather > 0) raster = featherMask(raster, mask.feather * scale);
  return mask.inverted ? invertMask(raster) : raster;
}

function firstDifference(a: RgbaImage, b: RgbaImage): string | null {
  if (a.width !== b.width || a.height !== b.height) return `size ${a.width}×${a.height} vs ${b.width}×${b.height}`;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return `byte ${i}: ${a.data[i]} vs ${b.data[i]}`;
  return null;
}

const DOC_W = 64;
const DOC_H = 48;
const PHOTO = 'a'.repeat(64);
const OVERLAY = 'c'.repeat(64);
const MISSING = 'f'.repeat(64);

function makeSources(overlayOpaque: boolean): SourceLookup {
  const photo = noise(DOC_W, DOC_H, 7, true);
  const half = noise(32, 24, 9, true);
  const overlay = noise(40, 30, 11, overlayOpaque);
  return (sha) => (sha === PHOTO ? photo : sha === OVERLAY ? overlay : sha === PHOTO.slice(0, 63) + 'h' ? half : undefined);
}

const blendModes: BlendMode[] = ['normal', 'multiply', 'screen', 'overlay', 'softLight', 'color', 'luminosity'];

const arbAdjustment: fc.Arbitrary<Adjustment> = fc.oneof(
  fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'brightness', amount })),
  fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'contrast', amount })),
  fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'saturation', amount })),
  fc.integer({ min: -100, max: 100 }).map((amount): Adjustment => ({ kind: 'vibrance', amount })),
  fc.record({ temperature: fc.integer({ min: -100, max: 100 }), tint: fc.integer({ min: -100, max: 100 }) }).map((t): Adjustment => ({ kind: 'temperatureTint', ...t })),
  fc.integer({ min: -180, max: 180 }).map((degrees): Adjustment => ({ kind: 'hue', degrees })),
  fc.double({ min: -2, max: 2, noNaN: true }).map((stops): Adjustment => ({ kind: 'exposure', stops })),
  fc.integer({ min: 0, max: 100 }).map((amount): Adjustment => ({ kind: 'sepia', amount })),
  fc.constant<Adjustment>({ kind: 'blackWhite' }),
  fc.integer({ min: 1, max: 12 }).map((radius): Adjustment => ({ kind: 'blur', radius })),
  fc.record({ amount: fc.integer({ min: 0, max: 300 }), radius: fc.integer({ min: 1, max: 6 }) }).map((s): Adjustment => ({ kind: 'sharpen', ...s })),
  fc.integer({ min: 20, max: 230 }).map((y): Adjustment => ({ kind: 'curve', points: [{ x: 0, y: 0 }, { x: 128, y }, { x: 255, y: 255 }] })),
  fc.record({ inBlack: fc.integer({ min: 0, max: 100 }), gamma: fc.double({ min: 0.3, max: 3, noNaN: true }) }).map(
    (l): Adjustment => ({ kind: 'levels', inBlack: l.inBlack, inWhite: 255, gamma: l.gamma, outBlack: 0, outWhite: 255 }),
  ),
);

/** Strokes anywhere, partly off the document, soft or hard, painting or erasing. */
const arbStroke: fc.Arbitrary<MaskStroke> = fc.record({
  points: fc.array(fc.record({ x: fc.integer({ min: -10, max: DOC_W + 10 }), y: fc.integer({ min: -10, max: DOC_H + 10 }) }), { minLength: 1, maxLength: 4 }),
  size: fc.integer({ min: 1, max: 20 }),
  hardness: fc.double({ min: 0, max: 1, noNaN: true }),
  erase: fc.boolean(),
});

const arbLayerId = fc.constantFrom('photo', 'a1', 'a2', 'a3', 'overlay', 'gone');

/** Operations that touch one layer (failing ones, e.g. on a missing layer, are skipped). */
const arbOperation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ layerId: arbLayerId, adjustment: arbAdjustment }).map((o): Operation => ({ type: 'setAdjustment', ...o })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ layerId: arbLayerId, opacity: fc.constantFrom(0, 0.3, 0.75, 1), visible: fc.boolean(), blendMode: fc.constantFrom(...blendModes) })
      .map((o): Operation => ({ type: 'setLayerProps', layerId: o.layerId, props: { opacity: o.opacity, visible: o.visible, blendMode: o.blendMode } })),
  },
  { weight: 1, arbitrary: arbLayerId.map((layerId): Operation => ({ type: 'addMask', layerId })) },
  { weight: 3, arbitrary: fc.record({ layerId: arbLayerId, stroke: arbStroke }).map((o): Operation => ({ type: 'paintMask', ...o })) },
  {
    weight: 1,
    arbitrary: fc.record({ layerId: arbLayerId, inverted: fc.boolean(), feather: fc.constantFrom(0, 1, 3, 12, 30) }).map((o): Operation => ({ type: 'setMaskProps', ...o })),
  },
  { weight: 1, arbitrary: arbLayerId.map((layerId): Operation => ({ type: 'clearMask', layerId })) },
  { weight: 1, arbitrary: fc.record({ layerId: arbLayerId, toIndex: fc.integer({ min: 0, max: 5 }) }).map((o): Operation => ({ type: 'moveLayer', ...o })) },
  { weight: 1, arbitrary: arbLayerId.map((layerId): Operation => ({ type: 'deleteLayer', layerId })) },
  {
    weight: 1,
    arbitrary: fc.record({ flipHorizontal: fc.boolean(), quarterTurns: fc.integer({ min: 0, max: 3 }) }).map((t): Operation => ({ type: 'setTransform', transform: t })),
  },
);

function baseStack(overlayAt: { x: number; y: number }): LayerStack {
  const ops: Operation[] = [
    { type: 'addImageLayer', layerId: 'photo', name: 'photo', sha256: PHOTO, x: 0, y: 0, width: DOC_W, height: DOC_H },
    { type: 'addAdjustmentLayer', layerId: 'a1', name: 'a1', adjustment: { kind: 'brightness', amount: 20 } },
    { type: 'addAdjustmentLayer', layerId: 'a2', name: 'a2', adjustment: { kind: 'saturation', amount: 30 } },
    { type: 'addImageLayer', layerId: 'overlay', name: 'overlay', sha256: OVERLAY, x: overlayAt.x, y: overlayAt.y, width: 40, height: 30 },
    { type: 'addImageLayer', layerId: 'gone', name: 'gone', sha256: MISSING, x: 0, y: 0, width: DOC_W, height: DOC_H },
    { type: 'addAdjustmentLayer', layerId: 'a3', name: 'a3', adjustment: { kind: 'curve', points: [{ x: 0, y: 10 }, { x: 128, y: 150 }, { x: 255, y: 240 }] } },
  ];
  return ops.reduce(applyOperation, { width: DOC_W, height: DOC_H, layers: [], transform: { crop: null, quarterTurns: 0, straighten: 0, flipHorizontal: false, flipVertical: false } });
}

function tryApply(stack: LayerStack, op: Operation): LayerStack {
  try {
    return applyOperation(stack, op);
  } catch {
    return stack;
  }
}

describe('renderStack', () => {
  it('matches the plain layer loop for random stacks, scales and layer limits', () => {
    fc.assert(
      fc.property(
        fc.array(arbOperation, { maxLength: 12 }),
        fc.constantFrom(1, 0.5, 0.37),
        fc.boolean(),
        fc.record({ x: fc.integer({ min: -8, max: 30 }), y: fc.integer({ min: -8, max: 20 }) }),
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        (ops, scale, overlayOpaque, overlayAt, layerLimit) => {
          const stack = ops.reduce(tryApply, baseStack(overlayAt));
          const sources = makeSources(overlayOpaque);
          const got = renderStack(stack, sources, { scale, layerLimit });
          const want = referenceRender(stack, sources, scale, layerLimit);
          expect(firstDifference(got.image, want.image)).toBeNull();
          expect(got.broken).toEqual(want.broken);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a photo stored smaller than the document (resized on the way) still matches', () => {
    const sources = makeSources(true);
    const base = baseStack({ x: 0, y: 0 });
    const stack: LayerStack = { ...base, layers: base.layers.map((l) => (l.kind === 'image' && l.id === 'photo' ? { ...l, sha256: PHOTO.slice(0, 63) + 'h' } : l)) };
    for (const scale of [1, 0.5]) expect(firstDifference(renderStack(stack, sources, { scale }).image, referenceRender(stack, sources, scale).image)).toBeNull();
  });

  it('overlapping masked adjustments with LUT layers between them (boxes kept aside, then written out) match', () => {
    const sources = makeSources(true);
    const stroke = (x: number, y: number): MaskStroke => ({ points: [{ x, y }, { x: x + 14, y: y + 6 }], size: 10, hardness: 0.4, erase: false });
    const ops: Operation[] = [
      { type: 'addMask', layerId: 'a2' },
      { type: 'paintMask', layerId: 'a2', stroke: stroke(8, 8) },
      { type: 'setMaskProps', layerId: 'a2', feather: 3 },
      { type: 'addAdjustmentLayer', layerId: 'hue', name: 'hue', adjustment: { kind: 'hue', degrees: 70 } },
      { type: 'addMask', layerId: 'hue' },
      { type: 'paintMask', layerId: 'hue', stroke: stroke(16, 12) },
      { type: 'addAdjustmentLayer', layerId: 'warm', name: 'warm', adjustment: { kind: 'temperatureTint', temperature: 40, tint: 10 } },
      { type: 'deleteLayer', layerId: 'overlay' },
      { type: 'moveLayer', layerId: 'a3', toIndex: 2 },
    ];
    const stack = ops.reduce(applyOperation, baseStack({ x: 0, y: 0 }));
    for (const scale of [1, 0.5]) expect(firstDifference(renderStack(stack, sources, { scale }).image, referenceRender(stack, sources, scale).image)).toBeNull();
  });

  it('never hands back a source buffer, even for a lone opaque photo', () => {
    const sources = makeSources(true);
    const stack = baseStack({ x: 0, y: 0 });
    const { image } = renderStack(stack, sources, { scale: 1, layerLimit: 1 });
    expect(image.data).not.toBe(sources(PHOTO)!.data);
    expect(firstDifference(image, sources(PHOTO)!)).toBeNull();
  });
});

describe('rasterizeMask', () => {
  it('painting in the strokes window gives the bytes of painting the whole canvas', () => {
    fc.assert(
      fc.property(
        fc.array(arbStroke, { minLength: 0, maxLength: 4 }),
        fc.constantFrom(0, 0.5, 2, 4, 9, 25, 60),
        fc.boolean(),
        fc.constantFrom(1, 0.5, 2.5),
        (strokes, feather, inverted, scale) => {
          const mask: LayerMask = { strokes, feather, inverted };
          const width = Math.round(DOC_W * scale);
          const height = Math.round(DOC_H * scale);
          const got = rasterizeMask(mask, width, height, scale);
          const want = referenceMask(mask, width, height, scale);
          expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a small stroke on a big canvas with a wide feather (box blur passes) stays exact', () => {
    const mask: LayerMask = { strokes: [{ points: [{ x: 300, y: 200 }, { x: 340, y: 230 }], size: 30, hardness: 0.5, erase: false }], feather: 40, inverted: false };
    const got = rasterizeMask(mask, 800, 600, 1);
    const want = referenceMask(mask, 800, 600, 1);
    expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
    expect(got.data.some((v) => v > 0)).toBe(true);
  });
});

describe('createIncrementalRenderer', () => {
  const run = (clone: boolean) =>
    fc.assert(
      fc.property(
        fc.array(arbOperation, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(1, 0.5),
        fc.boolean(),
        fc.constantFrom(0, 300_000, undefined),
        (ops, scale, overlayOpaque, maxBytes) => {
          const sources = makeSources(overlayOpaque);
          const renderer = createIncrementalRenderer(maxBytes === undefined ? {} : { maxBytes });
          let stack = baseStack({ x: 10, y: 6 });
          let held: RgbaImage | null = null;
          for (const op of ops) {
            stack = tryApply(stack, op);
            // A stack posted to a worker arrives as a copy: no layer keeps its identity.
            const given = clone ? structuredClone(stack) : stack;
            const got = renderer.render(given, sources, { scale });
            const want = renderStack(stack, sources, { scale });
            expect(firstDifference(got.image, want.image)).toBeNull();
            expect(got.broken).toEqual(want.broken);
            // What was handed out is the caller's: scribbling on it must not reach the next frame.
            if (held) held.data.fill(7);
            held = got.image;
          }
        },
      ),
      { numRuns: 60 },
    );

  it('gives renderStack bytes after every step of random operation sequences', () => run(false));
  it('gives renderStack bytes when every stack arrives as a structured clone', () => run(true));

  it('a change to one layer re-renders from that layer up, reusing the canvas below it', () => {
    const photo = noise(DOC_W, DOC_H, 3, true);
    const original = new Uint8ClampedArray(photo.data);
    const sources: SourceLookup = (sha) => (sha === PHOTO ? photo : undefined);
    // At 0.9 opacity the canvas after the photo is a blend of its own, kept between frames.
    let stack = applyOperation(baseStack({ x: 0, y: 0 }), { type: 'setLayerProps', layerId: 'photo', props: { opacity: 0.9 } });
    const renderer = createIncrementalRenderer();
    renderer.render(stack, sources, { scale: 1 });
    // Pixels changed behind the renderer's back (sources are immutable by contract) are not
    // read again: the photo's layer is not recomputed when the top layer changes.
    photo.data.fill(0);
    stack = applyOperation(stack, { type: 'setAdjustment', layerId: 'a3', adjustment: { kind: 'brightness', amount: -40 } });
    const warm = renderer.render(stack, sources, { scale: 1 });
    const intact: SourceLookup = (sha) => (sha === PHOTO ? { width: DOC_W, height: DOC_H, data: original } : undefined);
    expect(firstDifference(warm.image, renderStack(stack, intact, { scale: 1 }).image)).toBeNull();
    // A change to the photo's own layer draws it again.
    stack = applyOperation(stack, { type: 'setLayerProps', layerId: 'photo', props: { opacity: 0.8 } });
    expect(firstDifference(renderer.render(stack, sources, { scale: 1 }).image, renderStack(stack, sources, { scale: 1 }).image)).toBeNull();
  });

  it('a new source object for the same hash (a fresh decode) is drawn, not the kept canvas', () => {
    const stack = baseStack({ x: 0, y: 0 });
    const renderer = createIncrementalRenderer();
    const first = noise(DOC_W, DOC_H, 1, true);
    const second = noise(DOC_W, DOC_H, 2, true);
    renderer.render(stack, (sha) => (sha === PHOTO ? first : undefined), { scale: 1 });
    const got = renderer.render(stack, (sha) => (sha === PHOTO ? second : undefined), { scale: 1 });
    expect(firstDifference(got.image, renderStack(stack, (sha) => (sha === PHOTO ? second : undefined), { scale: 1 }).image)).toBeNull();
  });
});

/** Operations that keep a stack splittable in bands: pointwise adjustments, flips and crops only. */
const arbBandOperation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: arbOperation.filter((op) => op.type !== 'setTransform' && !(op.type === 'setAdjustment' && !isPointwise(op.adjustment))) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        flipHorizontal: fc.boolean(),
        flipVertical: fc.boolean(),
        crop: fc.option(fc.record({ x: fc.integer({ min: 0, max: 40 }), y: fc.integer({ min: 0, max: 30 }), width: fc.integer({ min: 1, max: 64 }), height: fc.integer({ min: 1, max: 48 }) })),
      })
      .map((transform): Operation => ({ type: 'setTransform', transform })),
  },
);

/** Random cut rows: `cuts` sorted distinct rows strictly inside 0..height. */
function bandsAt(height: number, cuts: number[]): RowBand[] {
  const rows = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, height - 1))).filter((c) => c > 0 && c < height))].sort((a, b) => a - b);
  const edges = [0, ...rows, height];
  return edges.slice(1).map((y1, i) => ({ y0: edges[i]!, y1 }));
}

/** The bands' images put where their placements say, as one frame. */
function assemble(results: RenderResult[]): RgbaImage {
  const { frameWidth, frameHeight } = results[0]!.band!;
  const out: RgbaImage = { width: frameWidth, height: frameHeight, data: new Uint8ClampedArray(frameWidth * frameHeight * 4).fill(99) };
  let rows = 0;
  for (const { image, band } of results) {
    expect(band).toMatchObject({ frameWidth, frameHeight });
    expect(image.width).toBe(frameWidth);
    out.data.set(image.data, band!.top * frameWidth * 4);
    rows += image.height;
  }
  expect(rows).toBe(frameHeight);
  return out;
}

describe('rendering in row bands', () => {
  it('bands rendered by their own incremental renderers assemble into renderStack bytes, for random stacks and splits', () =>
    fc.assert(
      fc.property(
        fc.array(arbBandOperation, { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 0, maxLength: 4 }),
        fc.constantFrom(1, 0.5, 0.37),
        fc.boolean(),
        (ops, cuts, scale, overlayOpaque) => {
          const sources = makeSources(overlayOpaque);
          let stack = baseStack({ x: 10, y: 6 });
          const height = Math.max(1, Math.round(DOC_H * scale));
          const bands = bandsAt(height, cuts);
          // One renderer per band, as each render worker keeps its own.
          const renderers = bands.map(() => createIncrementalRenderer());
          for (const op of ops) {
            stack = tryApply(stack, op);
            expect(canRenderInBands(stack)).toBe(true);
            const want = renderStack(stack, sources, { scale });
            const results = bands.map((band, i) => renderers[i]!.render(structuredClone(stack), sources, { scale, band }));
            expect(firstDifference(assemble(results), want.image)).toBeNull();
            for (const result of results) expect(result.broken).toEqual(want.broken);
            // Nothing handed out is shared with a source or a kept canvas.
            for (const result of results) result.image.data.fill(3);
          }
          // The frame after the scribbling is still right (nothing handed out was kept).
          const again = bands.map((band, i) => renderers[i]!.render(structuredClone(stack), sources, { scale, band }));
          expect(firstDifference(assemble(again), renderStack(stack, sources, { scale }).image)).toBeNull();
          expect(firstDifference(referenceRender(stack, sources, scale).image, renderStack(stack, sources, { scale }).image)).toBeNull();
        },
      ),
      { numRuns: 60 },
    ));

  it('frames written into buffers given back (still holding old pixels) give renderStack bytes, banded and whole', () => {
    let writtenInto = 0;
    fc.assert(
      fc.property(
        fc.array(arbBandOperation, { minLength: 1, maxLength: 16 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(1, 0.5),
        fc.boolean(),
        (ops, cuts, scale, overlayOpaque) => {
          const sources = makeSources(overlayOpaque);
          let stack = baseStack({ x: 10, y: 6 });
          const bands = bandsAt(Math.max(1, Math.round(DOC_H * scale)), cuts);
          // Each band's renderer, and one for whole frames (the last), as the workers keep them.
          const renderers = [...bands, null].map(() => createIncrementalRenderer());
          const given: (Uint8ClampedArray | undefined)[] = renderers.map(() => undefined);
          for (const op of ops) {
            stack = tryApply(stack, op);
            const want = renderStack(stack, sources, { scale }).image;
            const results = renderers.map((renderer, i) => renderer.render(structuredClone(stack), sources, { scale, band: bands[i], into: given[i] }));
            results.forEach((result, i) => {
              if (given[i] && result.image.data === given[i]) writtenInto++;
            });
            expect(firstDifference(assemble(results.slice(0, -1)), want)).toBeNull();
            expect(firstDifference(results.at(-1)!.image, want)).toBeNull();
            // The page draws them, then gives them back: whatever they hold is the renderer's to overwrite.
            results.forEach((result, i) => (given[i] = result.image.data.fill(7)));
          }
        },
      ),
      { numRuns: 40 },
    );
    // Not a vacuous pass: buffers given back were written into.
    expect(writtenInto).toBeGreaterThan(100);
  });

  it('a source’s buffer or one of the wrong size offered to write into is left alone', () => {
    const photo = noise(DOC_W, DOC_H, 5, true);
    const before = new Uint8ClampedArray(photo.data);
    const lookup = (sha: string) => (sha === PHOTO ? photo : undefined);
    const lone: LayerStack = { ...baseStack({ x: 0, y: 0 }), layers: baseStack({ x: 0, y: 0 }).layers.slice(0, 1) };
    const brighter = applyOperation(lone, { type: 'addAdjustmentLayer', layerId: 'b', name: 'b', adjustment: { kind: 'brightness', amount: 30 } });
    for (const stack of [lone, brighter]) {
      for (const renderer of [createIncrementalRenderer(), createIncrementalRenderer({ maxBytes: 0 })]) {
        const got = renderer.render(stack, lookup, { scale: 1, into: photo.data });
        expect(got.image.data.buffer).not.toBe(photo.data.buffer);
        expect(firstDifference(got.image, renderStack(stack, lookup, { scale: 1 }).image)).toBeNull();
        expect(photo.data).toEqual(before);
      }
    }
    const small = new Uint8ClampedArray(16);
    const got = createIncrementalRenderer().render(brighter, lookup, { scale: 0.5, into: small });
    expect(got.image.data).not.toBe(small);
    expect(firstDifference(got.image, renderStack(brighter, lookup, { scale: 0.5 }).image)).toBeNull();
  });

  it('a band of a lone opaque photo is a copy, never a view of the source', () => {
    const photo = noise(DOC_W, DOC_H, 5, true);
    const before = new Uint8ClampedArray(photo.data);
    const stack = baseStack({ x: 0, y: 0 }).layers.slice(0, 1);
    const lone: LayerStack = { ...baseStack({ x: 0, y: 0 }), layers: stack };
    const got = createIncrementalRenderer().render(lone, (sha) => (sha === PHOTO ? photo : undefined), { scale: 1, band: { y0: 10, y1: 30 } });
    expect(got.image.data.buffer).not.toBe(photo.data.buffer);
    expect(firstDifference(got.image, crop(photo, { x: 0, y: 10, width: DOC_W, height: 20 }))).toBeNull();
    got.image.data.fill(0);
    expect(photo.data).toEqual(before);
  });

  it('stacks that read neighbours or turn the frame are refused in bands (the client renders them whole)', () => {
    const sources = makeSources(true);
    const plain = baseStack({ x: 10, y: 6 });
    expect(canRenderInBands(plain)).toBe(true);
    const blurred = applyOperation(plain, { type: 'setAdjustment', layerId: 'a2', adjustment: { kind: 'blur', radius: 4 } });
    const turned = applyOperation(plain, { type: 'setTransform', transform: { quarterTurns: 1 } });
    const straightened = applyOperation(plain, { type: 'setTransform', transform: { straighten: 3 } });
    for (const stack of [blurred, turned, straightened]) {
      expect(canRenderInBands(stack)).toBe(false);
      expect(() => createIncrementalRenderer().render(stack, sources, { scale: 1, band: { y0: 0, y1: 24 } })).toThrow(RangeError);
    }
    // A hidden blur, or one above the layer limit, does not read anything.
    expect(canRenderInBands(applyOperation(blurred, { type: 'setLayerProps', layerId: 'a2', props: { visible: false } }))).toBe(true);
    expect(canRenderInBands(blurred, 2)).toBe(true);
    expect(() => createIncrementalRenderer().render(plain, sources, { scale: 1, band: { y0: 20, y1: 20 } })).toThrow(RangeError);
    expect(() => createIncrementalRenderer().render(plain, sources, { scale: 1, band: { y0: 0, y1: DOC_H + 1 } })).toThrow(RangeError);
  });

  it('balanced bands cover every row once and give a costly masked region to both workers', () => {
    const sky: LayerStack = [
      { type: 'addMask', layerId: 'a2' },
      { type: 'paintMask', layerId: 'a2', stroke: { points: [{ x: 4, y: 6 }, { x: 60, y: 8 }], size: 8, hardness: 0.5, erase: false } },
    ].reduce((stack, op) => applyOperation(stack, op as Operation), baseStack({ x: 0, y: 0 }));
    for (const count of [1, 2, 3]) {
      const bands = balancedBands(sky, 1, count);
      expect(bands.length).toBe(count);
      expect(bands[0]!.y0).toBe(0);
      expect(bands.at(-1)!.y1).toBe(DOC_H);
      for (let i = 1; i < bands.length; i++) expect(bands[i]!.y0).toBe(bands[i - 1]!.y1);
      for (const band of bands) expect(band.y1).toBeGreaterThan(band.y0);
    }
    // The saturation's strokes are in the top rows: the first band is shorter than half.
    expect(balancedBands(sky, 1, 2)[0]!.y1).toBeLessThan(DOC_H / 2);
    expect(balancedBands(baseStack({ x: 0, y: 0 }), 1, 2)[0]!.y1).toBe(DOC_H / 2);
    expect(balancedBands(sky, 1 / 48, 2)).toEqual([{ y0: 0, y1: 1 }]);
  });

  it('splitRows covers every row once, in order', () => {
    for (const [height, count] of [[1067, 2], [5, 3], [1, 2], [7, 7], [3, 8]] as const) {
      const bands = splitRows(height, count);
      expect(bands[0]!.y0).toBe(0);
      expect(bands.at(-1)!.y1).toBe(height);
      for (let i = 1; i < bands.length; i++) expect(bands[i]!.y0).toBe(bands[i - 1]!.y1);
      for (const band of bands) expect(band.y1).toBeGreaterThan(band.y0);
      expect(bands.length).toBe(Math.min(count, height));
    }
  });
});
