/**
 * The local engine's worker thread: takes tasks from the main thread, runs them (tasks.ts),
 * answers with the result, transferring pixel buffers rather than copying them.
 */
import { parentPort } from 'node:worker_threads';
import { UserFacingError } from '../../../shared/contract/result.js';
import { runTask, type LocalTask } from './tasks.js';
import type { WorkerReply } from './pool.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread only.');

port.on('message', (message: { id: number; task: LocalTask }) => {
  void (async () => {
    let reply: WorkerReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const ran = await runTask(message.task);
      reply = { id: message.id, ok: true, result: ran.result };
      transfer = ran.transfer;
    } catch (error) {
      reply = {
        id: message.id,
        ok: false,
        error: {
          code: error instanceof UserFacingError ? error.code : 'internal',
          message: error instanceof Error ? error.message : String(error),
          userFacing: error instanceof UserFacingError,
        },
      };
    }
    port.postMessage(reply, transfer);
  })();
});
