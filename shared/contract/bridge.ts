import type { CallInput, CallName, CallOutput, HostEvent } from './api.js';
import type { ApiError, Result } from './result.js';

/**
 * What a host gives the renderer: the Electron preload exposes it as `window.promptroom`;
 * on the browser host the renderer builds it over fetch and server-sent events.
 */
export interface HostBridge {
  readonly host: 'electron' | 'browser';
  call(name: string, input: unknown): Promise<Result<unknown>>;
  onEvent(listener: (event: HostEvent) => void): () => void;
  /** Electron only: the path of a dropped file on disk. */
  pathForFile?(file: File): string;
  /** Browser host only: uploads a dropped file to a staging area; returns its staged id. */
  upload?(file: Blob, name: string): Promise<string>;
}

export type AssetSize = 'thumb' | 'preview' | 'original';

/** Electron serves images through this scheme; the browser host under `/asset/`. */
export const ASSET_SCHEME = 'promptroom-asset';

/** The URL of a stored image, by content hash only. */
export function assetUrl(host: HostBridge['host'], sha256: string, size: AssetSize): string {
  return host === 'electron' ? `${ASSET_SCHEME}://image/${sha256}?size=${size}` : `/asset/${sha256}?size=${size}`;
}

/** A rejected call, carrying the readable message from the main process. */
export class CallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'CallError';
  }
}

/** The typed face of a bridge: `await client.call('photos.list', {...})`. */
export interface Client {
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
}

export function createClient(bridge: Pick<HostBridge, 'call'>): Client {
  return {
    async call(name, input) {
      const result = await bridge.call(name, input);
      if (!result.ok) throw new CallError(result.error);
      return result.value as never;
    },
  };
}
