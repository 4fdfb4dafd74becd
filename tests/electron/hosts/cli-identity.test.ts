import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, fixture, tempDir } from '../../support/fixtures.js';
import { ensureWorkerBuilt } from '../local/quality.js';

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, GEMINI_API_KEY: '' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('identity checks from the command line', () => {
  const tmp = tempDir();
  const library = path.join(tmp.dir, 'lib');
  beforeAll(() => {
    ensureWorkerBuilt();
    expect(cli('import', fixture('astronaut.png'), '--library', library).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('history --json shows the identity check of a local raster step', () => {
    const edit = cli('edit', 'photo:1', '--engine', 'local', '--prompt', 'blur the background', '--library', library, '--json');
    expect(edit.code, edit.stderr).toBe(0);
    const { projectId } = JSON.parse(edit.stdout) as { projectId: number };
    const history = JSON.parse(cli('history', String(projectId), '--library', library, '--json').stdout) as {
      steps: { kind: string; identity?: { verdict: string; distance: number | null; faces: { original: number; result: number }; variants: unknown[] } }[];
    };
    const raster = history.steps.find((s) => s.kind === 'aiEdit')!;
    expect(raster.identity).toMatchObject({ verdict: 'same', faces: { original: 1, result: 1 } });
    expect(raster.identity!.distance!).toBeLessThan(0.6);
    expect(raster.identity!.variants).toHaveLength(1);
    expect(history.steps.filter((s) => s.identity)).toHaveLength(1);
    const text = cli('history', String(projectId), '--library', library).stdout;
    expect(text).toMatch(/\[same person 0\.\d\d\]/);
  });
});
