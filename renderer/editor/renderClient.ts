/**
 * The page's side of rendering: one worker, one request in flight, and a scheduler that keeps
 * only the newest picture of each kind (a slider drag asks for many; only the last matters).
 * Order: full-resolution flattening (parity), the view, the before picture, history thumbnails.
 */
import type { AssetSize } from '../../shared/contract/bridge.js';
import type { LayerStack } from '../../shared/document/model.js';
import { runRenderJob, type RenderJob, type RenderOutput } from './renderCore.js';
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

const LANE_ORDER: RenderLane[] = ['full', 'view', 'before', 'thumb'];
/** Lanes where a newer request replaces a waiting one. */
const LATEST_ONLY = new Set<RenderLane>(['view', 'before']);

export class RenderClient {
  private worker: Worker | null = null;
  private inline = false;
  private busy: Pending | null = null;
  private nextId = 1;
  private readonly waiting = new Map<RenderLane, Pending[]>(LANE_ORDER.map((lane) => [lane, []]));
  private disposed = false;

  constructor(private readonly urlFor: (sha256: string, size: Exclude<AssetSize, 'thumb'>) => string) {
    try {
      this.worker = new Worker(new URL('./render.worker.ts', import.meta.url), { type: 'module', name: 'promptroom-render' });
      this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.finish(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.fallBackToPage();
      };
    } catch {
      this.inline = true;
    }
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

  /** Drops waiting thumbnail requests (the history scrolled away or the project changed). */
  clearLane(lane: RenderLane): void {
    for (const dropped of this.waiting.get(lane)!.splice(0)) dropped.resolve(null);
  }

  dispose(): void {
    this.disposed = true;
    for (const lane of LANE_ORDER) this.clearLane(lane);
    this.worker?.terminate();
    this.worker = null;
  }

  private pump(): void {
    if (this.busy || this.disposed) return;
    const next = LANE_ORDER.map((lane) => this.waiting.get(lane)!).find((queue) => queue.length > 0)?.shift();
    if (!next) return;
    this.busy = next;
    if (this.inline || !this.worker) {
      void this.runOnPage(next);
      return;
    }
    const message: WorkerRequest = { id: this.nextId++, job: next.job };
    (next as Pending & { id?: number }).id = message.id;
    this.worker.postMessage(message);
  }

  private finish(response: WorkerResponse): void {
    const current = this.busy as (Pending & { id?: number }) | null;
    if (!current || current.id !== response.id) return;
    this.busy = null;
    if (response.ok) current.resolve({ width: response.width, height: response.height, data: response.data, broken: response.broken, ms: response.ms });
    else current.reject(new Error(response.message));
    this.pump();
  }

  private async runOnPage(pending: Pending): Promise<void> {
    // Let the page paint between renders when there is no worker.
    await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      pending.resolve(await runRenderJob(pending.job));
    } catch (error) {
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.busy = null;
    this.pump();
  }

  /** A worker that cannot start (a host that refuses worker scripts): render on the page instead. */
  private fallBackToPage(): void {
    if (this.inline) return;
    this.inline = true;
    this.worker?.terminate();
    this.worker = null;
    const retry = this.busy;
    this.busy = null;
    if (retry) this.waiting.get(retry.lane)!.unshift(retry);
    this.pump();
  }
}

function absolute(url: string): string {
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return url;
  }
}
