/**
 * Reads a V8 CPU profile (Node's --cpu-prof, or Chromium's Profiler domain over CDP: the same
 * format) and says which functions the time went to: self time per function, and inclusive time
 * for named functions of interest. Only the benchmark uses it, to back each figure over its
 * target with the function that dominates.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, runChild } from './common.js';

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  /** "functionName (file:line)" */
  fn: string;
  selfMs: number;
  /** Share of all sampled time (idle and GC included in the total). */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Functions by self time, largest first. */
  top: ProfileEntry[];
  /** Inclusive time of selected functions (by name), e.g. { compositeAnswer: 812 }. */
  inclusive: Record<string, number>;
}

/** Self and inclusive time per function from the samples. */
export function summarizeProfile(profile: CpuProfile, topN = 12, inclusiveOf: string[] = []): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample; the sample's weight is the next delta.
    const weight = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    totalUs += weight;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + weight);
  }
  const label = (id: number): string => {
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    if (!frame.url) return name;
    return `${name} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
  };
  const selfByLabel = new Map<string, number>();
  for (const [id, us] of selfUs) selfByLabel.set(label(id), (selfByLabel.get(label(id)) ?? 0) + us);
  const top = [...selfByLabel.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));

  const inclusive: Record<string, number> = {};
  for (const name of inclusiveOf) {
    let us = 0;
    for (const [id, weight] of selfUs) {
      // Counted once per sample even under recursion.
      for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
        if (byId.get(cursor)!.callFrame.functionName === name) {
          us += weight;
          break;
        }
      }
    }
    inclusive[name] = us / 1000;
  }
  return { totalMs: totalUs / 1000, top, inclusive };
}

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(repoRoot)) return path.relative(repoRoot, file);
  return file.replace(/^https?:\/\/[^/]+\//, '');
}

/** The newest .cpuprofile in a folder (Node's --cpu-prof-dir), parsed. */
export async function readNewestProfile(dir: string): Promise<CpuProfile> {
  const files = (await fs.readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const stats = await Promise.all(files.map(async (name) => ({ name, mtime: (await fs.stat(path.join(dir, name))).mtimeMs })));
  stats.sort((a, b) => b.mtime - a.mtime);
  return JSON.parse(await fs.readFile(path.join(dir, stats[0]!.name), 'utf8')) as CpuProfile;
}

/** "fn 123 ms (45%)" lines for printing. */
export function profileLines(summary: ProfileSummary, limit = 8): string[] {
  return summary.top.slice(0, limit).map((entry) => `${entry.fn}: ${entry.selfMs.toFixed(0)} ms self (${(100 * entry.share).toFixed(0)}%)`);
}

/**
 * Runs a bench child under `--cpu-prof` and summarizes its profile. Use a
 * separate run from the timed one: sampling costs a little.
 */
export async function profileChild<T>(script: string, args: string[], inclusiveOf: string[] = [], topN = 12): Promise<{ result: T; profile: ProfileSummary }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-prof-'));
  try {
    const run = await runChild<T>(script, args, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500'] });
    return { result: run.result, profile: summarizeProfile(await readNewestProfile(dir), topN, inclusiveOf) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
