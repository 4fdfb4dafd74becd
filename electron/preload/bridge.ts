import type { IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_PREFIX, isCallName, type HostEvent } from '../../shared/contract/api.js';
import type { HostBridge } from '../../shared/contract/bridge.js';
import { fail, type Result } from '../../shared/contract/result.js';

/** The parts of Electron the bridge uses, so it can be built over fakes in tests. */
export interface BridgeDeps {
  ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;
  webUtils: Pick<WebUtils, 'getPathForFile'>;
}

/**
 * The object exposed as `window.promptroom`. It forwards only the contract's calls, each on its
 * own `promptroom:<name>` channel, and hands listeners the event payload alone: the renderer
 * never sees `ipcRenderer` or an IPC event object.
 */
export function createBridge({ ipcRenderer, webUtils }: BridgeDeps): HostBridge {
  return {
    host: 'electron',
    async call(name: string, input: unknown): Promise<Result<unknown>> {
      if (!isCallName(name)) {
        return fail('unknown-call', `There is no call named ${JSON.stringify(String(name)).slice(0, 80)}.`);
      }
      try {
        return (await ipcRenderer.invoke(`${IPC_PREFIX}${name}`, input)) as Result<unknown>;
      } catch (error) {
        // Only reached when the main process has no handler or cannot clone the arguments.
        const detail = error instanceof Error ? error.message : String(error);
        return fail('internal', `The call ${name} did not reach Promptroom: ${detail}`);
      }
    },
    onEvent(listener: (event: HostEvent) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
      const forward = (_event: IpcRendererEvent, payload: unknown) => {
        if (isHostEventShaped(payload)) listener(payload);
      };
      ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
      };
    },
    pathForFile(file: File): string {
      return webUtils.getPathForFile(file);
    },
  };
}

// The main process only sends HostEvents; this just keeps anything else away from listeners.
function isHostEventShaped(payload: unknown): payload is HostEvent {
  return typeof payload === 'object' && payload !== null && typeof (payload as { type?: unknown }).type === 'string';
}
