/**
 * The work behind every on-screen picture: fetch and decode the layers' stored images (cached by
 * content hash and size), then flatten the stack with `renderStack`, the same function the main
 * process exports with. The view's frames go through one incremental renderer (the same code,
 * keeping the canvas after each layer between frames), so a slider drag re-renders from its own
 * layer up. With two render workers a view frame comes in two row bands (`RenderJob.band`), each
 * worker keeping its own incremental renderer for its band. A frame the page has drawn comes back
 * (`recycle`) and the next one of its size is written into it. Runs in the render workers, or on the
 * page when workers are unavailable.
 */
import type { LayerStack } from '../../shared/document/model.js';
import { createIncrementalRenderer, documentSize, renderStack, type RowBand } from '../../shared/document/render.js';
import type { RgbaImage } from '../../shared/imaging/index.js';

export interface RenderJob {
  stack: LayerStack;
  scale: number;
  layerLimit?: number | undefined;
  /** The URL to fetch for each image layer's sha256 (preview or original size). */
  urls: Record<string, string>;
  /** Keep this frame's intermediate canvases for the next incremental job (the on-screen view). */
  incremental?: boolean;
  /** Render only these rows of the untransformed canvas (a stack that passes canRenderInBands). */
  band?: RowBand | undefined;
}

/** Rows top..top + height of a frame, full width. */
export interface FrameBand {
  top: number;
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** ms the worker took for this band (fetching sources included). */
  ms?: number;
}

export interface RenderOutput {
  /** The frame's size. */
  width: number;
  height: number;
  /** The frame's pixels; empty when it came in `bands`. */
  data: Uint8ClampedArray;
  /** A view frame rendered in row bands (by several workers): together they cover the frame. */
  bands?: FrameBand[];
  broken: string[];
  ms: number;
}

/** Decoded images by URL. Originals are big: few are kept. */
class SourceCache {
  private readonly entries = new Map<string, Promise<RgbaImage | undefined>>();

  constructor(private readonly limit: number) {}

  get(url: string): Promise<RgbaImage | undefined> {
    const cached = this.entries.get(url);
    if (cached) {
      // Most recently used last.
      this.entries.delete(url);
      this.entries.set(url, cached);
      return cached;
    }
    const loading = decodeImage(url).catch(() => {
      // A missing image renders as a broken layer; try again next time.
      this.entries.delete(url);
      return undefined;
    });
    this.entries.set(url, loading);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return loading;
  }
}

const previews = new SourceCache(24);
const originals = new SourceCache(2);
/** The view's frames: sources come from the caches above, so the same decode is the same object. */
const view = createIncrementalRenderer();

/**
 * Frames handed out and given back once drawn (`recycle`): the next frame of the same size is
 * written into one of them instead of into fresh memory, whose first write costs about as much as
 * a LUT pass in Chromium. A few only: one per band and lane in flight.
 */
const spares: Uint8ClampedArray[] = [];
const MAX_SPARES = 4;

/** Gives back a frame's buffer (drawn, and no longer read) for a later frame to be written into. */
export function recycle(data: Uint8ClampedArray): void {
  if (data.byteLength === 0) return;
  spares.push(data);
  if (spares.length > MAX_SPARES) spares.shift();
}

/** A spare of exactly `length` bytes, taken out of the pool. */
function spareOf(length: number): Uint8ClampedArray | undefined {
  const i = spares.findIndex((spare) => spare.length === length);
  return i < 0 ? undefined : spares.splice(i, 1)[0];
}

/**
 * Fetches and decodes an image to straight (not premultiplied) RGBA, without colour management:
 * the main process decodes with sharp the same way, so an opaque PNG decodes to identical bytes.
 */
export async function decodeImage(url: string): Promise<RgbaImage> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const blob = await response.blob();
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D context');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, data };
  } finally {
    bitmap.close();
  }
}

export async function runRenderJob(job: RenderJob): Promise<RenderOutput> {
  const started = performance.now();
  const sources = new Map<string, RgbaImage>();
  await Promise.all(
    Object.entries(job.urls).map(async ([sha, url]) => {
      const cache = url.includes('size=original') ? originals : previews;
      const image = await cache.get(url);
      if (image) sources.set(sha, image);
    }),
  );
  const lookup = (sha: string) => sources.get(sha);
  const size = documentSize(job.stack, job.scale);
  // The size the frame (or band) has when nothing crops it; otherwise the renderer allocates.
  const into = spareOf(size.width * (job.band ? job.band.y1 - job.band.y0 : size.height) * 4);
  const options = { scale: job.scale, layerLimit: job.layerLimit, band: job.band, into };
  const { image, broken, band } = job.incremental ? view.render(job.stack, lookup, options) : renderStack(job.stack, lookup, options);
  if (into && image.data !== into) recycle(into);
  // Neither hands back a source's buffer nor one it keeps, so the worker may transfer this one.
  if (band) {
    const ms = performance.now() - started;
    const part: FrameBand = { top: band.top, width: image.width, height: image.height, data: image.data, ms };
    return { width: band.frameWidth, height: band.frameHeight, data: new Uint8ClampedArray(0), bands: [part], broken, ms };
  }
  return { width: image.width, height: image.height, data: image.data, broken, ms: performance.now() - started };
}
