/**
 * The page's side of rendering: render workers, one request in flight, and a scheduler that keeps
 * only the newest picture of each kind (a slider drag asks for many; only the last matters).
 * Order: full-resolution flattening (parity), the view, the before picture, history thumbnails.
 *
 * With two cores or more there are two workers: a view frame whose stack can be split
 * (canRenderInBands: pointwise adjustments, no turn or straighten) goes to both, each rendering
 * of the rows (about half of the work: balancedBands) with its own incremental renderer, and comes back as two bands the page draws
 * one after the other. Anything else (other lanes, a blur in the stack) goes whole to the first.
 * A worker that fails leaves the other to do everything; with none left, the page renders.
 *
 * A frame's buffers, once drawn, go back to the worker that made them (`recycle`), which writes a
 * later frame of the same size into them instead of into fresh memory.
 */
import type { AssetSize } from '../../shared/contract/bridge.js';
import type { LayerStack } from '../../shared/document/model.js';
import { balancedBands, canRenderInBands } from '../../shared/document/render.js';
import { recycle as recycleOnPage, runRenderJob, type FrameBand, type RenderJob, type RenderOutput } from './renderCore.js';
import type { WorkerRequest, WorkerResponse } from './render.worker.js';

export type RenderLane = 'full' | 'view' | 'before' | 'thumb';

export interface RenderRequest {
  stack: LayerStack;
  size: Exclude<AssetSize, 'thumb'>;
  scale: number;
  layerLimit?: number;
}

interface Pending {
  lane: RenderLane;
  job: RenderJob;
  resolve: (output: RenderOutput | null) => void;
  reject: (error: Error) => void;
}

/** The request in flight: the message id its parts answer to, and the parts back so far. */
interface InFlight {
  pending: Pending;
  id: number;
  /** The workers it went to (by object: a failed worker leaves the list). */
  sentTo: Worker[];
  answers: WorkerResponse[];
}

const LANE_ORDER: RenderLane[] = ['full', 'view', 'before', 'thumb'];
/** Lanes where a newer request replaces a waiting one. */
const LATEST_ONLY = new Set<RenderLane>(['view', 'before']);

export class RenderClient {
  private workers: Worker[] = [];
  private inline = false;
  private busy: InFlight | null = null;
  /** A request rendering on the page (no workers). */
  private onPage = false;
  private nextId = 1;
  private readonly waiting = new Map<RenderLane, Pending[]>(LANE_ORDER.map((lane) => [lane, []]));
  private disposed = false;
  /** Who made each buffer handed out and not yet given back: a worker, or the page. */
  private readonly origins = new WeakMap<ArrayBufferLike, Worker | 'page'>();

  /** `workerCount` defaults to 2 with two cores or more, else 1. */
  constructor(
    private readonly urlFor: (sha256: string, size: Exclude<AssetSize, 'thumb'>) => string,
    workerCount: number = (globalThis.navigator?.hardwareConcurrency ?? 1) >= 2 ? 2 : 1,
  ) {
    try {
      for (let i = 0; i < Math.max(1, workerCount); i++) {
        const worker = new Worker(new URL('./render.worker.ts', import.meta.url), { type: 'module', name: `promptroom-render-${i + 1}` });
        worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.finish(worker, event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          this.dropWorker(worker);
        };
        this.workers.push(worker);
      }
    } catch {
      // Whatever started still works; none at all: the page renders.
      if (this.workers.length === 0) this.inline = true;
    }
  }

  /** How many workers share a view frame now (1: frames are rendered whole). */
  get bandCount(): number {
    return this.inline ? 1 : Math.max(1, this.workers.length);
  }

  /** Renders on the given lane; answers null when a newer request on the same lane replaced it. */
  render(request: RenderRequest, lane: RenderLane): Promise<RenderOutput | null> {
    if (this.disposed) return Promise.resolve(null);
    const urls: Record<string, string> = {};
    for (const layer of request.stack.layers.slice(0, request.layerLimit ?? request.stack.layers.length)) {
      if (layer.kind === 'image') urls[layer.sha256] = absolute(this.urlFor(layer.sha256, request.size));
    }
    // The view's frames follow one another (a drag): they reuse the canvases below the change.
    const job: RenderJob = { stack: request.stack, scale: request.scale, layerLimit: request.layerLimit, urls, incremental: lane === 'view' };
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(lane)!;
      if (LATEST_ONLY.has(lane)) {
        for (const replaced of queue.splice(0)) replaced.resolve(null);
      }
      queue.push({ lane, job, resolve, reject });
      this.pump();
    });
  }

  /**
   * Gives a drawn frame's buffers (its data and bands) back to whoever rendered them, transferred:
   * `output` must not be read afterwards. Buffers it did not hand out, or from a worker since
   * dropped, are left alone.
   */
  recycle(output: RenderOutput): void {
    for (const data of [output.data, ...(output.bands ?? []).map((band) => band.data)]) {
      if (data.byteLength === 0) continue;
      const origin = this.origins.get(data.buffer);
      this.origins.delete(data.buffer);
      if (origin === 'page') recycleOnPage(data);
      else if (origin && this.workers.includes(origin) && !this.disposed) origin.postMessage({ recycle: data } satisfies WorkerRequest, { transfer: [data.buffer as ArrayBuffer] });
    }
  }

  /** Drops waiting thumbnail requests (the history scrolled away or the project changed). */
  clearLane(lane: RenderLane): void {
    for (const dropped of this.waiting.get(lane)!.splice(0)) dropped.resolve(null);
  }

  dispose(): void {
    this.disposed = true;
    for (const lane of LANE_ORDER) this.clearLane(lane);
    for (const worker of this.workers) worker.terminate();
    this.workers = [];
  }

  private pump(): void {
    if (this.busy || this.onPage || this.disposed) return;
    const next = LANE_ORDER.map((lane) => this.waiting.get(lane)!).find((queue) => queue.length > 0)?.shift();
    if (!next) return;
    if (this.inline || this.workers.length === 0) {
      this.onPage = true;
      void this.runOnPage(next);
      return;
    }
    const id = this.nextId++;
    const bands = next.job.incremental && this.workers.length >= 2 && canRenderInBands(next.job.stack, next.job.layerLimit) ? balancedBands(next.job.stack, next.job.scale, this.workers.length, next.job.layerLimit) : [];
    if (bands.length >= 2) {
      const sentTo = this.workers.slice(0, bands.length);
      this.busy = { pending: next, id, sentTo, answers: [] };
      sentTo.forEach((worker, i) => worker.postMessage({ id, job: { ...next.job, band: bands[i] } } satisfies WorkerRequest));
      return;
    }
    const worker = this.workers[0]!;
    this.busy = { pending: next, id, sentTo: [worker], answers: [] };
    worker.postMessage({ id, job: next.job } satisfies WorkerRequest);
  }

  private finish(worker: Worker, response: WorkerResponse): void {
    const current = this.busy;
    // An answer to a request already given up (a worker failed meanwhile) is dropped.
    if (!current || current.id !== response.id || !current.sentTo.includes(worker)) return;
    if (response.ok) this.madeBy(response, worker);
    current.answers.push(response);
    if (current.answers.length < current.sentTo.length) return;
    this.busy = null;
    const failed = current.answers.find((answer) => !answer.ok);
    if (failed && !failed.ok) current.pending.reject(new Error(failed.message));
    else current.pending.resolve(merge(current.answers));
    this.pump();
  }

  private async runOnPage(pending: Pending): Promise<void> {
    // Let the page paint between renders when there is no worker.
    await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      const output = await runRenderJob(pending.job);
      this.madeBy(output, 'page');
      pending.resolve(output);
    } catch (error) {
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.onPage = false;
    this.pump();
  }

  private madeBy(output: RenderOutput, origin: Worker | 'page'): void {
    for (const data of [output.data, ...(output.bands ?? []).map((band) => band.data)]) if (data.byteLength > 0) this.origins.set(data.buffer, origin);
  }

  /**
   * A worker that fails (a host that refuses worker scripts, a crash): the others carry on, the
   * request in flight is sent again; with none left, the page renders.
   */
  private dropWorker(worker: Worker): void {
    if (!this.workers.includes(worker)) return;
    worker.terminate();
    this.workers = this.workers.filter((w) => w !== worker);
    if (this.workers.length === 0) this.inline = true;
    const retry = this.busy;
    if (retry?.sentTo.includes(worker)) {
      this.busy = null;
      this.waiting.get(retry.pending.lane)!.unshift(retry.pending);
    }
    this.pump();
  }
}

/** One worker's answer as it is, or the bands of a split frame as one output (bands top first). */
function merge(answers: WorkerResponse[]): RenderOutput {
  const ok = answers.filter((answer): answer is Extract<WorkerResponse, { ok: true }> => answer.ok);
  const first = ok[0]!;
  const broken = [...new Set(ok.flatMap((answer) => answer.broken))];
  const output: RenderOutput = { width: first.width, height: first.height, data: first.data, broken, ms: Math.max(...ok.map((answer) => answer.ms)) };
  if (first.bands) {
    const bands: FrameBand[] = ok.flatMap((answer) => answer.bands ?? []).sort((a, b) => a.top - b.top);
    output.bands = bands;
  }
  return output;
}

function absolute(url: string): string {
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return url;
  }
}
