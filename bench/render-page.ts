/**
 * The editor's view frames as the page gets them, measured in Chromium: the page applies the
 * slider's operation and asks the editor's own RenderClient (renderer/editor/renderClient.ts) for
 * the view frame, which posts the stack to its render workers (render.worker.ts, bundled by Vite
 * as the editor's build does) and resolves when every band is back. With two workers each renders
 * half of the rows with its own incremental renderer; with one, the frame is rendered whole (the
 * editor before the split). The photo is served as a PNG of render-core's synthetic preview, so
 * the workers fetch and decode it exactly as the editor fetches a stored preview.
 *
 * Only for the page (needs Worker, fetch, document): render-bench.ts bundles it next to
 * render-core.ts and calls `runWorkerBench` there.
 */
import { applyOperation } from '../shared/document/model.js';
import { renderStack } from '../shared/document/render.js';
import type { RgbaImage } from '../shared/imaging/index.js';
import { RenderClient } from '../renderer/editor/renderClient.js';
import type { RenderOutput } from '../renderer/editor/renderCore.js';
import { buildStack, checksumOf, sliderOp, syntheticPreview, type RenderBenchOptions, type SliderLayer } from './render-core.js';

export { runRenderBench } from './render-core.js';

/** One way of running the editor's client: how many workers, and whether drawn frames go back to them. */
export interface WorkerRun {
  workers: number;
  /** Frames given back once drawn (RenderClient.recycle, as EditorView does); false: the editor before recycling. */
  recycle: boolean;
}

export interface WorkerFigure {
  workers: number;
  recycle: boolean;
  layer: SliderLayer;
  /** ms from the operation to every band back on the page (applyOperation + postMessage + render + transfer). */
  frameMs: number[];
  /** ms the slowest worker spent on its band (or the whole frame), as it reports. */
  workerMs: number[];
  /** ms each band took in its worker, per frame (band order). */
  bandMs: number[][];
  /** ms to draw the frame's bands onto a canvas with putImageData (as EditorView does). */
  drawMs: number[];
  /** The rows of each band of the last frame (top..bottom). */
  bands: string[];
  /** The last frame, bands put together, equals renderStack's output on the page, byte for byte. */
  identical: boolean;
  checksum: number;
}

/** `previewUrl` serves the synthetic preview of the proxy's size as a lossless PNG. */
export async function runWorkerBench(options: RenderBenchOptions, previewUrl: string, runs: WorkerRun[]): Promise<WorkerFigure[]> {
  const scale = Math.min(1, options.proxyEdge / Math.max(options.docWidth, options.docHeight));
  const width = Math.max(1, Math.round(options.docWidth * scale));
  const height = Math.max(1, Math.round(options.docHeight * scale));
  const preview = syntheticPreview(width, height);
  const initial = buildStack(options.docWidth, options.docHeight);
  // As EditorView: two canvases drawn in turn (the one on screen is not the one being drawn).
  const contexts = [0, 1].map(() => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    return canvas.getContext('2d')!;
  });
  let turn = 0;
  const figures: WorkerFigure[] = [];
  // Each slider through every run in turn, so a change in the machine's load touches them alike.
  for (const layer of ['brightness', 'curve'] as const) {
    for (const { workers, recycle: recycling } of runs) {
      const client = new RenderClient(() => `${previewUrl}?size=preview`, workers);
      let stack = initial;
      let last: RenderOutput | null = null;
      const frame = async (i: number) => {
        stack = applyOperation(stack, sliderOp(layer, i));
        const output = await client.render({ stack, size: 'preview', scale }, 'view');
        if (!output) throw new Error('a view frame was dropped with nothing newer asked for');
        return output;
      };
      /** As EditorView draws a view frame: each band put on the canvas, then given back to its worker. */
      const draw = (output: RenderOutput, giveBack: boolean) => {
        turn = (turn + 1) % 2;
        const context = contexts[turn]!;
        for (const part of output.bands ?? [{ top: 0, width: output.width, height: output.height, data: output.data }]) {
          if (part.height > 0) context.putImageData(new ImageData(part.data as Uint8ClampedArray<ArrayBuffer>, part.width, part.height), 0, part.top);
        }
        if (giveBack) client.recycle(output);
      };
      for (let i = 0; i < options.warmup; i++) {
        last = await frame(i);
        draw(last, recycling);
      }
      const frameMs: number[] = [];
      const drawMs: number[] = [];
      const workerMs: number[] = [];
      const bandMs: number[][] = [];
      for (let i = 0; i < options.frames; i++) {
        const started = performance.now();
        last = await frame(options.warmup + i);
        const back = performance.now();
        frameMs.push(back - started);
        workerMs.push(last.ms);
        bandMs.push((last.bands ?? []).map((band) => band.ms ?? Number.NaN));
        // The last frame is kept to check its bytes (it was written into a buffer given back).
        draw(last, recycling && i < options.frames - 1);
        drawMs.push(performance.now() - back);
      }
      client.dispose();
      const image = assembled(last!);
      const reference = renderStack(stack, () => preview, { scale }).image;
      figures.push({ workers, recycle: recycling, layer, frameMs, drawMs, workerMs, bandMs, bands: (last!.bands ?? [{ top: 0, height: last!.height }]).map((band) => `${band.top}..${band.top + band.height}`), identical: sameBytes(image, reference), checksum: checksumOf(image) });
    }
  }
  return figures;
}

/** The frame's bands put together (only to check them). */
function assembled(output: RenderOutput): RgbaImage {
  if (!output.bands) return { width: output.width, height: output.height, data: output.data };
  const data = new Uint8ClampedArray(output.width * output.height * 4);
  for (const band of output.bands) data.set(band.data, band.top * output.width * 4);
  return { width: output.width, height: output.height, data };
}

function sameBytes(a: RgbaImage, b: RgbaImage): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * How much two threads get done next to each other on this machine now, against one alone: a
 * fixed loop in one Web Worker, then in two at once (1 = no second core free, 2 = both free).
 */
export async function parallelism(iterations = 2e8): Promise<{ oneMs: number; twoMs: number; speedup: number }> {
  const source = `onmessage = (e) => { let x = 0; for (let i = 0; i < e.data; i++) x = (x + i * 7) % 1000003; postMessage(x); };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const spin = () =>
    new Promise<void>((resolve) => {
      const worker = new Worker(url);
      worker.onmessage = () => {
        worker.terminate();
        resolve();
      };
      worker.postMessage(iterations);
    });
  try {
    await spin();
    let started = performance.now();
    await spin();
    const oneMs = performance.now() - started;
    started = performance.now();
    await Promise.all([spin(), spin()]);
    const twoMs = performance.now() - started;
    return { oneMs, twoMs, speedup: (2 * oneMs) / twoMs };
  } finally {
    URL.revokeObjectURL(url);
  }
}
