import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/** The helpers `scripts/start.mjs` exports (it is plain JavaScript, so typed here). */
interface StartScript {
  parseArgs(argv: string[]): { library?: string; port?: string };
  defaultLibraryDir(env: Record<string, string | undefined>, platform: NodeJS.Platform, home: string): string;
  electronAvailability(
    projectRoot: string,
    env: Record<string, string | undefined>,
    platform: NodeJS.Platform,
  ): { ok: true; binary: string } | { ok: false; reason: string };
}

const scriptPath = path.resolve(import.meta.dirname, '../../scripts/start.mjs');
let start: StartScript;
beforeAll(async () => {
  start = (await import(pathToFileURL(scriptPath).href)) as StartScript;
});

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder whose node_modules/electron looks the way `install.js` leaves it. */
function project(options: { pathTxt?: string; binary?: string } = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'promptroom-start-'));
  temps.push(root);
  const electronDir = path.join(root, 'node_modules', 'electron');
  mkdirSync(path.join(electronDir, 'dist'), { recursive: true });
  if (options.pathTxt !== undefined) writeFileSync(path.join(electronDir, 'path.txt'), options.pathTxt);
  if (options.binary !== undefined) writeFileSync(path.join(electronDir, 'dist', options.binary), '#!/bin/sh\n');
  return root;
}

describe('npm start', () => {
  it('uses the browser host when the Electron binary was never downloaded', () => {
    const result = start.electronAvailability(project(), { DISPLAY: ':0' }, 'linux');
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('path.txt is missing') });
  });

  it('uses the browser host when path.txt names a binary that is not there', () => {
    const result = start.electronAvailability(project({ pathTxt: 'electron' }), { DISPLAY: ':0' }, 'linux');
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('binary is missing') });
  });

  it('uses the browser host on Linux without a display', () => {
    const root = project({ pathTxt: 'electron', binary: 'electron' });
    expect(start.electronAvailability(root, {}, 'linux')).toEqual({ ok: false, reason: expect.stringContaining('DISPLAY') });
  });

  it('uses Electron when the binary is there and there is a display', () => {
    const root = project({ pathTxt: 'electron', binary: 'electron' });
    const binary = path.join(root, 'node_modules', 'electron', 'dist', 'electron');
    expect(start.electronAvailability(root, { DISPLAY: ':0' }, 'linux')).toEqual({ ok: true, binary });
    expect(start.electronAvailability(root, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual({ ok: true, binary });
    expect(start.electronAvailability(root, {}, 'darwin')).toEqual({ ok: true, binary });
  });

  it('can be told to use the browser host', () => {
    const root = project({ pathTxt: 'electron', binary: 'electron' });
    expect(start.electronAvailability(root, { DISPLAY: ':0', PROMPTROOM_HOST: 'browser' }, 'linux')).toMatchObject({ ok: false });
  });

  it('keeps the library in the platform data folder unless told otherwise', () => {
    expect(start.defaultLibraryDir({}, 'linux', '/home/me')).toBe('/home/me/.local/share/Promptroom/library');
    expect(start.defaultLibraryDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/me')).toBe('/data/Promptroom/library');
    expect(start.defaultLibraryDir({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Application Support/Promptroom/library');
    expect(start.defaultLibraryDir({ APPDATA: '/appdata' }, 'win32', '/home/me')).toBe(path.join('/appdata', 'Promptroom', 'library'));
    expect(start.defaultLibraryDir({ PROMPTROOM_LIBRARY: '/elsewhere' }, 'linux', '/home/me')).toBe(path.resolve('/elsewhere'));
  });

  it('accepts --library and --port, in both spellings', () => {
    expect(start.parseArgs(['--library', '/lib', '--port=8080'])).toEqual({ library: '/lib', port: '8080' });
    expect(start.parseArgs(['--library=/lib', '--port', '0'])).toEqual({ library: '/lib', port: '0' });
    expect(() => start.parseArgs(['--port', 'eighty'])).toThrow(/--port/);
    expect(() => start.parseArgs(['--library'])).toThrow(/needs a value/);
    expect(() => start.parseArgs(['--verbose'])).toThrow(/Unknown argument/);
  });

  it('stops with a usage message on an unknown argument', () => {
    const result = spawnSync(process.execPath, [scriptPath, '--verbose'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: node scripts/start.mjs');
  });
});
