/**
 * The local engine's pixel work, as plain tasks: decode the layers' images, render the composite
 * with the shared kernels, measure or run a restoration kernel, encode the result. Runs inside a
 * worker thread (worker.ts) so the main process never stalls; tests may run it inline.
 */
import sharp from 'sharp';
import { UserFacingError } from '../../../shared/contract/result.js';
import { IDENTITY_TRANSFORM, type LayerStack } from '../../../shared/document/model.js';
import { renderStack } from '../../../shared/document/render.js';
import {
  backgroundBlurLayer,
  cutOutLayer,
  deblock,
  denoise,
  estimateNoise,
  estimateTilt,
  measureAutoLevels,
  measureColourCast,
  measureBlockiness,
  maskCoverage,
  measureFade,
  removeDefects,
} from '../../../shared/imaging/restore.js';
import type { Adjustment, RgbaImage } from '../../../shared/imaging/types.js';
import { findFaces, FACE_EDGE, loadFaceModels, type FoundFace } from './faces.js';
import { segmentSubject } from './subject.js';

/** What to render: a layer stack and where each of its images is on disk (by content hash). */
export interface RenderInput {
  stack: LayerStack;
  files: Record<string, string>;
}

/** The stack and the files of its images, for the worker (which has no database). */
export function renderInputOf(stack: LayerStack, locateImage: (sha256: string) => string | null): RenderInput {
  const files: Record<string, string> = {};
  for (const layer of stack.layers) {
    if (layer.kind !== 'image' || files[layer.sha256]) continue;
    const file = locateImage(layer.sha256);
    if (file) files[layer.sha256] = file;
  }
  return { stack, files };
}

/** An image to look for faces in: a project's composite, or an image file (a reference photo). */
export type FaceSource = { render: RenderInput } | { file: string };

export type MeasureKind = 'autoLevels' | 'colourCast' | 'fade' | 'tilt';

export type LocalTask =
  | { type: 'measure'; input: RenderInput; measure: MeasureKind; force: boolean }
  | { type: 'raster'; input: RenderInput; op: 'denoise' | 'removeDefects'; strength: number; optional: boolean }
  | { type: 'upscale'; input: RenderInput }
  /** The people in the photo: a blurred-background layer, a cut-out layer, or the mask itself. */
  | { type: 'subject'; input: RenderInput; op: 'blurBackground' | 'removeBackground' | 'mask'; strength: number }
  /** The faces (with descriptors) in each image, for the identity check. */
  | { type: 'faces'; sources: FaceSource[] };

/** Why a step was not made: the image did not need it. */
export interface NotNeeded {
  en: string;
  zh: string;
}

export type LocalTaskResult =
  | { type: 'measure'; adjustment: Adjustment | null; tilt: number | null; notNeeded: NotNeeded | null }
  | { type: 'raster'; png: Uint8Array | null; width: number; height: number; notNeeded: NotNeeded | null; detail: Record<string, number>; millis: number }
  | { type: 'upscale'; png: Uint8Array; width: number; height: number }
  | { type: 'subject'; png: Uint8Array | null; width: number; height: number; coverage: number; notNeeded: NotNeeded | null; millis: number }
  /** `millis` per image; `loadMillis` is how long this thread took to load the models (once). */
  | { type: 'faces'; faces: FoundFace[][]; millis: number[]; loadMillis: number };

/** Below this share of the photo, the subject mask found nobody. */
export const MIN_SUBJECT = 0.005;

/** Below this noise (levels of luma, see estimateNoise) a restoration skips denoising. */
export const NOISE_WORTH_REMOVING = 2;
/** From this blockiness (see measureBlockiness) a denoise also smooths JPEG block edges. */
export const BLOCKY = 1.25;
/** Below this, even an asked-for denoise has nothing to remove. */
export const NOISE_FLOOR = 0.75;
/** The largest image upscaling makes (pixels): 2× of a 50 MP photo is 200 MP. */
export const UPSCALE_LIMIT = 100_000_000;
/** Measurements read a proxy render of at most this many pixels. */
const MEASURE_PIXELS = 1_500_000;

/** The model name local steps record in their provenance. */
export const LOCAL_MODEL = 'promptroom-local-1';

/** Runs one task; `transfer` lists buffers the worker may hand over without copying. */
export async function runTask(task: LocalTask): Promise<{ result: LocalTaskResult; transfer: ArrayBuffer[] }> {
  switch (task.type) {
    case 'measure': {
      const image = await renderDocument(task.input, measureScale(task.input.stack));
      return { result: measureImage(image, task.measure, task.force), transfer: [] };
    }
    case 'raster': {
      const image = await renderDocument(task.input, 1);
      const result = rasterImage(image, task.op, task.strength, task.optional);
      let png: Uint8Array | null = null;
      if (result.image) png = await encodePng(result.image);
      return {
        result: { type: 'raster', png, width: image.width, height: image.height, notNeeded: result.notNeeded, detail: result.detail, millis: result.millis },
        transfer: png ? [png.buffer as ArrayBuffer] : [],
      };
    }
    case 'subject': {
      const image = await renderDocument(task.input, 1);
      const started = performance.now();
      const mask = await segmentSubject(image);
      const coverage = maskCoverage(mask);
      const millis = () => performance.now() - started;
      if (coverage < MIN_SUBJECT) {
        return {
          result: {
            type: 'subject',
            png: null,
            width: image.width,
            height: image.height,
            coverage,
            notNeeded: { en: 'No person found to keep: the local subject mask finds people only.', zh: '没有找到人物：本地主体蒙版只能识别人物。' },
            millis: millis(),
          },
          transfer: [],
        };
      }
      let png: Uint8Array;
      if (task.op === 'mask') {
        png = new Uint8Array(await sharp(Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength), { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toBuffer());
      } else if (task.op === 'blurBackground') {
        const radius = Math.min(100, Math.max(4, Math.min(image.width, image.height) / 60) * task.strength);
        png = await encodePng(backgroundBlurLayer(image, mask, radius));
      } else {
        png = await encodePng(cutOutLayer(image, mask));
      }
      return {
        result: { type: 'subject', png, width: image.width, height: image.height, coverage, notNeeded: null, millis: millis() },
        transfer: [png.buffer as ArrayBuffer],
      };
    }
    case 'faces': {
      const { millis: loadMillis } = await loadFaceModels();
      const faces: FoundFace[][] = [];
      const millis: number[] = [];
      for (const source of task.sources) {
        const started = performance.now();
        const image = 'file' in source ? await decode(source.file, null, FACE_EDGE) : await renderDocument(source.render, Math.min(1, FACE_EDGE / Math.max(source.render.stack.width, source.render.stack.height)));
        faces.push(await findFaces(image));
        millis.push(performance.now() - started);
      }
      return { result: { type: 'faces', faces, millis, loadMillis }, transfer: [] };
    }
    case 'upscale': {
      const { image } = await render(task.input, 1, true);
      const width = image.width * 2;
      const height = image.height * 2;
      if (width * height > UPSCALE_LIMIT) {
        throw new UserFacingError('invalid-argument', `Upscaling would make a ${width}×${height} image; the local engine stops at ${UPSCALE_LIMIT / 1_000_000} MP.`);
      }
      const png = new Uint8Array(
        await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
          .resize(width, height, { kernel: 'lanczos3' })
          .sharpen({ sigma: 0.8, m1: 0.5, m2: 1.5 })
          .png({ compressionLevel: 6 })
          .toBuffer(),
      );
      return { result: { type: 'upscale', png, width, height }, transfer: [png.buffer as ArrayBuffer] };
    }
  }
}

/** A measurement on a rendered image (what a 'measure' task does after rendering). */
export function measureImage(image: RgbaImage, kind: MeasureKind, force: boolean): LocalTaskResult {
  const fine = { en: 'The photo does not need it.', zh: '这张照片不需要。' };
  switch (kind) {
    case 'autoLevels': {
      const adjustment = measureAutoLevels(image, { force });
      return { type: 'measure', adjustment, tilt: null, notNeeded: adjustment ? null : { en: 'The tones already span black to white.', zh: '色调已经从黑到白。' } };
    }
    case 'colourCast': {
      const adjustment = measureColourCast(image, { force });
      return { type: 'measure', adjustment, tilt: null, notNeeded: adjustment ? null : { en: 'No colour cast found.', zh: '没有发现偏色。' } };
    }
    case 'fade': {
      const adjustment = measureFade(image);
      return { type: 'measure', adjustment, tilt: null, notNeeded: adjustment ? null : fine };
    }
    case 'tilt': {
      const tilt = estimateTilt(image);
      return {
        type: 'measure',
        adjustment: null,
        tilt,
        notNeeded:
          tilt === null
            ? { en: 'No clear horizon or upright lines to level by; straighten by hand, e.g. “straighten by 2 degrees”.', zh: '找不到明显的水平线或竖线；请手动拉直，例如“旋转2度”。' }
            : Math.abs(tilt) < 0.2
              ? { en: 'The photo is already level.', zh: '照片已经是水平的。' }
              : null,
      };
    }
  }
}

/** A restoration kernel on a rendered image: the new layer's pixels, or why none is needed. */
export function rasterImage(
  image: RgbaImage,
  op: 'denoise' | 'removeDefects',
  strength: number,
  optional: boolean,
): { image: RgbaImage | null; notNeeded: NotNeeded | null; detail: Record<string, number>; millis: number } {
  const started = performance.now();
  const sigma = estimateNoise(image);
  if (op === 'denoise') {
    // JPEG blocking is noise of another shape: its block edges are smoothed first.
    const blocks = measureBlockiness(image);
    const blocky = blocks.ratio >= BLOCKY;
    if (!blocky && sigma < (optional ? NOISE_WORTH_REMOVING : NOISE_FLOOR)) {
      return { image: null, notNeeded: { en: 'No noticeable noise.', zh: '没有明显的噪点。' }, detail: { sigma: round(sigma), blockiness: round(blocks.ratio) }, millis: performance.now() - started };
    }
    const factor = strength === 1 ? 1 : strength < 1 ? 0.7 : 1.4;
    const deblocked = blocky ? deblock(image, blocks) : image;
    const out = denoise(deblocked, { sigma: Math.max(sigma, NOISE_FLOOR, blocky ? blocks.step / 2 : 0) * factor });
    return {
      image: out,
      notNeeded: null,
      detail: { sigma: round(sigma), blockiness: round(blocks.ratio), megapixels: round((image.width * image.height) / 1e6) },
      millis: performance.now() - started,
    };
  }
  const found = removeDefects(image, { sigma, threshold: strength > 1 ? 30 : strength < 1 ? 55 : 40 });
  if (found.pixels === 0) {
    return { image: null, notNeeded: { en: 'No dust or scratches found.', zh: '没有发现灰尘或划痕。' }, detail: { dust: 0, scratches: 0 }, millis: performance.now() - started };
  }
  return { image: found.patch, notNeeded: null, detail: { dust: found.dust, scratches: found.scratches, pixels: found.pixels }, millis: performance.now() - started };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function measureScale(stack: LayerStack): number {
  const pixels = stack.width * stack.height;
  return pixels <= MEASURE_PIXELS ? 1 : Math.sqrt(MEASURE_PIXELS / pixels);
}

/** The composite in document coordinates (no crop or rotation): what a new full-size layer covers. */
export async function renderDocument(input: RenderInput, scale: number): Promise<RgbaImage> {
  return (await render(input, scale, false)).image;
}

async function render(input: RenderInput, scale: number, withTransform: boolean): Promise<{ image: RgbaImage }> {
  const stack: LayerStack = withTransform ? input.stack : { ...input.stack, transform: IDENTITY_TRANSFORM };
  const sources = new Map<string, RgbaImage>();
  for (const layer of stack.layers) {
    if (layer.kind !== 'image' || !layer.visible || sources.has(layer.sha256)) continue;
    const file = input.files[layer.sha256];
    if (!file) continue;
    const width = Math.max(1, Math.round(layer.width * scale));
    const height = Math.max(1, Math.round(layer.height * scale));
    sources.set(layer.sha256, await decode(file, scale === 1 ? null : { width, height }));
  }
  const { image, broken } = renderStack(stack, (sha) => sources.get(sha), { scale });
  if (broken.length > 0) {
    throw new UserFacingError('not-found', 'An image of this project is missing from the library, so the local engine cannot render it.');
  }
  return { image };
}

/** Decodes any image sharp reads (16-bit, greyscale, CMYK, alpha…) to 8-bit sRGB RGBA. */
async function decode(file: string, size: { width: number; height: number } | null, maxEdge?: number): Promise<RgbaImage> {
  let pipeline = sharp(file, { limitInputPixels: false }).rotate();
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' });
  else if (maxEdge) pipeline = pipeline.resize(maxEdge, maxEdge, { fit: 'inside', withoutEnlargement: true });
  try {
    const { data, info } = await pipeline.toColorspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw new UserFacingError('invalid-argument', `The local engine could not read an image of this project: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function encodePng(image: RgbaImage): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
      .png({ compressionLevel: 6 })
      .toBuffer(),
  );
}
