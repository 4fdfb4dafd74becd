import type { BrowserWindowConstructorOptions, WebContents } from 'electron';

/** Options for the one Promptroom window: isolated, sandboxed, no Node in the renderer. */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Promptroom',
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    backgroundColor: '#1c1c1e',
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // A photo dropped outside the drop zone must not replace the app with the image.
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * True when `url` is the renderer's own page (ignoring query and fragment), which is the only
 * place the window may ever navigate to.
 */
export function isSamePage(url: string, pageUrl: string): boolean {
  try {
    const target = new URL(url);
    const page = new URL(pageUrl);
    return target.protocol === page.protocol && target.host === page.host && target.pathname === page.pathname;
  } catch {
    return false;
  }
}

/** The parts of a WebContents the guard touches, so tests can hand in a fake. */
export type GuardableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Keeps the window on the app's own page: navigations elsewhere, redirects, new windows and
 * `<webview>`s are refused. Links to the web are not opened either; nothing in the app needs it.
 */
export function guardWebContents(contents: GuardableContents, pageUrl: string): void {
  contents.on('will-navigate', (event) => {
    if (!isSamePage(event.url, pageUrl)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isSamePage(event.url, pageUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isSamePage(event.url, pageUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
