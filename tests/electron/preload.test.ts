import { describe, expect, it, vi } from 'vitest';
import { callNames, IPC_EVENT_CHANNEL } from '../../shared/contract/api.js';
import { createBridge } from '../../electron/preload/bridge.js';
import { createFakeElectron } from './fake-electron.js';

const electron = vi.hoisted(() => ({ fake: undefined as undefined | ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron.js');
  electron.fake = createFakeElectron();
  return electron.fake.module;
});

function bridgeOverFakes() {
  const { module } = createFakeElectron();
  const bridge = createBridge({ ipcRenderer: module.ipcRenderer as never, webUtils: module.webUtils as never });
  return { bridge, ipcRenderer: module.ipcRenderer, webUtils: module.webUtils };
}

describe('the preload bridge', () => {
  it('says it is the Electron host', () => {
    expect(bridgeOverFakes().bridge.host).toBe('electron');
  });

  it.each(['fs.readFile', 'shell.openExternal', 'event', '__proto__', 'constructor', 'toString', '', 'promptroom:photos.list'])(
    'refuses the unknown call %j without touching IPC',
    async (name) => {
      const { bridge, ipcRenderer } = bridgeOverFakes();
      const result = await bridge.call(name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
      expect(ipcRenderer.invoke).not.toHaveBeenCalled();
    },
  );

  it('refuses a name that is not a string', async () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    expect(await bridge.call({ toString: () => 'photos.list' } as never, {})).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('sends every contract call on its own promptroom:<name> channel', async () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    for (const name of callNames) await bridge.call(name, { probe: name });
    expect(ipcRenderer.invoke.mock.calls).toEqual(callNames.map((name) => [`promptroom:${name}`, { probe: name }]));
  });

  it('answers with what the main process answered', async () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'invalid-argument', message: 'Invalid arguments' } } as never);
    expect(await bridge.call('photos.get', { id: 'x' })).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'Invalid arguments' } });
  });

  it('turns an IPC failure into a readable error instead of a rejection', async () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'promptroom:tags.list'"));
    expect(await bridge.call('tags.list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('hands listeners the event payload only, and unsubscribes', () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    const listener = vi.fn();
    const unsubscribe = bridge.onEvent(listener);
    const ipcEvent = { sender: ipcRenderer, ports: [] };
    ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, { type: 'library.changed' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([{ type: 'library.changed' }]);
    unsubscribe();
    unsubscribe();
    expect(ipcRenderer.count(IPC_EVENT_CHANNEL)).toBe(0);
    ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, { type: 'library.changed' });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('listens on the event channel only', () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    bridge.onEvent(() => {});
    expect([...ipcRenderer.listeners.keys()]).toEqual([IPC_EVENT_CHANNEL]);
  });

  it('drops payloads that are not events', () => {
    const { bridge, ipcRenderer } = bridgeOverFakes();
    const listener = vi.fn();
    bridge.onEvent(listener);
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, null);
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, 'library.changed');
    expect(listener).not.toHaveBeenCalled();
  });

  it('gives the path of a dropped file through webUtils', () => {
    const { bridge, webUtils } = bridgeOverFakes();
    const file = {} as File;
    expect(bridge.pathForFile?.(file)).toBe('/photos/dropped.jpg');
    expect(webUtils.getPathForFile).toHaveBeenCalledWith(file);
  });
});

describe('the preload script', () => {
  it('exposes the bridge as window.promptroom and nothing else, without ipcRenderer', async () => {
    await import('../../electron/preload/index.js');
    const fake = electron.fake!;
    const expose = fake.module.contextBridge.exposeInMainWorld;
    expect(expose).toHaveBeenCalledOnce();
    const [key, api] = expose.mock.calls[0] as unknown as [string, Record<string, unknown>];
    expect(key).toBe('promptroom');
    expect(Object.keys(api).sort()).toEqual(['call', 'host', 'onEvent', 'pathForFile']);
    for (const value of Object.values(api)) {
      expect(value).not.toBe(fake.module.ipcRenderer);
      expect(value).not.toBe(fake.module.webUtils);
    }
    // Through the exposed object, unknown calls still never reach IPC.
    const call = api['call'] as (name: string, input: unknown) => Promise<unknown>;
    expect(await call('shell.openExternal', { url: 'https://example.com' })).toMatchObject({ ok: false });
    expect(fake.module.ipcRenderer.invoke).not.toHaveBeenCalled();
  });
});
