/**
 * The sandboxed preload: exposes the contract's bridge as `window.promptroom` and nothing else.
 * It is bundled to `dist/preload/index.cjs` by `vite.preload.config.ts`, because a sandboxed
 * preload can require only 'electron' itself.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('promptroom', createBridge({ ipcRenderer, webUtils }));
