/**
 * A stand-in for the 'electron' module, for `vi.mock('electron', …)`. The real package would try
 * to download the Electron binary, so tests never load it. Each fake records what the code under
 * test registered, so a test can fire the listeners itself.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { vi } from 'vitest';

type Listener = (...args: never[]) => unknown;

/** A minimal EventEmitter: `on`, `once`, `removeListener`, and `emit` for the tests. */
export class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(name: string, listener: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
    return this;
  }
  once(name: string, listener: Listener): this {
    return this.on(name, listener);
  }
  removeListener(name: string, listener: Listener): this {
    this.listeners.set(name, (this.listeners.get(name) ?? []).filter((l) => l !== listener));
    return this;
  }
  emit(name: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
  }
  count(name: string): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}

/** A fake navigation event, as `will-navigate` and friends receive it. */
export function navigationEvent(url: string) {
  return { url, isMainFrame: true, isSameDocument: false, preventDefault: vi.fn() };
}

export class FakeWebContents extends FakeEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly send = vi.fn();
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends FakeEmitter {
  static readonly created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadFile = vi.fn(async (_file: string) => {});
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
}

/** Everything the main process and the preload import from 'electron'. */
export function createFakeElectron() {
  const order: string[] = [];
  const state = { appPath: '/nonexistent', userData: '/nonexistent', singleInstance: true };
  const app = Object.assign(new FakeEmitter(), {
    requestSingleInstanceLock: vi.fn(() => {
      order.push('requestSingleInstanceLock');
      return state.singleInstance;
    }),
    whenReady: vi.fn(async () => {
      order.push('whenReady');
    }),
    getAppPath: () => state.appPath,
    getPath: (name: string) => (name === 'userData' ? state.userData : `/nonexistent/${name}`),
    getVersion: () => '0.1.0-test',
    getName: () => 'Promptroom',
    getSystemLocale: () => 'en-US',
    isPackaged: false,
    quit: vi.fn(),
    exit: vi.fn(),
  });
  const protocol = {
    registerSchemesAsPrivileged: vi.fn(() => {
      order.push('registerSchemesAsPrivileged');
    }),
    handle: vi.fn(),
  };
  const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() };
  const defaultSession = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  };
  const dialog = {
    showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
    showErrorBox: vi.fn(),
  };
  const Menu = { buildFromTemplate: vi.fn((template: unknown) => template), setApplicationMenu: vi.fn() };
  const ipcRenderer = Object.assign(new FakeEmitter(), { invoke: vi.fn(async () => ({ ok: true, value: null })) });
  const contextBridge = { exposeInMainWorld: vi.fn() };
  const webUtils = { getPathForFile: vi.fn(() => '/photos/dropped.jpg') };
  const safeStorage = {
    isAsyncEncryptionAvailable: vi.fn(async () => true),
    encryptStringAsync: vi.fn(async (text: string) => Buffer.from(text).reverse()),
    decryptStringAsync: vi.fn(async (data: Buffer) => ({ result: Buffer.from(data).reverse().toString(), shouldReEncrypt: false })),
  };
  return {
    order,
    state,
    module: {
      app,
      BrowserWindow: FakeBrowserWindow,
      protocol,
      ipcMain,
      session: { defaultSession },
      dialog,
      Menu,
      ipcRenderer,
      contextBridge,
      webUtils,
      safeStorage,
      nativeImage: { createFromPath: vi.fn(() => ({ resize: () => ({}) })) },
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
