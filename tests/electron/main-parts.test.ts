import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPhotosDialog, openDialogOptions } from '../../electron/main/dialog.js';
import { menuTemplate } from '../../electron/main/menu.js';
import { ELECTRON_SQLITE_BINDING, electronSqliteBinding } from '../../electron/main/native.js';
import { libraryDirFrom } from '../../electron/main/paths.js';
import { CONTENT_SECURITY_POLICY, lockDownSession, withContentSecurityPolicy } from '../../electron/main/security.js';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'promptroom-main-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fakeSession() {
  return {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  };
}

describe('the session', () => {
  it('denies every permission request and check', () => {
    const session = fakeSession();
    lockDownSession(session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (...args: unknown[]) => void;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      request({}, permission, callback, {});
      expect(callback, permission).toHaveBeenCalledWith(false);
    }
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (...args: unknown[]) => boolean;
    expect(check({}, 'media', 'file://', {})).toBe(false);
  });

  it('stamps our CSP on every response, replacing any other', () => {
    const session = fakeSession();
    lockDownSession(session as never);
    const listener = session.webRequest.onHeadersReceived.mock.calls[0]?.[0] as (
      details: unknown,
      callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void;
    const callback = vi.fn();
    listener({ responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  it('has a policy that allows only our scripts and the asset scheme for images', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toMatch(/img-src [^;]*promptroom-asset:/);
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'");
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('the menu', () => {
  function importItem(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined {
    const file = template.find((item) => item.label === 'File');
    return (file?.submenu as MenuItemConstructorOptions[] | undefined)?.find((item) => item.id === 'import');
  }

  it('has File ▸ Import… on Ctrl/Cmd+I that starts an import', () => {
    const importPhotos = vi.fn();
    const template = menuTemplate({ platform: 'linux', appName: 'Promptroom', isPackaged: true, actions: { importPhotos } });
    const item = importItem(template);
    expect(item).toMatchObject({ label: 'Import…', accelerator: 'CmdOrCtrl+I' });
    (item?.click as () => void)();
    expect(importPhotos).toHaveBeenCalledOnce();
  });

  it('has the app menu on macOS only, and developer tools only outside a package', () => {
    const actions = { importPhotos: () => {} };
    const mac = menuTemplate({ platform: 'darwin', appName: 'Promptroom', isPackaged: true, actions });
    const linux = menuTemplate({ platform: 'linux', appName: 'Promptroom', isPackaged: true, actions });
    const dev = menuTemplate({ platform: 'linux', appName: 'Promptroom', isPackaged: false, actions });
    expect(mac[0]?.role).toBe('appMenu');
    expect(linux.some((item) => item.role === 'appMenu')).toBe(false);
    const hasDevTools = (template: MenuItemConstructorOptions[]) => JSON.stringify(template).includes('toggleDevTools');
    expect(hasDevTools(linux)).toBe(false);
    expect(hasDevTools(dev)).toBe(true);
  });
});

describe('the open dialog', () => {
  it('picks several photos, or several folders', () => {
    expect(openDialogOptions(false).properties).toEqual(['openFile', 'multiSelections']);
    expect(openDialogOptions(false).filters?.[0]?.extensions).toContain('jpg');
    expect(openDialogOptions(true).properties).toEqual(['openDirectory', 'multiSelections']);
  });

  it('answers the chosen paths, or none when cancelled', async () => {
    const dialog = { showOpenDialog: vi.fn() };
    const open = createPhotosDialog(dialog as never, () => null);
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/photos/a.jpg', '/photos/b.png'] });
    expect(await open(false)).toEqual(['/photos/a.jpg', '/photos/b.png']);
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: ['/photos/a.jpg'] });
    expect(await open(true)).toEqual([]);
  });

  it('opens over the window when there is one', async () => {
    const window = { isDestroyed: () => false };
    const dialog = { showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })) };
    await createPhotosDialog(dialog as never, () => window as never)(false);
    expect(dialog.showOpenDialog).toHaveBeenCalledWith(window, openDialogOptions(false));
  });
});

describe('the library folder', () => {
  it('defaults to <userData>/library', () => {
    expect(libraryDirFrom(['electron', '.'], {}, '/home/me/.config/Promptroom')).toBe('/home/me/.config/Promptroom/library');
  });

  it('takes --library from the command line before PROMPTROOM_LIBRARY', () => {
    const env = { PROMPTROOM_LIBRARY: '/env/library' };
    expect(libraryDirFrom(['electron', '.', '--library', '/args/library'], env, '/ud')).toBe('/args/library');
    expect(libraryDirFrom(['electron', '.', '--library=/args/library'], env, '/ud')).toBe('/args/library');
    expect(libraryDirFrom(['electron', '.'], env, '/ud')).toBe('/env/library');
  });
});

describe('the Electron build of better-sqlite3', () => {
  it('is undefined until the build script has made it', () => {
    expect(electronSqliteBinding(tempDir())).toBeUndefined();
  });

  it('is found under the app folder once built', () => {
    const app = tempDir();
    const binding = path.join(app, ELECTRON_SQLITE_BINDING);
    mkdirSync(path.dirname(binding), { recursive: true });
    writeFileSync(binding, 'not really a binary');
    expect(electronSqliteBinding(app)).toBe(binding);
  });

  it('is read from app.asar.unpacked inside a package', () => {
    const resources = tempDir();
    const binding = path.join(resources, 'app.asar.unpacked', ELECTRON_SQLITE_BINDING);
    mkdirSync(path.dirname(binding), { recursive: true });
    writeFileSync(binding, 'not really a binary');
    expect(electronSqliteBinding(path.join(resources, 'app.asar'))).toBe(binding);
  });
});
