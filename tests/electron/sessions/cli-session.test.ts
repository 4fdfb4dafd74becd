import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../electron/services/index.js';
import { CLI, tempDir } from '../../support/fixtures.js';
import { openLibrary, photoIds, writePhotos } from './helpers.js';

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GEMINI_API_KEY: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Every item's project holds exactly the steps its progress says, each once: the restoration's
 * sub-steps (as many as the engine found needed, none twice), then one crop when both are done.
 */
async function checkNothingTwiceNothingLost(library: string, sessionId: number): Promise<{ done: number; total: number }> {
  const services: Services = await openLibrary(library);
  try {
    const detail = services.sessions.detail(sessionId);
    for (const item of detail.items) {
      const steps = services.projects.state(item.projectId!).steps.slice(1);
      const labels = steps.map((s) => s.label);
      const where = `photo ${item.photoId} (${item.state}, ${item.stepsDone} recipe steps done): ${labels.join(' | ')}`;
      expect(new Set(labels).size, where).toBe(labels.length);
      const crops = steps.filter((s) => s.op.type === 'setTransform').length;
      if (item.stepsDone === 0) expect(steps, where).toEqual([]);
      if (item.stepsDone === 1) expect(crops, where).toBe(0);
      if (item.stepsDone === 2) {
        expect(crops, where).toBe(1);
        expect(steps.at(-1)!.op.type, where).toBe('setTransform');
      }
      if (item.state === 'done') expect(item.stepsDone).toBe(2);
    }
    return { done: detail.done, total: detail.total };
  } finally {
    services.close();
  }
}

/** For each session, each photo's steps after the opening one: kind, label, and the hash of new pixels. */
async function historiesByPhoto(library: string, sessionIds: number[]): Promise<Map<number, string[]>[]> {
  const services: Services = await openLibrary(library);
  try {
    return sessionIds.map(
      (sessionId) =>
        new Map(
          services.sessions.detail(sessionId).items.map((item) => [
            item.photoId,
            services.projects
              .state(item.projectId!)
              .steps.slice(1)
              .map((step) => `${step.op.type} ${step.label} ${step.outputSha256 ?? '-'}`),
          ]),
        ),
    );
  } finally {
    services.close();
  }
}

describe('promptroom session', () => {
  const tmp = tempDir();
  const library = path.join(tmp.dir, 'lib');
  let ids: number[];
  const COUNT = 80;

  beforeAll(async () => {
    expect(existsSync(CLI), 'build the CLI first: npx tsc -p tsconfig.node.json').toBe(true);
    const services = await openLibrary(library);
    try {
      await services.runImport({ paths: await writePhotos(path.join(tmp.dir, 'photos'), COUNT, { width: 320, height: 240 }) });
      ids = photoIds(services);
    } finally {
      services.close();
    }
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('creates, runs, reports and exports a session, printing JSON', () => {
    const created = cli('session', 'create', '--library', library, '--recipe', 'Restore an old photo', '--engine', 'local', '--json', ...ids.slice(0, 3).map(String));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { sessionId } = JSON.parse(created.stdout) as { sessionId: number };
    expect(Object.keys(JSON.parse(created.stdout))).toEqual(['sessionId']);

    const ran = cli('session', 'run', String(sessionId), '--library', library, '--json');
    expect(ran.code).toBe(0);
    const lines = ran.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.slice(0, -1).every((line) => 'progress' in line)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ sessionId, state: 'done', done: 3, failed: 0, total: 3 });

    const status = cli('session', 'status', String(sessionId), '--library', library, '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { state: string; items: { photoId: number; projectId: number; state: string; costUsd: number }[] };
    expect(report.state).toBe('done');
    expect(report.items.map((i) => i.photoId)).toEqual(ids.slice(0, 3));
    for (const item of report.items) {
      expect(item).toMatchObject({ state: 'done', costUsd: 0 });
      expect(item.projectId).toBeGreaterThan(0);
    }

    const out = path.join(tmp.dir, 'out');
    const exported = cli('session', 'export', String(sessionId), '--library', library, '--out', out, '--json');
    expect(exported.code).toBe(0);
    const result = JSON.parse(exported.stdout) as { exported: string; count: number; files: string[]; failed: unknown[] };
    expect(result).toMatchObject({ exported: 'finished', count: 3, failed: [] });
    for (const file of result.files) expect(readFileSync(file).toString('latin1')).toContain('promptroom');

    // A prompt instead of a preset; the text output names the next command.
    const prompt = cli('session', 'create', '--library', library, '--recipe', 'sharpen, then crop to 1:1', '--engine', 'local', String(ids[0]));
    expect(prompt.stdout).toMatch(/2 steps on local.*promptroom session run/);
  });

  it('says what is wrong with bad arguments', () => {
    expect(cli('session', 'create', '--library', library, '--engine', 'local', '1').stderr).toMatch(/--recipe/);
    expect(cli('session', 'create', '--library', library, '--recipe', 'x', '--engine', 'moon', '1').stderr).toMatch(/--engine must be/);
    expect(cli('session', 'run', 'abc', '--library', library).code).toBe(2);
    expect(cli('session', 'launch', '--library', library).stderr).toMatch(/Unknown session subcommand/);
    const missing = cli('session', 'status', '9999', '--library', library, '--json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no session with id 9999/);
  });

  it('survives SIGKILL during `session run`: the rerun finishes with no photo processed twice and nothing lost', async () => {
    const created = cli('session', 'create', '--library', library, '--recipe', 'restore, then crop to 4:5', '--engine', 'local', '--json', ...ids.map(String));
    const { sessionId } = JSON.parse(created.stdout) as { sessionId: number };
    const kills: number[] = [];
    // Killed right after a progress line, and at odd moments after one (mid-step, mid-commit).
    for (const [killAt, delayMs] of [
      [5, 0],
      [20, 37],
      [40, 113],
    ] as const) {
      const child = spawn(process.execPath, [CLI, 'session', 'run', String(sessionId), '--library', library, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let buffer = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) {
            const parsed = JSON.parse(line) as { progress?: { done: number } };
            if (parsed.progress && parsed.progress.done >= killAt) {
              setTimeout(() => child.kill('SIGKILL'), delayMs);
              resolve();
            }
          }
        });
        child.once('exit', () => resolve());
      });
      await exited;
      const { done, total } = await checkNothingTwiceNothingLost(library, sessionId);
      kills.push(done);
      expect(total).toBe(COUNT);
    }
    // Killed part-way every time.
    expect(kills[0]).toBeGreaterThanOrEqual(5);
    expect(kills.at(-1)).toBeLessThan(COUNT);
    const rerun = cli('session', 'run', String(sessionId), '--library', library, '--json');
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout.trim().split('\n').at(-1)!)).toMatchObject({ state: 'done', done: COUNT, failed: 0 });
    expect(await checkNothingTwiceNothingLost(library, sessionId)).toEqual({ done: COUNT, total: COUNT });

    // The same recipe over the same photos, never interrupted: every photo's history must be the
    // same, step for step and pixel for pixel (the engine is deterministic), so a step run twice
    // or lost shows even where its label would not.
    const reference = JSON.parse(cli('session', 'create', '--library', library, '--recipe', 'restore, then crop to 4:5', '--engine', 'local', '--json', ...ids.map(String)).stdout) as { sessionId: number };
    expect(cli('session', 'run', String(reference.sessionId), '--library', library, '--json').code).toBe(0);
    const [killed, uninterrupted] = await historiesByPhoto(library, [sessionId, reference.sessionId]);
    expect(killed!.size).toBe(COUNT);
    for (const [photoId, steps] of uninterrupted!) expect(killed!.get(photoId), `photo ${photoId}`).toEqual(steps);
  }, 180_000);
});
