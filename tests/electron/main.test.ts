/**
 * The main process wired together, over a fake 'electron' module and fake services: what the
 * app registers, in which order, and that the guards it attaches really refuse things.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callNames, IPC_EVENT_CHANNEL, type HostEvent } from '../../shared/contract/api.js';
import type { ServicesLike } from '../../electron/main/services-like.js';
import { FakeBrowserWindow, navigationEvent, type FakeElectron } from './fake-electron.js';

const shared = vi.hoisted(() => ({
  electron: undefined as unknown as FakeElectron,
  services: undefined as unknown as ServicesLike & { emit(event: HostEvent): void },
  openServices: undefined as unknown as ReturnType<typeof vi.fn>,
}));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron.js');
  shared.electron = createFakeElectron();
  return shared.electron.module;
});

vi.mock('../../electron/services/index.js', () => {
  const listeners = new Set<(event: HostEvent) => void>();
  shared.services = {
    libraryDir: '',
    handlers: {
      'tags.list': () => [{ name: 'coffee', count: 2 }],
      'photos.get': () => {
        throw new Error('not reached with bad input');
      },
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resolveAsset: vi.fn(async () => null),
    close: vi.fn(),
    emit: (event) => listeners.forEach((listener) => listener(event)),
  };
  shared.openServices = vi.fn(async () => shared.services);
  return { openServices: shared.openServices };
});

let appDir: string;
let pageUrl: string;
let window: FakeBrowserWindow;

beforeAll(async () => {
  appDir = mkdtempSync(path.join(os.tmpdir(), 'promptroom-app-'));
  mkdirSync(path.join(appDir, 'dist', 'renderer'), { recursive: true });
  mkdirSync(path.join(appDir, 'dist', 'preload'), { recursive: true });
  writeFileSync(path.join(appDir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Promptroom</title>');
  writeFileSync(path.join(appDir, 'dist', 'preload', 'index.cjs'), '');
  pageUrl = pathToFileURL(path.join(appDir, 'dist', 'renderer', 'index.html')).href;

  const electron = await import('electron');
  const { state } = shared.electron;
  state.appPath = appDir;
  state.userData = path.join(appDir, 'userData');
  expect(electron.app).toBe(shared.electron.module.app);

  await import('../../electron/main/index.js');
  await vi.waitFor(() => expect(FakeBrowserWindow.created).toHaveLength(1));
  window = FakeBrowserWindow.created[0]!;
});

afterAll(() => rmSync(appDir, { recursive: true, force: true }));

function trustedEvent(url = pageUrl): Partial<IpcMainInvokeEvent> {
  return { senderFrame: { url, parent: null } as never };
}

function ipcHandler(channel: string) {
  const call = shared.electron.module.ipcMain.handle.mock.calls.find((c: unknown[]) => c[0] === channel);
  return call?.[1] as ((event: Partial<IpcMainInvokeEvent>, input: unknown) => Promise<unknown>) | undefined;
}

describe('the main process', () => {
  it('takes the single-instance lock and registers the asset scheme before the app is ready', () => {
    const { order, module } = shared.electron;
    expect(order.indexOf('registerSchemesAsPrivileged')).toBeLessThan(order.indexOf('whenReady'));
    expect(order).toContain('requestSingleInstanceLock');
    expect(module.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'promptroom-asset',
        privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }),
      }),
    ]);
  });

  it('opens the services on the library in userData, with a native dialog', () => {
    expect(shared.openServices).toHaveBeenCalledWith(
      expect.objectContaining({
        libraryDir: path.join(appDir, 'userData', 'library'),
        host: 'electron',
        version: '0.1.0-test',
        systemLocale: 'en-US',
        openPhotosDialog: expect.any(Function),
      }),
    );
  });

  it('serves assets through protocol.handle and the services', async () => {
    const { protocol } = shared.electron.module;
    expect(protocol.handle).toHaveBeenCalledWith('promptroom-asset', expect.any(Function));
    const handler = protocol.handle.mock.calls[0]?.[1] as (request: Request) => Promise<Response>;
    expect((await handler(new Request(`promptroom-asset://image/${'f'.repeat(64)}?size=thumb`))).status).toBe(404);
    expect((await handler(new Request('promptroom-asset://image/etc/passwd'))).status).toBe(400);
  });

  it('opens a sandboxed, isolated window on the built preload and page', () => {
    expect(window.options.webPreferences).toMatchObject({
      preload: path.join(appDir, 'dist', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window.loadFile).toHaveBeenCalledWith(path.join(appDir, 'dist', 'renderer', 'index.html'));
  });

  it('keeps the window on its page and opens no other windows', () => {
    const away = navigationEvent('https://example.com/');
    window.webContents.emit('will-navigate', away);
    expect(away.preventDefault).toHaveBeenCalled();
    const home = navigationEvent(`${pageUrl}#/library`);
    window.webContents.emit('will-navigate', home);
    expect(home.preventDefault).not.toHaveBeenCalled();
    expect(window.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('denies permissions and sets a CSP on the default session', () => {
    const { defaultSession } = shared.electron.module.session;
    const callback = vi.fn();
    (defaultSession.setPermissionRequestHandler.mock.calls[0]?.[0] as (...args: unknown[]) => void)({}, 'media', callback, {});
    expect(callback).toHaveBeenCalledWith(false);
    expect(defaultSession.webRequest.onHeadersReceived).toHaveBeenCalledOnce();
  });

  it('registers one IPC channel per contract call and nothing else', () => {
    const channels = shared.electron.module.ipcMain.handle.mock.calls.map((c: unknown[]) => c[0]);
    expect([...channels].sort()).toEqual(callNames.map((name) => `promptroom:${name}`).sort());
  });

  it('validates IPC arguments and answers calls from its own page', async () => {
    expect(await ipcHandler('promptroom:photos.get')?.(trustedEvent(), { id: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await ipcHandler('promptroom:tags.list')?.(trustedEvent(), {})).toEqual({ ok: true, value: [{ name: 'coffee', count: 2 }] });
  });

  it('refuses IPC calls from any other page or from a subframe', async () => {
    const other = await ipcHandler('promptroom:tags.list')?.(trustedEvent('https://example.com/'), {});
    expect(other).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    const subframe = await ipcHandler('promptroom:tags.list')?.({ senderFrame: { url: pageUrl, parent: {} } as never }, {});
    expect(subframe).toMatchObject({ ok: false });
  });

  it('forwards service events to the window', () => {
    shared.services.emit({ type: 'library.changed' });
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, { type: 'library.changed' });
  });

  it('installs a menu whose Import… opens the dialog', async () => {
    const { Menu, dialog } = shared.electron.module;
    const template = Menu.setApplicationMenu.mock.calls[0]?.[0] as { label?: string; submenu?: { id?: string; click?: () => void }[] }[];
    const item = template.find((entry) => entry.label === 'File')?.submenu?.find((entry) => entry.id === 'import');
    item?.click?.();
    await vi.waitFor(() => expect(dialog.showOpenDialog).toHaveBeenCalled());
  });

  it('closes the services when the app quits', () => {
    shared.electron.module.app.emit('will-quit');
    expect(shared.services.close).toHaveBeenCalled();
  });
});
