import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../shared/contract/dispatch.js';
import { pathTo, historyOf } from '../../../shared/document/history.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { fixture, REPO, tempDir } from '../../support/fixtures.js';

async function open(dir: string): Promise<Services> {
  return openServices({ libraryDir: dir, host: 'cli', version: 'test', systemLocale: 'en' });
}

describe('projects and their history in SQLite', () => {
  const tmp = tempDir();
  let services: Services;
  let photoId: number;

  beforeAll(async () => {
    services = await open(tmp.dir);
    await services.runImport({ paths: [fixture('chelsea.png'), fixture('coffee.png')] });
    photoId = services.library.list({ search: 'chelsea' }).items[0]!.id;
  });
  afterAll(() => {
    services.close();
    tmp.cleanup();
  });

  it('opens a photo into a project whose first step places the photo', () => {
    const state = services.projects.create(photoId);
    expect(state.project).toMatchObject({ photoId, width: 451, height: 300, name: 'chelsea' });
    expect(state.steps).toHaveLength(1);
    expect(state.steps[0]!.label).toBe('Open chelsea.png');
    expect(state.head).toBe(state.steps[0]!.id);
    expect(services.projects.list(photoId).map((p) => p.id)).toEqual([state.project.id]);
  });

  it('commits steps with readable labels, undoes, branches, and reopens the same history after a restart', async () => {
    const { project, head: root } = services.projects.create(photoId, 'Branching');
    const a = services.projects.commit(project.id, root, { type: 'addAdjustmentLayer', layerId: 'b1', name: 'Brightness', adjustment: { kind: 'brightness', amount: 20 } });
    expect(a.step.label).toBe('Add Brightness +20');
    const b = services.projects.commit(project.id, a.head, { type: 'setAdjustment', layerId: 'b1', adjustment: { kind: 'brightness', amount: 35 } });
    expect(b.step.label).toBe('Brightness +35');
    const m = services.projects.commit(project.id, b.head, { type: 'addMask', layerId: 'b1' });
    const painted = services.projects.commit(project.id, m.head, {
      type: 'paintMask',
      layerId: 'b1',
      stroke: { points: [{ x: 10, y: 10 }, { x: 200, y: 150 }], size: 40, hardness: 0.7, erase: false },
    });
    expect(painted.step.label).toBe('Mask painted on Brightness');
    // Undo twice, then a new step: a branch; the old one stays.
    services.projects.setHead(project.id, a.head, painted.head);
    const branch = services.projects.commit(project.id, a.head, { type: 'setLayerProps', layerId: 'b1', props: { blendMode: 'screen' } });
    expect(services.projects.state(project.id).steps).toHaveLength(6);

    services.close();
    services = await open(tmp.dir);
    const reopened = services.projects.state(project.id);
    expect(reopened.head).toBe(branch.head);
    expect(reopened.steps.map((s) => s.label)).toEqual([
      'Open chelsea.png',
      'Add Brightness +20',
      'Brightness +35',
      'Add mask to Brightness',
      'Mask painted on Brightness',
      'Blend mode screen on Brightness',
    ]);
    const history = historyOf(reopened.steps, reopened.head, reopened.tip);
    expect(pathTo(history, reopened.head).map((s) => s.id)).toEqual([root, a.head, branch.head]);
    const { stack } = services.projects.stackAtHead(project.id);
    expect(stack.layers.map((l) => [l.id, l.blendMode])).toEqual([['base', 'normal'], ['b1', 'screen']]);
  });

  it('refuses a stale parent, an operation on a missing layer, and parameters out of range', async () => {
    const { project, head } = services.projects.create(photoId, 'Refusals');
    services.projects.commit(project.id, head, { type: 'addAdjustmentLayer', layerId: 'x', name: 'Sepia', adjustment: { kind: 'sepia', amount: 50 } });
    expect(() => services.projects.commit(project.id, head, { type: 'deleteLayer', layerId: 'x' })).toThrow(/history changed/);
    const current = services.projects.state(project.id).head;
    expect(() => services.projects.commit(project.id, current, { type: 'deleteLayer', layerId: 'nope' })).toThrow(/no layer nope/);
    const outOfRange = await dispatch(services.handlers, 'projects.commit', {
      projectId: project.id,
      parentId: current,
      op: { type: 'setAdjustment', layerId: 'x', adjustment: { kind: 'brightness', amount: 900 } },
    });
    expect(outOfRange).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const unknownImage = await dispatch(services.handlers, 'projects.commit', {
      projectId: project.id,
      parentId: current,
      op: { type: 'addImageLayer', layerId: 'y', name: 'y', sha256: 'c'.repeat(64), x: 0, y: 0, width: 10, height: 10 },
    });
    expect(unknownImage).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: 'That image is not in the library.' } });
    expect(services.projects.state(project.id).steps).toHaveLength(2);
  });

  it('keeps a photo a project uses when the trash is emptied', async () => {
    const coffee = services.library.list({ search: 'coffee' }).items[0]!;
    const { project, head } = services.projects.create(photoId, 'Two photos');
    services.projects.commit(project.id, head, { type: 'addImageLayer', layerId: 'cup', name: 'coffee.png', sha256: coffee.sha256, x: 0, y: 0, width: 600, height: 400 });
    services.library.trash([coffee.id, photoId]);
    expect(await services.handlers['trash.empty']!({})).toEqual({ deleted: 0 });
    expect(services.library.hasSha(coffee.sha256)).toBe(true);
    services.library.restore([coffee.id, photoId]);
  });

  it('loses no committed step when the process is killed mid-commit', async () => {
    const { project } = services.projects.create(photoId, 'Crash');
    services.close();
    const child = spawn(process.execPath, [path.join(REPO, 'tests/support/commit-child.mjs'), REPO, tmp.dir, String(project.id)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (output.split('\n').length > 300) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const committed = output.split('\n').filter((line) => /^s[0-9a-f]{16}$/.test(line));
    services = await open(tmp.dir);
    const state = services.projects.state(project.id);
    const ids = new Set(state.steps.map((s) => s.id));
    for (const id of committed) expect(ids.has(id)).toBe(true);
    // At most the step in flight is extra; the project replays to its head.
    expect(state.steps.length - 1 - committed.length).toBeLessThanOrEqual(1);
    expect(services.projects.stackAtHead(project.id).stack.layers[0]!.id).toBe('base');
  }, 60_000);
});
