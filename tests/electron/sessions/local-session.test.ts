import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../electron/services/index.js';
import { createBasicLocalRunner, type LocalRunner } from '../../../electron/services/sessions/local-runner.js';
import type { HostEvent, SessionProgress } from '../../../shared/contract/api.js';
import { tempDir } from '../../support/fixtures.js';
import { openLibrary, photoIds, stepKinds, until, writePhotos } from './helpers.js';

/** The basic runner, slowed down by a gate the test opens, counting every instruction per project. */
function gatedRunner(services: () => Services) {
  const calls = new Map<number, number>();
  let open = true;
  let waiters: (() => void)[] = [];
  const runner: LocalRunner = {
    concurrency: 2,
    async apply(projectId, text, signal) {
      calls.set(projectId, (calls.get(projectId) ?? 0) + 1);
      while (!open && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      const s = services();
      return createBasicLocalRunner({ projects: s.projects, locateImage: (sha) => s.locateImage(sha) }).apply(projectId, text, signal);
    },
  };
  return {
    runner,
    calls,
    close() {
      open = false;
    },
    open() {
      open = true;
      const list = waiters;
      waiters = [];
      for (const wake of list) wake();
    },
  };
}

describe('a session on the local engine', () => {
  const tmp = tempDir();
  let services: Services;
  let ids: number[];
  const gate = gatedRunner(() => services);
  const events: SessionProgress[] = [];

  beforeAll(async () => {
    services = await openLibrary(path.join(tmp.dir, 'lib'), { localRunner: gate.runner });
    await services.runImport({ paths: await writePhotos(path.join(tmp.dir, 'photos'), 20) });
    ids = photoIds(services);
    services.subscribe((event: HostEvent) => {
      if (event.type === 'session.progress') events.push(event.progress);
    });
  }, 60_000);
  afterAll(() => {
    services.close();
    tmp.cleanup();
  });

  it('runs a chained recipe over 20 photos: one project each, whose history shows the steps', async () => {
    expect(ids).toHaveLength(20);
    const created = services.sessions.create({ photoIds: ids, recipe: { prompt: 'restore, then crop to 4:5' }, engine: 'local' });
    expect(created).toMatchObject({ state: 'ready', mode: 'direct', total: 20, pending: 20, engine: 'local', estimateRestUsd: 0 });
    expect(created.recipe.steps.map((s) => s.prompt)).toEqual(['restore', 'crop to 4:5']);
    const done = await services.sessions.run(created.sessionId);
    expect(done).toMatchObject({ state: 'done', done: 20, failed: 0, pending: 0, running: 0, costUsd: 0, etaSeconds: 0 });

    const detail = services.sessions.detail(created.sessionId);
    expect(new Set(detail.items.map((i) => i.projectId)).size).toBe(20);
    for (const item of detail.items) {
      expect(item).toMatchObject({ state: 'done', stepsDone: 2, costUsd: 0, error: null });
      expect(stepKinds(services, item.projectId!)).toEqual(['addAdjustmentLayer', 'addAdjustmentLayer', 'setTransform']);
      const labels = services.projects.state(item.projectId!).steps.map((s) => s.label);
      expect(labels[1]).toMatch(/Levels/i);
      const { stack } = services.projects.stackAtHead(item.projectId!);
      expect(stack.transform.crop!.width / stack.transform.crop!.height).toBeCloseTo(4 / 5, 1);
    }
    // Every photo ran each instruction once.
    for (const item of detail.items) expect(gate.calls.get(item.projectId!)).toBe(2);
    // Progress went up to the end, with an ETA while running.
    const mine = events.filter((e) => e.sessionId === created.sessionId);
    expect(mine.at(-1)).toMatchObject({ state: 'done', done: 20 });
    expect(mine.some((e) => e.state === 'running' && e.etaSeconds !== null && e.done > 0 && e.done < 20)).toBe(true);
  });

  it('pauses (what was started finishes, nothing new starts), resumes to the end, and cancels', async () => {
    const session = services.sessions.create({ photoIds: ids.slice(0, 8), recipe: { prompt: 'warmer' }, engine: 'local' });
    gate.close();
    services.sessions.start(session.sessionId);
    await until(services, session.sessionId, ['running']);
    for (let i = 0; i < 100 && services.sessions.progress(session.sessionId).running < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const paused = services.sessions.pause(session.sessionId);
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'user' });
    gate.open();
    await new Promise((r) => setTimeout(r, 200));
    const afterPause = services.sessions.progress(session.sessionId);
    // The two in flight finished; the other six did not start.
    expect(afterPause).toMatchObject({ state: 'paused', done: 2, pending: 6, running: 0 });

    const resumed = await services.sessions.run(session.sessionId);
    expect(resumed).toMatchObject({ state: 'done', done: 8 });
    for (const item of services.sessions.detail(session.sessionId).items) expect(stepKinds(services, item.projectId!)).toEqual(['addAdjustmentLayer']);

    const doomed = services.sessions.create({ photoIds: ids.slice(8, 16), recipe: { prompt: 'cooler' }, engine: 'local' });
    gate.close();
    services.sessions.start(doomed.sessionId);
    for (let i = 0; i < 100 && services.sessions.progress(doomed.sessionId).running < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const cancelled = await services.sessions.cancel(doomed.sessionId);
    expect(cancelled.state).toBe('cancelled');
    await services.sessions.settled(doomed.sessionId);
    gate.open();
    expect(services.sessions.progress(doomed.sessionId)).toMatchObject({ state: 'cancelled', done: 0, running: 0, pending: 8 });
    await new Promise((r) => setTimeout(r, 100));
    for (const item of services.sessions.detail(doomed.sessionId).items) expect(stepKinds(services, item.projectId!)).toEqual([]);
    expect(() => services.sessions.start(doomed.sessionId)).toThrow(/cancelled/);
  });

  it('marks what the engine refuses, and review accepts, rejects and retries with a tweak', async () => {
    const session = services.sessions.create({ photoIds: ids.slice(0, 3), recipe: { prompt: 'colourize, then sharpen' }, engine: 'local' });
    const finished = await services.sessions.run(session.sessionId);
    expect(finished).toMatchObject({ state: 'done', failed: 3 });
    const [first, second, third] = services.sessions.detail(session.sessionId).items;
    expect(first!.error).toMatch(/can’t colourize/);

    // Retry with a tweak: a follow-up instruction runs on the project as an extra step.
    const retried = services.sessions.retry(session.sessionId, first!.id, 'black and white');
    expect(retried.state).toMatch(/^(pending|running)$/);
    await until(services, session.sessionId, ['done']);
    expect(services.sessions.item(session.sessionId, first!.id)).toMatchObject({ state: 'done', error: null });
    expect(services.projects.state(first!.projectId!).steps.at(-1)!.label).toMatch(/Black (and|&) white/i);

    // A failed photo cannot be accepted; a finished one can, and joins the album.
    expect(() => services.sessions.review(session.sessionId, second!.id, 'accept')).toThrow(/failed/);
    services.sessions.retry(session.sessionId, second!.id, 'sepia');
    services.sessions.retry(session.sessionId, third!.id, 'more contrast');
    await until(services, session.sessionId, ['done']);
    expect(services.sessions.review(session.sessionId, first!.id, 'accept').state).toBe('accepted');
    expect(services.sessions.review(session.sessionId, second!.id, 'accept').state).toBe('accepted');
    expect(services.sessions.review(session.sessionId, third!.id, 'reject').state).toBe('rejected');
    const summary = services.sessions.summary(session.sessionId);
    expect(summary).toMatchObject({ accepted: 2, rejected: 1 });
    const album = services.library.listAlbums().find((a) => a.id === summary.albumId)!;
    expect(album).toMatchObject({ name: `Session ${session.sessionId} — accepted`, count: 2 });
    // Taking a decision back takes the photo out of the album.
    services.sessions.review(session.sessionId, second!.id, 'undecided');
    expect(services.library.listAlbums().find((a) => a.id === summary.albumId)!.count).toBe(1);
    services.sessions.review(session.sessionId, second!.id, 'accept');

    // Before and after for the review grid: the after is a small render, served by hash.
    const preview = await services.sessions.preview(session.sessionId, first!.id, 128);
    expect(preview.beforeSha256).toBe(first!.photoSha256);
    expect(preview.afterSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await services.resolveAsset(preview.afterSha256!, 'preview')).toMatchObject({ contentType: 'image/png' });
    expect((await services.sessions.preview(session.sessionId, first!.id, 128)).afterSha256).toBe(preview.afterSha256);

    // Export the accepted ones in one go, with XMP provenance.
    const out = path.join(tmp.dir, 'accepted');
    const { job, count } = await services.sessions.exportAccepted(session.sessionId, { format: 'jpeg' }, out);
    expect(count).toBe(2);
    expect(job).toMatchObject({ state: 'succeeded', done: 2, failed: [] });
    for (const file of job.files) {
      const bytes = readFileSync(path.join(out, file.fileName)).toString('latin1');
      expect(bytes).toContain('promptroom');
      expect(bytes).toMatch(/Black|Sepia/);
    }
  });

  it('survives a restart in the middle of a local step: the step runs once', async () => {
    const session = services.sessions.create({ photoIds: ids.slice(0, 2), recipe: { prompt: 'sharpen' }, engine: 'local' });
    const [a, b] = services.sessions.detail(session.sessionId).items;
    // As a crash leaves it: running, with the head recorded before the engine ran, nothing committed.
    const head = services.projects.state(a!.projectId!).head;
    services.library.db.prepare("UPDATE session_items SET state = 'running', base_head = ? WHERE id = ?").run(head, a!.id);
    // And one whose steps the engine had committed itself before the crash (the `stepIds` path).
    const headB = services.projects.state(b!.projectId!).head;
    services.projects.commit(b!.projectId!, headB, { type: 'addAdjustmentLayer', layerId: 'pre', name: 'Sharpen', adjustment: { kind: 'sharpen', amount: 80, radius: 1 } });
    services.library.db.prepare("UPDATE session_items SET state = 'running', base_head = ? WHERE id = ?").run(headB, b!.id);
    services.library.db.prepare("UPDATE sessions SET state = 'running' WHERE id = ?").run(session.sessionId);
    services.sessions.resumeAll();
    await until(services, session.sessionId, ['done']);
    expect(stepKinds(services, a!.projectId!)).toEqual(['addAdjustmentLayer']);
    expect(stepKinds(services, b!.projectId!)).toEqual(['addAdjustmentLayer']);
    expect(services.sessions.progress(session.sessionId)).toMatchObject({ done: 2, failed: 0 });
  });
});
