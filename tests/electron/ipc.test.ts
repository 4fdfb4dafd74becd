import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { callNames, IPC_EVENT_CHANNEL, type HostEvent } from '../../shared/contract/api.js';
import type { Handlers } from '../../shared/contract/dispatch.js';
import { UserFacingError } from '../../shared/contract/result.js';
import { forwardEvents, registerIpc, type IpcOptions } from '../../electron/main/ipc.js';

type IpcHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** Records `ipcMain.handle` registrations so a test can invoke them like the renderer would. */
function fakeIpcMain() {
  const channels = new Map<string, IpcHandler>();
  return {
    channels,
    handle: vi.fn((channel: string, handler: IpcHandler) => {
      if (channels.has(channel)) throw new Error(`second handler for ${channel}`);
      channels.set(channel, handler);
    }),
    removeHandler: vi.fn((channel: string) => {
      channels.delete(channel);
    }),
    invoke(channel: string, input: unknown, event: Partial<IpcMainInvokeEvent> = {}) {
      const handler = channels.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler(event as IpcMainInvokeEvent, input);
    },
  };
}

function setUp(handlers: Partial<Handlers>, options?: IpcOptions) {
  const ipcMain = fakeIpcMain();
  const unregister = registerIpc(ipcMain, { handlers }, options);
  return { ipcMain, unregister };
}

const photo = {
  id: 7,
  sha256: 'e'.repeat(64),
  fileName: 'coffee.png',
  width: 400,
  height: 400,
  takenAt: null,
  importedAt: '2025-01-01T00:00:00.000Z',
  rating: 0,
  colorLabel: null,
  trashedAt: null,
};

describe('IPC', () => {
  it('registers exactly one promptroom:<name> channel per contract call', () => {
    const { ipcMain } = setUp({});
    expect([...ipcMain.channels.keys()].sort()).toEqual(callNames.map((name) => `promptroom:${name}`).sort());
    expect(ipcMain.handle).toHaveBeenCalledTimes(callNames.length);
  });

  it('registers nothing outside the contract', () => {
    const { ipcMain } = setUp({});
    for (const channel of ['promptroom:fs.readFile', 'promptroom:shell.openExternal', 'fs.readFile', 'promptroom:event', 'photos.list']) {
      expect(ipcMain.channels.has(channel), channel).toBe(false);
    }
  });

  it('refuses invalid arguments before the handler sees them', async () => {
    const get = vi.fn();
    const { ipcMain } = setUp({ 'photos.get': get });
    for (const input of [{ id: 'seven' }, { id: -1 }, { id: 7, extra: true }, 'photos', null]) {
      const result = await ipcMain.invoke('promptroom:photos.get', input);
      expect(result, JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
    expect(get).not.toHaveBeenCalled();
  });

  it('runs the handler with the validated input and wraps its value', async () => {
    const list = vi.fn(() => ({ total: 1, items: [photo] }));
    const { ipcMain } = setUp({ 'photos.list': list });
    const result = await ipcMain.invoke('promptroom:photos.list', { limit: 10 });
    expect(result).toEqual({ ok: true, value: { total: 1, items: [photo] } });
    // The schema's defaults are filled in on the main side.
    expect(list).toHaveBeenCalledWith(expect.objectContaining({ limit: 10, offset: 0, sort: 'takenAt', trashed: false }));
  });

  it('answers unsupported for a contract call the services do not provide', async () => {
    const { ipcMain } = setUp({});
    expect(await ipcMain.invoke('promptroom:dialog.openPhotos', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('passes readable service errors on and hides internal ones', async () => {
    const onInternalError = vi.fn();
    const { ipcMain } = setUp(
      {
        'photos.get': () => {
          throw new UserFacingError('not-found', 'Photo 7 is not in the library.');
        },
        'tags.list': () => {
          throw new Error('SQLITE_CORRUPT at /home/someone/library.sqlite3');
        },
      },
      { onInternalError },
    );
    expect(await ipcMain.invoke('promptroom:photos.get', { id: 7 })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'Photo 7 is not in the library.' },
    });
    const internal = await ipcMain.invoke('promptroom:tags.list', {});
    expect(internal).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(internal)).not.toContain('SQLITE_CORRUPT');
    expect(onInternalError).toHaveBeenCalledWith('tags.list', expect.any(Error));
  });

  it('refuses calls from a sender that is not the app page', async () => {
    const list = vi.fn(() => []);
    const isTrustedSender = (event: IpcMainInvokeEvent) => event.senderFrame?.url === 'file:///app/index.html';
    const { ipcMain } = setUp({ 'tags.list': list }, { isTrustedSender });
    const stranger = await ipcMain.invoke('promptroom:tags.list', {}, { senderFrame: { url: 'https://example.com/' } as never });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect(list).not.toHaveBeenCalled();
    const own = await ipcMain.invoke('promptroom:tags.list', {}, { senderFrame: { url: 'file:///app/index.html' } as never });
    expect(own).toEqual({ ok: true, value: [] });
  });

  it('finds handlers the services add after registration', async () => {
    const handlers: Partial<Handlers> = {};
    const { ipcMain } = setUp(handlers);
    handlers['tags.list'] = () => [{ name: 'coffee', count: 1 }];
    expect(await ipcMain.invoke('promptroom:tags.list', {})).toEqual({ ok: true, value: [{ name: 'coffee', count: 1 }] });
  });

  it('removes every channel again', () => {
    const { ipcMain, unregister } = setUp({});
    unregister();
    expect(ipcMain.channels.size).toBe(0);
  });
});

describe('events', () => {
  function fakeServices() {
    const listeners = new Set<(event: HostEvent) => void>();
    return {
      emit: (event: HostEvent) => listeners.forEach((listener) => listener(event)),
      subscribe(listener: (event: HostEvent) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      listenerCount: () => listeners.size,
    };
  }

  it('forwards service events to the window on promptroom:event', () => {
    const services = fakeServices();
    const window = { isDestroyed: () => false, send: vi.fn() };
    forwardEvents(services, () => [window]);
    services.emit({ type: 'library.changed' });
    expect(window.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, { type: 'library.changed' });
  });

  it('skips a closed window and stops when unsubscribed', () => {
    const services = fakeServices();
    const closed = { isDestroyed: () => true, send: vi.fn() };
    const unsubscribe = forwardEvents(services, () => [closed]);
    services.emit({ type: 'library.changed' });
    expect(closed.send).not.toHaveBeenCalled();
    unsubscribe();
    expect(services.listenerCount()).toBe(0);
  });
});
