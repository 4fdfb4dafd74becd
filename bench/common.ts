/**
 * Small helpers shared by the benchmark and its child processes. Nothing here asserts timing:
 * the benchmark only measures and prints.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/node/bench, where the compiled children live. */
export const benchDir = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (dist/node/bench → ../../..). */
export const repoRoot = path.resolve(benchDir, '../../..');

/** The default pixel limit of a fresh library (Settings → pixelLimitMegapixels = 200). */
export const DEFAULT_PIXEL_LIMIT = 200 * 1_000_000;

export interface ChildRun<T> {
  /** Wall time from spawn to exit, in ms, as the parent saw it. */
  wallMs: number;
  /** CPU time the whole machine spent during the run, in ms (Linux only). */
  machineBusyMs: number | null;
  /** The JSON the child printed last on stdout. */
  result: T;
  stderr: string;
}

/** Runs `node dist/node/bench/<script> ...args`, returns its last JSON line and wall time. */
export function runChild<T>(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; inheritStderr?: boolean; nodeArgs?: string[] } = {},
): Promise<ChildRun<T>> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const cpuBefore = machineCpu();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(benchDir, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.inheritStderr) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      const cpuAfter = machineCpu();
      const machineBusyMs = cpuBefore && cpuAfter ? cpuAfter.busyMs - cpuBefore.busyMs : null;
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code}:\n${stderr}\n${stdout}`));
        return;
      }
      const line = stdout.trim().split('\n').filter(Boolean).pop() ?? 'null';
      try {
        resolve({ wallMs, machineBusyMs, result: JSON.parse(line) as T, stderr });
      } catch {
        reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export interface Stats {
  runs: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
  };
}

/** A small deterministic PRNG (xorshift32) so every run builds the same data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Formats a number with a fixed count of decimals, or '-' if it is not a number. */
export function fmt(value: number | null | undefined, decimals = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : '-';
}

/**
 * What a child reports about its own resources. `maxRssKB` is getrusage's ru_maxrss, which on
 * Linux also counts the parent's RSS at fork time (it is carried across fork and exec), so on
 * Linux the child's own peak is read from VmHWM in /proc/self/status as well.
 */
export function resourceFigures(): { maxRssKB: number; vmHwmKB: number | null; peakRssKB: number; userCpuMs: number; systemCpuMs: number } {
  const usage = process.resourceUsage();
  let vmHwmKB: number | null = null;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) vmHwmKB = Number(match[1]);
  } catch {
    vmHwmKB = null;
  }
  return {
    maxRssKB: usage.maxRSS,
    vmHwmKB,
    peakRssKB: vmHwmKB ?? usage.maxRSS,
    userCpuMs: usage.userCPUTime / 1000,
    systemCpuMs: usage.systemCPUTime / 1000,
  };
}

/** Machine-wide CPU time so far (Linux /proc/stat), to tell how busy the machine was during a run. */
export function machineCpu(): { busyMs: number; totalMs: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const tick = 10; // USER_HZ is 100 on Linux
    return { busyMs: (user + nice + system + irq + softirq + steal) * tick, totalMs: (user + nice + system + idle + iowait + irq + softirq + steal) * tick };
  } catch {
    return null;
  }
}

/** How a part of the benchmark reports: rows of the summary table, and tables of its own. */
export interface Reporter {
  row(figure: string, value: string, target?: string, ok?: boolean | null): void;
  table(title: string, header: string[], rows: string[][]): void;
}

/** Milliseconds with a sensible number of decimals. */
export function ms(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}
