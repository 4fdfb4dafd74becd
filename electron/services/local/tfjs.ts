/**
 * TensorFlow.js on its WebAssembly backend, loaded once per thread and shared by the subject mask
 * (subject.ts) and the face check (faces.ts): one copy of tfjs-core, one wasm module.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs-core';

type TfCore = typeof TfModule;

let loading: Promise<TfCore> | null = null;

/** tfjs-core with the wasm backend set and ready. */
export async function loadTfWasm(): Promise<TfCore> {
  loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}${path.sep}`);
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  try {
    return await loading;
  } catch (error) {
    loading = null;
    throw error;
  }
}
