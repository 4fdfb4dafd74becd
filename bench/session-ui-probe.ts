/// <reference lib="dom" />
/**
 * Input latency on the Sessions page while a session runs, measured inside Chromium. Shared by
 * the benchmark (bench/session-ui.ts) and the end-to-end test (tests/e2e/session-latency.e2e.test.ts).
 *
 * Each input (an arrow key, or a click on a card's name) moves the review grid's focus to another
 * card. In the page, a capturing listener notes the input event's `timeStamp`; a MutationObserver
 * sees the card become `aria-selected`; a requestAnimationFrame callback followed by a message on
 * a MessageChannel marks the frame that shows it. Latency = that moment − the event's timeStamp,
 * so it covers the queueing of the input behind other work on the main thread (host events,
 * detail refreshes, preview images), React's update and the frame. Long tasks (PerformanceObserver
 * `longtask`) and Chromium's own Event Timing entries (`event`, ≥ 16 ms) are collected too, and the
 * progress bar's value is recorded whenever it changes, to show the session advancing meanwhile.
 */
import type { Page } from 'playwright-core';

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** What one measurement answers. */
export interface LatencyFigures {
  inputs: number;
  /** Inputs whose visible change never came within the wait (counted as failures). */
  missed: number;
  keyboard: LatencyStats;
  pointer: LatencyStats;
  all: LatencyStats;
  /** Latencies in ms, in input order. */
  samples: { kind: 'key' | 'pointer'; ms: number }[];
  longTasks: { count: number; totalMs: number; maxMs: number };
  /** Chromium's Event Timing entries of 16 ms or more (keydown, pointerup, click…). */
  slowEvents: { count: number; maxMs: number };
  windowMs: number;
  /** The progress bar's value (photos finished) at the start, at the end, and how often it changed. */
  progress: { before: number; after: number; total: number; changes: number };
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  return {
    count: sorted.length,
    p50: at(50),
    p95: at(95),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
  };
}

interface Probe {
  pending: { kind: 'key' | 'pointer'; t0: number } | null;
  samples: { kind: 'key' | 'pointer'; ms: number }[];
  missed: number;
  longTasks: { start: number; duration: number }[];
  slowEvents: { start: number; duration: number }[];
  progress: { t: number; value: number }[];
  startedAt: number;
}

/** Installs the probe on the page (once the review grid is on screen). */
export async function installLatencyProbe(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="review-grid"] [data-testid="review-card"]');
  await page.evaluate(() => {
    const probe: Probe = { pending: null, samples: [], missed: 0, longTasks: [], slowEvents: [], progress: [], startedAt: performance.now() };
    (window as unknown as { __latencyProbe: Probe }).__latencyProbe = probe;
    const begin = (kind: 'key' | 'pointer', t0: number) => {
      if (probe.pending) probe.missed++;
      probe.pending = { kind, t0 };
    };
    document.addEventListener('keydown', (event) => event.key.startsWith('Arrow') && begin('key', event.timeStamp), true);
    document.addEventListener('pointerup', (event) => begin('pointer', event.timeStamp), true);
    const channel = new MessageChannel();
    let painted: (() => void) | null = null;
    channel.port1.onmessage = () => painted?.();
    const grid = document.querySelector('[data-testid="review-grid"]')!;
    new MutationObserver((records) => {
      const selected = records.some((r) => r.attributeName === 'aria-selected' && (r.target as Element).getAttribute('aria-selected') === 'true');
      const pending = probe.pending;
      if (!selected || !pending) return;
      probe.pending = null;
      requestAnimationFrame(() => {
        painted = () => {
          painted = null;
          probe.samples.push({ kind: pending.kind, ms: performance.now() - pending.t0 });
        };
        channel.port2.postMessage(0);
      });
    }).observe(grid, { subtree: true, attributes: true, attributeFilter: ['aria-selected'] });
    const bar = document.querySelector('[role="progressbar"].run-progress');
    const readBar = () => probe.progress.push({ t: performance.now(), value: Number(document.querySelector('[role="progressbar"].run-progress')?.getAttribute('aria-valuenow') ?? -1) });
    readBar();
    // The bar may be re-created by React; watch the whole panel.
    new MutationObserver(readBar).observe(bar?.closest('[data-testid="run-panel"]') ?? document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask' });
    } catch {
      // No Long Tasks API: the figures say 0.
    }
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) probe.slowEvents.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
    } catch {
      // No Event Timing API.
    }
  });
}

/**
 * Sends `inputs` inputs, `gapMs` apart: ArrowRight, a click on card 2, ArrowLeft, a click on
 * card 0, and again (each one moves the focus, so each one shows). Answers the figures.
 */
export async function measureInputLatency(page: Page, options: { inputs: number; gapMs: number; waitMs?: number }): Promise<LatencyFigures> {
  const cards = page.locator('[data-testid="review-card"] .review-name');
  const centre = async (index: number) => {
    const box = await cards.nth(index).boundingBox();
    if (!box) throw new Error(`review card ${index} is not on screen`);
    return { x: box.x + Math.min(20, box.width / 2), y: box.y + box.height / 2 };
  };
  // Focus card 0 (a click), then start afresh.
  const first = await centre(0);
  await page.mouse.click(first.x, first.y);
  await page.waitForSelector('[data-testid="review-card"][data-index="0"][aria-selected="true"]');
  const [card0, card2] = [await centre(0), await centre(2)];
  const started = await page.evaluate(() => {
    const probe = (window as unknown as { __latencyProbe: Probe }).__latencyProbe;
    probe.samples = [];
    probe.missed = 0;
    probe.pending = null;
    probe.startedAt = performance.now();
    return probe.startedAt;
  });
  for (let i = 0; i < options.inputs; i++) {
    const step = i % 4;
    if (step === 0) await page.keyboard.press('ArrowRight');
    else if (step === 1) await page.mouse.click(card2.x, card2.y);
    else if (step === 2) await page.keyboard.press('ArrowLeft');
    else await page.mouse.click(card0.x, card0.y);
    await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  // The last input's frame.
  await page
    .waitForFunction((n) => {
      const probe = (window as unknown as { __latencyProbe: Probe }).__latencyProbe;
      return probe.samples.length + probe.missed >= n || probe.pending === null;
    }, options.inputs, { timeout: options.waitMs ?? 5000 })
    .catch(() => {});
  const probe = await page.evaluate(() => {
    const p = (window as unknown as { __latencyProbe: Probe }).__latencyProbe;
    return { ...p, now: performance.now() };
  });
  const inWindow = <T extends { start: number }>(entries: T[]) => entries.filter((e) => e.start >= started);
  const longTasks = inWindow(probe.longTasks);
  const slowEvents = inWindow(probe.slowEvents);
  const bar = probe.progress.filter((p) => p.value >= 0);
  const before = [...bar].reverse().find((p) => p.t <= started) ?? bar[0];
  const during = bar.filter((p) => p.t > started);
  const total = Number(await page.locator('[role="progressbar"].run-progress').getAttribute('aria-valuemax'));
  return {
    inputs: options.inputs,
    missed: options.inputs - probe.samples.length,
    keyboard: latencyStats(probe.samples.filter((s) => s.kind === 'key').map((s) => s.ms)),
    pointer: latencyStats(probe.samples.filter((s) => s.kind === 'pointer').map((s) => s.ms)),
    all: latencyStats(probe.samples.map((s) => s.ms)),
    samples: probe.samples,
    longTasks: { count: longTasks.length, totalMs: longTasks.reduce((sum, t) => sum + t.duration, 0), maxMs: Math.max(0, ...longTasks.map((t) => t.duration)) },
    slowEvents: { count: slowEvents.length, maxMs: Math.max(0, ...slowEvents.map((e) => e.duration)) },
    windowMs: probe.now - started,
    progress: { before: before?.value ?? -1, after: (during.at(-1) ?? before)?.value ?? -1, total, changes: new Set(during.map((p) => p.value)).size },
  };
}

/**
 * Starts a local session from the UI: the photos handed over in the address (as the library's
 * "Start a session" does), an instruction, the local engine, Start. Answers when the run panel shows.
 */
export async function startSessionInUi(page: Page, baseUrl: string, photoIds: number[], instruction: string): Promise<void> {
  await page.goto(`${baseUrl}#/sessions/new/${photoIds.join(',')}`);
  await page.waitForSelector('[data-testid="session-new"]');
  await page.locator('[data-testid="session-new"] label.radio').filter({ hasText: /An instruction|一条指令/ }).locator('input').check();
  await page.fill('[data-testid="session-prompt"]', instruction);
  await page.selectOption('[data-testid="session-engine"]', 'local');
  await page.click('[data-testid="session-start"]');
  await page.waitForSelector('[data-testid="run-panel"]');
}
