import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { callNames, IPC_EVENT_CHANNEL, IPC_PREFIX, type HostEvent } from '../../shared/contract/api.js';
import { dispatch, type InternalErrorSink } from '../../shared/contract/dispatch.js';
import { fail } from '../../shared/contract/result.js';
import type { ServicesLike } from './services-like.js';

export interface IpcOptions {
  /** Calls from any other frame (an injected iframe, a stray page) are refused. */
  isTrustedSender?: (event: IpcMainInvokeEvent) => boolean;
  onInternalError?: InternalErrorSink;
}

/**
 * Registers one `ipcMain.handle` channel per contract call, `promptroom:<name>`, each going
 * through `dispatch()` so arguments are validated before a service sees them. Returns a function
 * that removes them again.
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  services: Pick<ServicesLike, 'handlers'>,
  options: IpcOptions = {},
): () => void {
  const channels = callNames.map((name) => {
    const channel = `${IPC_PREFIX}${name}`;
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (options.isTrustedSender && !options.isTrustedSender(event)) {
        return fail('unsupported', 'Promptroom only answers calls from its own window.');
      }
      // Looked up per call, so handlers the services add later are still found.
      return dispatch(services.handlers, name, input, options.onInternalError);
    });
    return channel;
  });
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Where events go: anything with a `send`, usually a window's webContents. */
export interface EventRecipient {
  isDestroyed(): boolean;
  send(channel: string, event: HostEvent): void;
}

/**
 * Forwards every service event to the current targets on `promptroom:event`. Destroyed targets
 * are skipped, since a window can close between an event being raised and delivered.
 */
export function forwardEvents(
  services: Pick<ServicesLike, 'subscribe'>,
  targets: () => readonly EventRecipient[],
): () => void {
  return services.subscribe((event) => {
    for (const target of targets()) {
      if (!target.isDestroyed()) target.send(IPC_EVENT_CHANNEL, event);
    }
  });
}
