/**
 * The render worker: flattens layer stacks off the UI thread so sliders and the brush stay fluid
 * while a big photo renders. One request at a time; the page decides which comes next (and, with
 * two workers, gives each the same view frame with its own band of rows).
 */
import { recycle, runRenderJob, type RenderJob, type RenderOutput } from './renderCore.js';

export interface JobRequest {
  id: number;
  job: RenderJob;
}

/** A frame's buffer this worker sent, given back (transferred) once the page drew it. */
export interface RecycleRequest {
  recycle: Uint8ClampedArray;
}

export type WorkerRequest = JobRequest | RecycleRequest;

export type WorkerResponse =
  | ({ id: number; ok: true } & RenderOutput)
  | { id: number; ok: false; message: string };

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  if ('recycle' in event.data) {
    recycle(event.data.recycle);
    return;
  }
  const { id, job } = event.data;
  runRenderJob(job).then(
    (output) => {
      const response: WorkerResponse = { id, ok: true, ...output };
      self.postMessage(response, { transfer: [output.data.buffer, ...(output.bands ?? []).map((band) => band.data.buffer)] });
    },
    (error: unknown) => {
      const response: WorkerResponse = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
      self.postMessage(response);
    },
  );
};
