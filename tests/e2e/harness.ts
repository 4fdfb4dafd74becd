/**
 * Helpers for end-to-end tests: start the browser host from the built CLI on a fresh library,
 * and launch Debian's Chromium through playwright-core.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, stopChild } from '../../bench/chromium.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures');
export const resultsDir = path.join(repoRoot, 'test-results');
const cliPath = path.join(repoRoot, 'dist', 'node', 'electron', 'hosts', 'cli.js');
const rendererIndex = path.join(repoRoot, 'dist', 'renderer', 'index.html');
const chromiumPath = process.env.PROMPTROOM_CHROMIUM ?? '/usr/bin/chromium';

export interface RunningHost {
  /** The link printed by the CLI, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  libraryDir: string;
  /** Everything the host wrote to stderr so far (its log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Why the end-to-end tests cannot run here, or null when they can. */
export function missingPrerequisite(): string | null {
  if (!existsSync(cliPath)) return `${path.relative(repoRoot, cliPath)} is missing: run \`npm run build\` first.`;
  if (!existsSync(rendererIndex)) return `${path.relative(repoRoot, rendererIndex)} is missing: run \`npm run build\` first.`;
  if (!existsSync(chromiumPath)) return `Chromium is not at ${chromiumPath}: install Debian's chromium (apt-get install chromium).`;
  return null;
}

export async function makeLibraryDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'promptroom-e2e-'));
}

/**
 * Runs `cli.js serve --library DIR --port 0` and waits for its one line
 * `Promptroom is running at http://127.0.0.1:PORT/?token=…`.
 */
export async function startHost(libraryDir: string, env: Record<string, string> = {}): Promise<RunningHost> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--library', libraryDir, '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error('the host printed no address within 20 s')), 20_000);
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Promptroom is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`the host exited (${code ?? signal}) before printing its address`)));
    child.once('error', (error) => fail(error));
  });

  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    libraryDir,
    log: () => stderr,
    stop: () => stopChild(child),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: CHROMIUM_ARGS,
  });
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far (CSP violations show up here). */
  problems: string[];
}

/** A fresh browser context and page that records console errors and uncaught exceptions. */
export async function openPage(browser: Browser, options: { locale?: string } = {}): Promise<Watched> {
  const context = await browser.newContext({
    viewport: { width: 1360, height: 860 },
    deviceScaleFactor: 1,
    locale: options.locale ?? 'en-US',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`http ${response.status()}: ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  return { context, page, problems };
}

/** A raw HTTP request, with any Host header (fetch cannot set one). */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Calls the API directly with the token, for checks that bypass the UI. */
export async function callApi<T>(host: RunningHost, name: string, input: unknown): Promise<T> {
  const response = await rawRequest(host.port, {
    method: 'POST',
    path: `/api/call/${name}`,
    headers: { host: `127.0.0.1:${host.port}`, 'content-type': 'application/json', 'x-promptroom-token': host.token },
    body: JSON.stringify(input),
  });
  const result = JSON.parse(response.body) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
  return result.value;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Problems worth failing for: CSP violations, uncaught errors. The ignored line is Chromium's note about meta CSP. */
export function seriousProblems(problems: string[]): string[] {
  return problems.filter((line) => !/frame-ancestors' is ignored when delivered via a <meta> element/.test(line));
}

/** Drops real files or folders from disk at a point of the page, as a person dragging from a file manager. */
export async function dropFromDisk(page: Page, paths: string[], at: { x: number; y: number } = { x: 700, y: 420 }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...at, data });
  await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...at, data });
  await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...at, data });
  await cdp.detach();
}

/** Opens the host on an empty library and imports fixture photos through the file input. */
export async function importFixtures(page: Page, host: RunningHost, fileNames: string[]): Promise<void> {
  await page.goto(host.url);
  await page.waitForSelector('[data-testid="grid-empty"]');
  await page.setInputFiles('[data-testid="import-file-input"]', fileNames.map((name) => path.join(fixturesDir, name)));
  await page.locator('[data-testid="import-summary"]').waitFor({ timeout: 30_000 });
  await page.click('[data-testid="import-close"]');
}

// ─── The editor ─────────────────────────────────────────────────────────────

export interface EditorState {
  projectId: number | null;
  head: string | null;
  tip: string | null;
  steps: number;
}

export interface HistoryRowInfo {
  id: string;
  label: string;
  depth: number;
  head: boolean;
}

export const historyRows = (page: Page): Promise<HistoryRowInfo[]> =>
  page.$$eval('[data-testid="history-row"]', (rows) =>
    rows.map((row) => ({
      id: row.getAttribute('data-step-id') ?? '',
      label: row.getAttribute('data-label') ?? '',
      depth: Number(row.getAttribute('data-depth')),
      head: row.getAttribute('data-head') === 'true',
    })),
  );

export const editorState = (page: Page): Promise<EditorState> =>
  page.evaluate(() => (window as unknown as { __promptroomEditor: { state(): EditorState } }).__promptroomEditor.state());

/** Waits until no commit is in flight and the picture on screen shows the current stack. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const editor = document.querySelector('[data-testid="editor"]');
      return editor?.getAttribute('data-state') === 'ready' && editor.getAttribute('data-busy') === '0' && editor.getAttribute('data-rendering') === 'false';
    },
    undefined,
    { timeout: 20_000 },
  );
}

/** Waits for a history row with this label (opening the History tab first when asked) and answers it. */
export async function waitForLabel(page: Page, label: string | RegExp, options: { timeout: number; openHistoryTab?: boolean }): Promise<HistoryRowInfo> {
  let found: HistoryRowInfo | undefined;
  await expect
    .poll(
      async () => {
        if (options.openHistoryTab && (await page.locator('[data-testid="tab-history"][aria-selected="true"]').count()) === 0) await page.click('[data-testid="tab-history"]');
        found = (await historyRows(page)).find((row) => (typeof label === 'string' ? row.label === label : label.test(row.label)));
        return found !== undefined;
      },
      { timeout: options.timeout },
    )
    .toBe(true);
  return found!;
}

/** The editor's own flattening at full resolution, from the original assets. */
export async function renderedPixels(page: Page): Promise<{ width: number; height: number; data: Buffer; broken: string[] }> {
  const result = await page.evaluate(() =>
    (window as unknown as { __promptroomEditor: { renderFull(): Promise<{ width: number; height: number; data: string; broken: string[] }> } }).__promptroomEditor.renderFull(),
  );
  return { ...result, data: Buffer.from(result.data, 'base64') };
}
