/**
 * The preload as Electron runs it: the CommonJS bundle from vite.preload.config.ts, evaluated in
 * a bare context where, as in a sandboxed preload, `require` knows only 'electron'.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const outDir = mkdtempSync(path.join(os.tmpdir(), 'promptroom-preload-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

let bundle: string;
beforeAll(async () => {
  await build({
    root,
    configFile: path.join(root, 'vite.preload.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  bundle = readFileSync(path.join(outDir, 'index.cjs'), 'utf8');
}, 60_000);

function runBundle() {
  const exposed: Record<string, unknown> = {};
  const required: string[] = [];
  const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, value: null })), on: vi.fn(), removeListener: vi.fn() };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer,
    webUtils: { getPathForFile: () => '/photos/a.jpg' },
  };
  const module = { exports: {} };
  vm.runInNewContext(bundle, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
  });
  return { exposed, required, ipcRenderer };
}

describe('the bundled preload', () => {
  it('is one CommonJS file that requires nothing but electron', () => {
    const { required } = runBundle();
    expect(required).toEqual(['electron']);
  });

  it('exposes window.promptroom, which forwards contract calls and refuses the rest', async () => {
    const { exposed, ipcRenderer } = runBundle();
    const bridge = exposed['promptroom'] as { host: string; call(name: string, input: unknown): Promise<unknown> };
    expect(Object.keys(exposed)).toEqual(['promptroom']);
    expect(bridge.host).toBe('electron');
    expect(await bridge.call('fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(ipcRenderer.invoke).not.toHaveBeenCalled();
    await bridge.call('tags.list', {});
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('promptroom:tags.list', {});
  });
});
