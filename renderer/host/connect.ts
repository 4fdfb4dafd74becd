import type { HostBridge } from '../../shared/contract/bridge.js';
import { createBrowserBridge, type BrowserBridgeOptions } from './browserBridge.js';

/** The bridge of whichever host opened this window: the Electron preload's, or one over HTTP. */
export function connectHost(options: BrowserBridgeOptions = {}): HostBridge {
  const fromPreload = (window as Window & { promptroom?: HostBridge }).promptroom;
  return fromPreload ?? createBrowserBridge(options);
}
