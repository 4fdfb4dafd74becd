/**
 * Runs local-engine tasks on worker threads: started lazily on the first task, one task per
 * worker at a time, queued in order. A crashed worker fails its task with a readable error
 * and is replaced on the next task.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserFacingError, type ApiErrorCode } from '../../../shared/contract/result.js';
import { runTask, type LocalTask, type LocalTaskResult } from './tasks.js';

export type WorkerReply =
  | { id: number; ok: true; result: LocalTaskResult }
  | { id: number; ok: false; error: { code: ApiErrorCode; message: string; userFacing: boolean } };

/** Something that runs tasks: the worker pool, or the task function itself (inline, for tests). */
export interface TaskRunner {
  run(task: LocalTask): Promise<LocalTaskResult>;
  close(): Promise<void>;
}

/** Runs tasks on the calling thread: blocks it, so only for tests and command-line tools. */
export const inlineRunner: TaskRunner = {
  run: async (task) => (await runTask(task)).result,
  close: async () => {},
};

/**
 * The compiled worker script. Beside this module once built (dist/node/…); when this module runs
 * from TypeScript sources (vitest), the build's copy in dist/node.
 */
export function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'worker.js');
  const repo = path.resolve(path.dirname(here), '../../..');
  return path.join(repo, 'dist/node/electron/services/local/worker.js');
}

interface Pending {
  id: number;
  task: LocalTask;
  resolve(result: LocalTaskResult): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  timer: NodeJS.Timeout | null;
}

/** A task running longer than this is stopped (its worker is replaced): never a hung job. */
export const TASK_TIMEOUT_MS = 10 * 60 * 1000;

export class WorkerPool implements TaskRunner {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: { size?: number; script?: string; timeoutMs?: number } = {}) {}

  run(task: LocalTask): Promise<LocalTaskResult> {
    if (this.closed) return Promise.reject(new UserFacingError('unsupported', 'The local engine has been shut down.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new UserFacingError('unsupported', 'The local engine was shut down before this step ran.'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < (this.options.size ?? 1)) {
        try {
          slot = this.spawn();
        } catch (error) {
          for (const pending of this.queue.splice(0)) pending.reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
      }
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      // Busy workers keep the process alive (a CLI awaiting a restoration); idle ones do not.
      slot.worker.ref();
      const chosen = slot;
      slot.timer = setTimeout(() => {
        const minutes = Math.round((this.options.timeoutMs ?? TASK_TIMEOUT_MS) / 60_000);
        this.retire(chosen, new UserFacingError('internal', `The local engine gave up on a step that ran over ${minutes > 0 ? `${minutes} minutes` : 'its time limit'}; try a smaller photo or a simpler edit.`));
        void chosen.worker.terminate();
      }, this.options.timeoutMs ?? TASK_TIMEOUT_MS);
      slot.worker.postMessage({ id: pending.id, task: pending.task });
    }
  }

  private spawn(): Slot {
    const script = this.options.script ?? workerScript();
    if (!existsSync(script)) {
      throw new UserFacingError('internal', `The local engine's worker is not built (${script}); run npm run build:node.`);
    }
    const worker = new Worker(script);
    const slot: Slot = { worker, busy: null, timer: null };
    worker.on('message', (reply: WorkerReply) => {
      const pending = slot.busy;
      if (!pending || pending.id !== reply.id) return;
      slot.busy = null;
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      worker.unref();
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(reply.error.userFacing ? new UserFacingError(reply.error.code, reply.error.message) : new Error(reply.error.message));
      this.pump();
    });
    const fail = (error: Error) =>
      this.retire(slot, new UserFacingError('internal', `The local engine stopped unexpectedly (${error.message}). Try again; a very large photo may need more memory.`));
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed && code !== 0) fail(new Error(`exit code ${code}`));
      else if (!this.closed && slot.busy) fail(new Error('the worker exited'));
    });
    this.slots.push(slot);
    return slot;
  }

  /** Takes a worker out of service, failing its task with `error`; the next task starts a new one. */
  private retire(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const pending = slot.busy;
    slot.busy = null;
    pending?.reject(error);
    this.pump();
  }
}
