import { describe, expect, it } from 'vitest';
import { guardWebContents, isSamePage, windowOptions } from '../../electron/main/window.js';
import { FakeWebContents, navigationEvent } from './fake-electron.js';

const PAGE = 'file:///opt/promptroom/dist/renderer/index.html';

function guardedContents(): FakeWebContents {
  const contents = new FakeWebContents();
  guardWebContents(contents as never, PAGE);
  return contents;
}

describe('the window', () => {
  it('isolates and sandboxes the renderer, with no Node in it', () => {
    const options = windowOptions('/opt/promptroom/dist/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/opt/promptroom/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('treats only the app page itself, ignoring query and fragment, as the same page', () => {
    expect(isSamePage(PAGE, PAGE)).toBe(true);
    expect(isSamePage(`${PAGE}#/library`, PAGE)).toBe(true);
    expect(isSamePage(`${PAGE}?photo=3`, PAGE)).toBe(true);
    expect(isSamePage('file:///etc/passwd', PAGE)).toBe(false);
    expect(isSamePage('file:///opt/promptroom/dist/renderer/other.html', PAGE)).toBe(false);
    expect(isSamePage('https://example.com/opt/promptroom/dist/renderer/index.html', PAGE)).toBe(false);
    expect(isSamePage('not a url', PAGE)).toBe(false);
  });
});

describe('navigation guard', () => {
  it('blocks navigating the window to another site or file', () => {
    const contents = guardedContents();
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'promptroom-asset://image/x', 'javascript:alert(1)']) {
      const event = navigationEvent(url);
      contents.emit('will-navigate', event);
      expect(event.preventDefault, url).toHaveBeenCalled();
    }
  });

  it('lets the page navigate within itself', () => {
    const contents = guardedContents();
    const event = navigationEvent(`${PAGE}#/editor`);
    contents.emit('will-navigate', event);
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it('blocks frames navigating away and redirects elsewhere', () => {
    const contents = guardedContents();
    const frame = navigationEvent('https://example.com/frame');
    contents.emit('will-frame-navigate', frame);
    const redirect = navigationEvent('https://example.com/redirected');
    contents.emit('will-redirect', redirect);
    expect(frame.preventDefault).toHaveBeenCalled();
    expect(redirect.preventDefault).toHaveBeenCalled();
  });

  it('refuses every new window and every webview', () => {
    const contents = guardedContents();
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: PAGE })).toEqual({ action: 'deny' });
    const webview = navigationEvent('about:blank');
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });
});
