#!/usr/bin/env node
/**
 * Builds better-sqlite3 against Electron's headers into dist/native/electron/better_sqlite3.node.
 *
 * node_modules/better-sqlite3/build is never touched: it stays built for Node, which runs the
 * tests, the CLI and the browser host. The package source is copied to a temporary folder and
 * node-gyp runs there; only the finished .node file is copied out. The Electron main process
 * passes it to better-sqlite3 through the `nativeBinding` option (electron/main/native.ts).
 *
 * Needs the internet the first time (Electron's headers come from https://electronjs.org/headers
 * and are cached in ~/.electron-gyp) and a C++ toolchain (python3, make, a C++ compiler).
 *
 * Usage: node scripts/build-electron-native.mjs [--arch x64|arm64|…]
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HEADERS_URL = 'https://electronjs.org/headers';
const outDir = path.join(root, 'dist', 'native', 'electron');
const outFile = path.join(outDir, 'better_sqlite3.node');

/** A failure with a message for the person running the script. */
class BuildError extends Error {
  constructor(message, details = []) {
    super(message);
    this.details = details;
  }
}

function fail(message, details = []) {
  throw new BuildError(message, details);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function argValue(name) {
  const args = process.argv.slice(2);
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  return args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** node-gyp from the project, else the copy that ships with npm. */
function findNodeGyp() {
  const candidates = [
    path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => existsSync(candidate));
}

function run(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', env: process.env });
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function main() {
  // Electron's version is read from its package.json: requiring 'electron' would try to download it.
  const electronPackage = path.join(root, 'node_modules', 'electron', 'package.json');
  if (!existsSync(electronPackage)) fail('node_modules/electron is missing; run "npm install" first.');
  const electronVersion = readJson(electronPackage).version;
  const abiFile = path.join(root, 'node_modules', 'electron', 'abi_version');
  const abi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : null;

  const source = path.join(root, 'node_modules', 'better-sqlite3');
  if (!existsSync(path.join(source, 'binding.gyp'))) fail('node_modules/better-sqlite3 is missing; run "npm install" first.');
  const sqliteVersion = readJson(path.join(source, 'package.json')).version;

  const nodeGyp = findNodeGyp();
  if (!nodeGyp) fail('node-gyp was not found (neither in node_modules nor next to npm).');

  const arch = argValue('--arch') ?? process.arch;
  const devdir = path.join(os.homedir(), '.electron-gyp');
  console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${process.platform}-${arch}${abi ? `, ABI ${abi}` : ''})`);

  const temp = mkdtempSync(path.join(os.tmpdir(), 'promptroom-better-sqlite3-'));
  const work = path.join(temp, 'better-sqlite3');
  try {
    mkdirSync(work);
    // Only what node-gyp needs; never the existing build/ folder.
    for (const entry of ['package.json', 'binding.gyp', 'src', 'deps']) {
      cpSync(path.join(source, entry), path.join(work, entry), { recursive: true });
    }

    const result = await run(
      process.execPath,
      [
        nodeGyp,
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${arch}`,
        `--dist-url=${HEADERS_URL}`,
        '--runtime=electron',
        `--devdir=${devdir}`,
        '--jobs=max',
      ],
      work,
    );
    if (result.code !== 0) {
      const how = result.error ? `could not run node-gyp (${result.error.message})` : result.signal ? `node-gyp was stopped by ${result.signal}` : `node-gyp exited with code ${result.code}`;
      fail(`could not build better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}: ${how}.`, [
        'The usual causes:',
        `- Electron's headers could not be downloaded from ${HEADERS_URL}. This needs the internet`,
        `  once; afterwards they are cached in ${devdir}.`,
        '- No C++ toolchain (python3, make, a C++ compiler) is installed.',
        'The node-gyp output above names the exact step that failed.',
        'node_modules/better-sqlite3 was not touched: tests, the CLI and the browser host still work.',
        `The Electron app cannot open a library until ${path.relative(root, outFile)} exists.`,
      ]);
    }

    const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) fail(`node-gyp finished but ${built} is missing.`);
    mkdirSync(outDir, { recursive: true });
    const partial = `${outFile}.partial`;
    copyFileSync(built, partial);
    renameSync(partial, outFile);
    writeFileSync(
      path.join(outDir, 'build-info.json'),
      `${JSON.stringify({ module: 'better-sqlite3', version: sqliteVersion, electron: electronVersion, abi, platform: process.platform, arch, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    console.log(`Wrote ${path.relative(root, outFile)}`);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`\nbuild-electron-native: ${error instanceof Error ? error.message : String(error)}`);
  for (const line of error instanceof BuildError ? error.details : []) console.error(`  ${line}`);
  process.exitCode = 1;
});
