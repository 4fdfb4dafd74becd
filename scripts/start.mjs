#!/usr/bin/env node
/**
 * `npm start` (after `npm run build`): opens Promptroom in Electron when the Electron binary is
 * installed and there is a display, and otherwise starts the browser host and prints its URL.
 *
 * Usage: node scripts/start.mjs [--library DIR] [--port N]
 *   --library DIR  the library folder (default: $PROMPTROOM_LIBRARY, else the platform's data folder)
 *   --port N       the browser host's port (default: the host picks one)
 * PROMPTROOM_HOST=browser skips Electron even when it is available.
 *
 * Never `require('electron')` here: without the binary that starts a download.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = 'Usage: node scripts/start.mjs [--library DIR] [--port N]';

/** `--library` and `--port`, as `--name value` or `--name=value`. */
export function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--(library|port)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${JSON.stringify(arg)}. ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value. ${USAGE}`);
    options[match[1]] = value;
  }
  if (options.port !== undefined && !/^\d{1,5}$/.test(options.port)) {
    throw new Error(`--port must be a number from 0 to 65535, not ${JSON.stringify(options.port)}.`);
  }
  return options;
}

/** The default library folder: PROMPTROOM_LIBRARY, else the platform's per-user data folder. */
export function defaultLibraryDir(env = process.env, platform = process.platform, home = os.homedir()) {
  if (env.PROMPTROOM_LIBRARY) return path.resolve(env.PROMPTROOM_LIBRARY);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Promptroom', 'library');
  if (platform === 'win32') {
    return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Promptroom', 'library');
  }
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(dataHome, 'Promptroom', 'library');
}

/**
 * Whether the Electron binary can run here, decided from files only: `path.txt` names the
 * executable under `dist/` once the binary was downloaded, and on Linux a display must exist.
 */
export function electronAvailability(projectRoot = root, env = process.env, platform = process.platform) {
  if (env.PROMPTROOM_HOST === 'browser') return { ok: false, reason: 'PROMPTROOM_HOST=browser' };
  const electronDir = path.join(projectRoot, 'node_modules', 'electron');
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { ok: false, reason: 'its binary was not downloaded: node_modules/electron/path.txt is missing' };
  }
  const executable = readFileSync(pathFile, 'utf8').trim();
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron')
    : path.join(electronDir, 'dist', executable);
  if (!executable || !existsSync(binary)) {
    return { ok: false, reason: `its binary is missing: ${path.relative(projectRoot, binary) || binary}` };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  return { ok: true, binary };
}

/** Runs the child with our stdio, passes SIGINT/SIGTERM on, and exits the way it exits. */
function runChild(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => forward(signal));
  child.on('error', (error) => {
    console.error(`Could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
  });
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const libraryDir = options.library ? path.resolve(options.library) : defaultLibraryDir();

  const electron = electronAvailability();
  if (electron.ok) {
    console.log(`Starting Promptroom in Electron (library: ${libraryDir})`);
    // '.' is the project: package.json's "main" points at dist/node/electron/main/index.js.
    runChild(electron.binary, ['.', '--library', libraryDir]);
    return;
  }

  console.log(`Electron is not available here (${electron.reason}); starting the browser host.`);
  const cli = path.join(root, 'dist', 'node', 'electron', 'hosts', 'cli.js');
  if (!existsSync(cli)) {
    console.error(`${path.relative(root, cli)} is missing; run "npm run build" first.`);
    process.exit(1);
  }
  const args = [cli, 'serve', '--library', libraryDir];
  if (options.port !== undefined) args.push('--port', options.port);
  runChild(process.execPath, args);
}

// Run only as a script, so the helpers above can be imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
