/**
 * The Electron main process: one window onto the services, talking over the contract's IPC
 * channels, with images served by content hash on the `promptroom-asset:` scheme. Everything
 * with logic in it lives in the small modules next to this file; this one only wires them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, protocol, safeStorage, session } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { ASSET_SCHEME } from '../../shared/contract/bridge.js';
import { dispatch } from '../../shared/contract/dispatch.js';
import { openServices, type Services } from '../services/index.js';
import { createPhotosDialog } from './dialog.js';
import { createKeyStore } from './keychain.js';
import { forwardEvents, registerIpc } from './ipc.js';
import { menuTemplate } from './menu.js';
import { electronSqliteBinding } from './native.js';
import { libraryDirFrom } from './paths.js';
import { assetScheme, createAssetHandler } from './protocol.js';
import { lockDownSession } from './security.js';
import { guardWebContents, isSamePage, windowOptions } from './window.js';

// Must happen before 'ready', so it runs at load time, ahead of any await.
protocol.registerSchemesAsPrivileged([assetScheme]);

if (app.requestSingleInstanceLock()) {
  void start().catch((error: unknown) => fatal('Promptroom could not start', describe(error)));
} else {
  // Another Promptroom already has this library open; it gets focused by 'second-instance'.
  app.quit();
}

async function start(): Promise<void> {
  let window: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  await app.whenReady();

  const appPath = app.getAppPath();
  const pageFile = path.join(appPath, 'dist', 'renderer', 'index.html');
  const preloadFile = path.join(appPath, 'dist', 'preload', 'index.cjs');
  const pageUrl = pathToFileURL(pageFile).href;
  const missing = [pageFile, preloadFile].filter((file) => !existsSync(file));
  if (missing.length) {
    fatal('Promptroom is not built', `Missing:\n${missing.join('\n')}\n\nRun "npm run build" and start it again.`);
    return;
  }

  lockDownSession(session.defaultSession);
  app.on('web-contents-created', (_event, contents) => {
    // Every web contents, not only the window's: nothing may open windows or embed webviews.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const libraryDir = libraryDirFrom(process.argv, process.env, app.getPath('userData'));
  const nativeBinding = electronSqliteBinding(appPath);
  const openPhotosDialog = createPhotosDialog(dialog, () => window);
  const keyStore = createKeyStore(safeStorage, path.join(app.getPath('userData'), 'gemini-key.bin'));
  await keyStore.load();
  let services: Services;
  try {
    services = await openServices({
      libraryDir,
      host: 'electron',
      version: app.getVersion(),
      systemLocale: app.getSystemLocale(),
      ...(nativeBinding ? { nativeBinding } : {}),
      openPhotosDialog,
      geminiKey: () => keyStore.get(),
      storeGeminiKey: (key) => keyStore.set(key),
    });
  } catch (error) {
    const hint = nativeBinding
      ? ''
      : '\n\nThe SQLite module for Electron has not been built; run "node scripts/build-electron-native.mjs".';
    fatal('Promptroom could not open its library', `${libraryDir}\n\n${describe(error)}${hint}`);
    return;
  }
  app.on('will-quit', () => services.close());

  // Drag out of the window: a fresh export in a temp folder, handed to the OS drag.
  services.handlers['editor.dragOut'] = async ({ projectId, format }) => {
    const { project } = services.projects.state(projectId);
    const file = path.join(app.getPath('temp'), 'promptroom-drag', `${project.name.replace(/[\\/:*?"<>|]/g, '_')}.${format === 'jpeg' ? 'jpg' : format}`);
    await services.exportOne({ projectId }, { format }, file);
    const icon = nativeImage.createFromPath(file).resize({ width: 128 });
    window?.webContents.startDrag({ file, icon });
    return { fileName: path.basename(file) };
  };
  const logInternalError = (name: string, error: unknown) => console.error(`[promptroom] ${name} failed:`, error);
  protocol.handle(ASSET_SCHEME, createAssetHandler(services, (url, error) => logInternalError(url, error)));
  registerIpc(ipcMain, services, {
    isTrustedSender: (event: IpcMainInvokeEvent) => {
      const frame = event.senderFrame;
      return !!frame && frame.parent === null && isSamePage(frame.url, pageUrl);
    },
    onInternalError: logInternalError,
  });
  forwardEvents(services, () => (window && !window.isDestroyed() ? [window.webContents] : []));

  async function importFromMenu(): Promise<void> {
    const paths = await openPhotosDialog(false);
    if (!paths.length) return;
    // Progress reaches the window as 'import.progress' and 'library.changed' events.
    const result = await dispatch(services.handlers, 'import.start', { paths }, logInternalError);
    if (!result.ok) dialog.showErrorBox('Import failed', result.error.message);
  }
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        platform: process.platform,
        appName: app.getName(),
        isPackaged: app.isPackaged,
        actions: { importPhotos: () => void importFromMenu().catch((error: unknown) => logInternalError('import', error)) },
      }),
    ),
  );

  function createWindow(): void {
    const created = new BrowserWindow(windowOptions(preloadFile));
    guardWebContents(created.webContents, pageUrl);
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    created.loadFile(pageFile).catch((error: unknown) => logInternalError('loadFile', error));
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!window) createWindow();
  });
  createWindow();
}

function fatal(title: string, message: string): void {
  console.error(`${title}: ${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
