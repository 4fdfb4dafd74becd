/// <reference lib="dom" />
/**
 * S3. Input latency in Chromium while a local session runs: the browser host (the built CLI's
 * `serve`) on a fresh library of small photos, the Sessions page in Debian's Chromium through
 * playwright-core, a session started from the UI, and the review grid driven with arrow keys and
 * clicks (bench/session-ui-probe.ts). Measured while the session runs, then again with the session
 * paused on the same page: the baseline of the same run.
 *
 * Needs `npm run build` (dist/renderer). BENCH_SESSION_UI_PHOTOS (default 60), BENCH_SESSION_UI_INPUTS (default 80).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, stopChild } from './chromium.js';
import { fmt, log, repoRoot, runChild, type Reporter } from './common.js';
import { installLatencyProbe, measureInputLatency, startSessionInUi, type LatencyFigures } from './session-ui-probe.js';
import { PHOTOS_SMALL } from './session-photos.js';

const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const CLI = path.join(repoRoot, 'dist', 'node', 'electron', 'hosts', 'cli.js');
const INSTRUCTION = 'denoise, then sepia';

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

interface Host {
  url: string;
  call<T>(name: string, input: unknown): Promise<T>;
  stop(): Promise<void>;
}

async function startHost(libraryDir: string): Promise<Host> {
  const child = spawn(process.execPath, [CLI, 'serve', '--library', libraryDir, '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, PROMPTROOM_LOCALE: 'en-US', GEMINI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the host printed no address within 20 s: ${stderr}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Promptroom is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the host exited (${code}): ${stderr}`)));
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    url,
    async call<T>(name: string, input: unknown): Promise<T> {
      const response = await fetch(`${parsed.origin}/api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-promptroom-token': token },
        body: JSON.stringify(input),
      });
      const answer = (await response.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
      if (!answer.ok) throw new Error(`${name}: ${answer.error.message}`);
      return answer.value;
    },
    stop: () => stopChild(child),
  };
}

export async function benchSessionUi(report: Reporter): Promise<unknown> {
  const count = positiveInt(process.env.BENCH_SESSION_UI_PHOTOS, 60);
  // A multiple of 4: keys and clicks, right and left, in equal numbers.
  const inputs = Math.max(8, Math.floor(positiveInt(process.env.BENCH_SESSION_UI_INPUTS, 80) / 4) * 4);
  for (const [what, file] of [
    ['the built renderer', path.join(repoRoot, 'dist', 'renderer', 'index.html')],
    ['the built CLI', CLI],
    ['Chromium', CHROMIUM],
  ] as const) {
    if (!existsSync(file)) {
      report.row('session-ui: input latency while a session runs', `skipped: ${what} is missing (${file}; npm run build)`);
      return { skipped: `${what} is missing` };
    }
  }
  log(`S3. input latency in Chromium during a local session of ${count} photos of ${PHOTOS_SMALL.width}×${PHOTOS_SMALL.height}`);
  const photos = (await runChild<{ dir: string }>('session-photos.js', [String(count), 'small'], { inheritStderr: true })).result;
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-session-ui-'));
  let host: Host | null = null;
  let browser: Browser | null = null;
  try {
    const libraryDir = path.join(scratch, 'library');
    const imported = spawnSync(process.execPath, [CLI, 'import', photos.dir, '--library', libraryDir, '--json'], { encoding: 'utf8' });
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
    host = await startHost(libraryDir);
    const photoIds = (await host.call<{ items: { id: number }[] }>('photos.list', { sort: 'fileName', order: 'asc', limit: 1000 })).items.map((p) => p.id);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1, locale: 'en-US' })).newPage();

    await startSessionInUi(page, host.url, photoIds, INSTRUCTION);
    await installLatencyProbe(page);
    await page.waitForFunction(() => Number(document.querySelector('[role="progressbar"].run-progress')?.getAttribute('aria-valuenow')) >= 3, undefined, { timeout: 120_000 });
    log('  measuring while the session runs…');
    const running = await measureInputLatency(page, { inputs, gapMs: 120 });
    const sessionId = (await host.call<{ sessionId: number }[]>('sessions.list', {}))[0]!.sessionId;
    const stateAfter = (await host.call<{ state: string }>('sessions.get', { sessionId })).state;

    // The baseline: the same page and grid, the session paused and its last steps in.
    await host.call('sessions.pause', { sessionId });
    const settledBy = Date.now() + 60_000;
    while ((await host.call<{ running: number }>('sessions.get', { sessionId })).running > 0 && Date.now() < settledBy) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1500));
    log('  measuring with the session paused…');
    const idle = await measureInputLatency(page, { inputs, gapMs: 120 });

    const rowOf = (label: string, f: LatencyFigures) => [
      label,
      String(f.all.count),
      String(f.missed),
      fmt(f.all.p50, 1),
      fmt(f.all.p95, 1),
      fmt(f.all.max, 1),
      fmt(f.keyboard.p95, 1),
      fmt(f.pointer.p95, 1),
      `${f.longTasks.count} / ${fmt(f.longTasks.maxMs, 0)}`,
      `${f.slowEvents.count} / ${fmt(f.slowEvents.maxMs, 0)}`,
      `${f.progress.before} → ${f.progress.after} of ${f.progress.total}`,
    ];
    report.table(
      `S3. Input latency on the Sessions page in Chromium (browser host), local session "${INSTRUCTION}" over ${count} photos of ${PHOTOS_SMALL.width}×${PHOTOS_SMALL.height}; ms from the input event to the frame showing the focused card`,
      ['while', 'inputs', 'missed', 'p50', 'p95', 'max', 'keys p95', 'clicks p95', 'long tasks n / max ms', 'events ≥16 ms n / max', 'photos finished'],
      [rowOf(`session running (${stateAfter} at the end)`, running), rowOf('session paused (baseline)', idle)],
    );
    console.log('  (arrow keys and clicks alternate, 120 ms apart; "events ≥16 ms": Chromium\'s Event Timing entries; host and Chromium share the 2 cores with the engine.)');
    report.row('session-ui: input latency p95 while a session runs', `${fmt(running.all.p95, 1)} ms`, '< 100 ms', running.missed === 0 && running.all.p95 < 100);
    report.row('session-ui: p95 running / paused (same page)', `${fmt(running.all.p95 / idle.all.p95, 2)}× (${fmt(idle.all.p95, 1)} ms paused)`);
    report.row('session-ui: photos finished during the measurement', `${running.progress.after - running.progress.before} in ${fmt(running.windowMs / 1000, 1)} s`);
    return { photos: count, width: PHOTOS_SMALL.width, height: PHOTOS_SMALL.height, instruction: INSTRUCTION, inputs, stateAfter, running, idle };
  } finally {
    await browser?.close().catch(() => {});
    await host?.stop().catch(() => {});
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
