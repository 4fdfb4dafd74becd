import type { HostEvent } from '../../shared/contract/api.js';
import type { Handlers } from '../../shared/contract/dispatch.js';

/**
 * The slice of `electron/services` the main process uses, declared here so the window, protocol
 * and IPC modules can be tested with a fake. It mirrors `Services` from `../services/index.js`.
 */
export interface ServicesLike {
  readonly libraryDir: string;
  readonly handlers: Partial<Handlers>;
  subscribe(listener: (event: HostEvent) => void): () => void;
  /** `null` when the hash is not in the library. */
  resolveAsset(
    sha256: string,
    size: 'thumb' | 'preview' | 'original',
  ): Promise<{ path: string; contentType: string } | null>;
  close(): void;
}
