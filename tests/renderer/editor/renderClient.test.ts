import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyOperation, type LayerStack, type Operation } from '../../../shared/document/model.js';
import { createIncrementalRenderer, renderStack, type IncrementalRenderer } from '../../../shared/document/render.js';
import type { RgbaImage } from '../../../shared/imaging/index.js';
import { RenderClient } from '../../../renderer/editor/renderClient.js';
import type { RenderOutput } from '../../../renderer/editor/renderCore.js';
import type { JobRequest, WorkerRequest, WorkerResponse } from '../../../renderer/editor/render.worker.js';
import { noise } from '../../shared/imaging/helpers.js';

/*
 * The page's side of the render workers, with stand-in workers that do what render.worker.ts does
 * (a view frame through their own incremental renderer, band or whole) on the real shared
 * renderer, but without fetching: the client's splitting, joining, and falling back are what is
 * under test, against renderStack's bytes.
 */

const W = 96;
const H = 64;
const PHOTO = 'a'.repeat(64);
const photo = noise(W, H, 5, true);

class FakeWorker {
  static all: FakeWorker[] = [];
  /** Workers that fail (as a worker whose script cannot load) on their first message. */
  static failing = new Set<number>();
  onmessage: ((event: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly index = FakeWorker.all.length;
  readonly view: IncrementalRenderer = createIncrementalRenderer();
  readonly jobs: JobRequest[] = [];
  /** Buffers given back (as render.worker.ts keeps them for renderCore), and frames written into one. */
  readonly spares: Uint8ClampedArray[] = [];
  reused = 0;
  terminated = false;

  constructor() {
    FakeWorker.all.push(this);
  }

  postMessage(message: WorkerRequest, options?: StructuredSerializeOptions): void {
    if ('recycle' in message) {
      // Moved as postMessage moves it: the page's view is detached.
      this.spares.push(structuredClone(message.recycle, options));
      return;
    }
    this.jobs.push(structuredClone(message));
    setTimeout(() => {
      if (this.terminated) return;
      if (FakeWorker.failing.has(this.index)) {
        this.onerror?.({ preventDefault() {} } as ErrorEvent);
        return;
      }
      const { id, job } = message;
      const lookup = (sha: string) => (sha === PHOTO ? photo : undefined);
      const into = this.spares.shift();
      const options = { scale: job.scale, layerLimit: job.layerLimit, band: job.band, into };
      const { image, broken, band } = job.incremental ? this.view.render(structuredClone(job.stack), lookup, options) : renderStack(job.stack, lookup, options);
      if (into && image.data === into) this.reused++;
      const response: WorkerResponse = band
        ? { id, ok: true, width: band.frameWidth, height: band.frameHeight, data: new Uint8ClampedArray(0), bands: [{ top: band.top, width: image.width, height: image.height, data: image.data }], broken, ms: 1 }
        : { id, ok: true, width: image.width, height: image.height, data: image.data, broken, ms: 1 };
      // Moved to the page as render.worker.ts transfers it.
      const transfer = [image.data.buffer as ArrayBuffer].filter((buffer) => buffer.byteLength > 0);
      this.onmessage?.({ data: structuredClone(response, { transfer }) } as MessageEvent<WorkerResponse>);
    }, 0);
  }

  terminate(): void {
    this.terminated = true;
  }
}

function frameOf(output: RenderOutput): RgbaImage {
  if (!output.bands) return { width: output.width, height: output.height, data: output.data };
  const data = new Uint8ClampedArray(output.width * output.height * 4);
  let rows = 0;
  for (const band of output.bands) {
    data.set(band.data, band.top * output.width * 4);
    rows += band.height;
  }
  expect(rows).toBe(output.height);
  return { width: output.width, height: output.height, data };
}

function stackOf(...extra: Operation[]): LayerStack {
  const ops: Operation[] = [
    { type: 'addImageLayer', layerId: 'photo', name: 'photo', sha256: PHOTO, x: 0, y: 0, width: W, height: H },
    { type: 'addAdjustmentLayer', layerId: 'bright', name: 'bright', adjustment: { kind: 'brightness', amount: 20 } },
    { type: 'addAdjustmentLayer', layerId: 'sat', name: 'sat', adjustment: { kind: 'saturation', amount: 40 } },
    { type: 'addMask', layerId: 'sat' },
    { type: 'paintMask', layerId: 'sat', stroke: { points: [{ x: 10, y: 8 }, { x: 80, y: 14 }], size: 10, hardness: 0.5, erase: false } },
    ...extra,
  ];
  return ops.reduce(applyOperation, { width: W, height: H, layers: [], transform: { crop: null, quarterTurns: 0, straighten: 0, flipHorizontal: false, flipVertical: false } });
}

function expectSame(got: RgbaImage, want: RgbaImage): void {
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
}

const lookup = (sha: string) => (sha === PHOTO ? photo : undefined);

describe('RenderClient with two render workers', () => {
  beforeEach(() => {
    FakeWorker.all = [];
    FakeWorker.failing = new Set();
    vi.stubGlobal('Worker', FakeWorker);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('splits a slider drag between both workers and the bands make renderStack’s frame', async () => {
    const client = new RenderClient((sha) => `http://host/${sha}`, 2);
    expect(client.bandCount).toBe(2);
    let stack = stackOf();
    for (const amount of [10, 30, -20]) {
      stack = applyOperation(stack, { type: 'setAdjustment', layerId: 'bright', adjustment: { kind: 'brightness', amount } });
      const output = (await client.render({ stack, size: 'preview', scale: 1 }, 'view'))!;
      expect(output.bands).toHaveLength(2);
      expectSame(frameOf(output), renderStack(stack, lookup, { scale: 1 }).image);
    }
    // Each worker got the same stack with its own rows, and kept them from frame to frame.
    const [first, second] = FakeWorker.all;
    expect(first!.jobs.map((j) => j.job.band)).toEqual([first!.jobs[0]!.job.band, first!.jobs[0]!.job.band, first!.jobs[0]!.job.band]);
    expect(first!.jobs[0]!.job.band!.y1).toBe(second!.jobs[0]!.job.band!.y0);
    // A flip and a crop are applied to each band.
    stack = applyOperation(stack, { type: 'setTransform', transform: { flipVertical: true, crop: { x: 5, y: 20, width: 70, height: 30 } } });
    const cropped = (await client.render({ stack, size: 'preview', scale: 1 }, 'view'))!;
    expect(cropped.bands).toHaveLength(2);
    expectSame(frameOf(cropped), renderStack(stack, lookup, { scale: 1 }).image);
    client.dispose();
  });

  it('a drawn frame given back is written over by the worker that made it, with renderStack’s bytes every frame', async () => {
    const client = new RenderClient((sha) => `http://host/${sha}`, 2);
    let stack = stackOf();
    for (const amount of [10, 30, -20, 45, 5]) {
      stack = applyOperation(stack, { type: 'setAdjustment', layerId: 'bright', adjustment: { kind: 'brightness', amount } });
      const output = (await client.render({ stack, size: 'preview', scale: 1 }, 'view'))!;
      expectSame(frameOf(output), renderStack(stack, lookup, { scale: 1 }).image);
      client.recycle(output);
      // Moved back, not copied: the page can no longer read it.
      expect(output.bands!.every((band) => band.data.byteLength === 0)).toBe(true);
    }
    const [first, second] = FakeWorker.all;
    expect([first!.reused, second!.reused]).toEqual([4, 4]);
    // Frames given back from the other lane and sizes that no longer fit still render right.
    stack = applyOperation(stack, { type: 'setTransform', transform: { crop: { x: 5, y: 20, width: 70, height: 30 } } });
    const cropped = (await client.render({ stack, size: 'preview', scale: 1 }, 'view'))!;
    expectSame(frameOf(cropped), renderStack(stack, lookup, { scale: 1 }).image);
    const before = (await client.render({ stack, size: 'preview', scale: 1, layerLimit: 1 }, 'before'))!;
    expectSame(frameOf(before), renderStack(stack, lookup, { scale: 1, layerLimit: 1 }).image);
    client.recycle(before);
    const again = (await client.render({ stack, size: 'preview', scale: 1, layerLimit: 1 }, 'before'))!;
    expectSame(frameOf(again), renderStack(stack, lookup, { scale: 1, layerLimit: 1 }).image);
    client.dispose();
  });

  it('renders whole, on one worker, what cannot be split: a blur, a turn, other lanes', async () => {
    const client = new RenderClient((sha) => `http://host/${sha}`, 2);
    for (const stack of [
      stackOf({ type: 'addAdjustmentLayer', layerId: 'blur', name: 'blur', adjustment: { kind: 'blur', radius: 3 } }),
      stackOf({ type: 'setTransform', transform: { quarterTurns: 1 } }),
    ]) {
      const output = (await client.render({ stack, size: 'preview', scale: 1 }, 'view'))!;
      expect(output.bands).toBeUndefined();
      expectSame(frameOf(output), renderStack(stack, lookup, { scale: 1 }).image);
    }
    const full = (await client.render({ stack: stackOf(), size: 'original', scale: 1 }, 'full'))!;
    expect(full.bands).toBeUndefined();
    expect(FakeWorker.all[1]!.jobs).toHaveLength(0);
    client.dispose();
  });

  it('a newer view frame replaces a waiting one, and the one in flight still answers', async () => {
    const client = new RenderClient((sha) => `http://host/${sha}`, 2);
    const a = client.render({ stack: stackOf(), size: 'preview', scale: 1 }, 'view');
    const b = client.render({ stack: stackOf({ type: 'setAdjustment', layerId: 'bright', adjustment: { kind: 'brightness', amount: 5 } }), size: 'preview', scale: 1 }, 'view');
    const c = applyOperation(stackOf(), { type: 'setAdjustment', layerId: 'bright', adjustment: { kind: 'brightness', amount: 50 } });
    const last = client.render({ stack: c, size: 'preview', scale: 1 }, 'view');
    expect(await a).not.toBeNull();
    expect(await b).toBeNull();
    expectSame(frameOf((await last)!), renderStack(c, lookup, { scale: 1 }).image);
    client.dispose();
  });

  it('a worker that fails leaves the other to render whole frames, the frame in flight included', async () => {
    FakeWorker.failing.add(1);
    const client = new RenderClient((sha) => `http://host/${sha}`, 2);
    const stack = stackOf();
    const output = (await client.render({ stack, size: 'preview', scale: 1 }, 'view'))!;
    expect(client.bandCount).toBe(1);
    expect(output.bands).toBeUndefined();
    expectSame(frameOf(output), renderStack(stack, lookup, { scale: 1 }).image);
    expect(FakeWorker.all[1]!.terminated).toBe(true);
    client.dispose();
  });
});
