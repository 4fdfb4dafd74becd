import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, fixture, tempDir } from '../../support/fixtures.js';

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GEMINI_API_KEY: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the local engine from the command line', () => {
  const tmp = tempDir();
  const library = path.join(tmp.dir, 'lib');
  beforeAll(() => {
    expect(cli('import', fixture('camera.png'), fixture('chelsea.png'), '--library', library).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('turns an English or Chinese instruction into editable steps', () => {
    const run = cli('edit', 'photo:2', '--engine', 'local', '--prompt', '调亮一点并且锐化', '--library', library, '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { status: string; costUsd: number; steps: { label: string; kind: string }[] };
    expect(result.status).toBe('succeeded');
    expect(result.costUsd).toBe(0);
    expect(result.steps.map((s) => s.kind)).toEqual(['addAdjustmentLayer', 'addAdjustmentLayer']);
    expect(result.steps[0]!.label).toMatch(/^Add Brightness \+/);
    expect(result.steps[1]!.label).toMatch(/^Add Sharpen/);
  });

  it('refuses what it cannot do, and with --queue-cloud queues it for Gemini', () => {
    const refused = cli('edit', 'photo:2', '--engine', 'local', '--prompt', 'put a dragon in the sky', '--library', library, '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'refused', cloudable: true });
    const queued = cli('edit', 'photo:2', '--engine', 'local', '--prompt', 'put a dragon in the sky', '--queue-cloud', '--library', library, '--json');
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ status: 'queued' });
  });

  it('restores photos as history steps, one new project per photo', () => {
    const run = cli('restore', '1', '2', '--library', library, '--json');
    expect(run.code).toBe(0);
    const restored = JSON.parse(run.stdout) as { photoId: number; projectId: number; steps: { label: string }[] }[];
    expect(restored.map((r) => r.photoId)).toEqual([1, 2]);
    expect(new Set(restored.map((r) => r.projectId)).size).toBe(2);
    for (const photo of restored) expect(Array.isArray(photo.steps)).toBe(true);
    const history = JSON.parse(cli('history', String(restored[0]!.projectId), '--library', library, '--json').stdout) as { steps: { label: string }[] };
    expect(history.steps.length).toBe(restored[0]!.steps.length + 1);
  });
});
