import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../electron/services/index.js';
import { startFakeGemini, type FakeGemini } from '../../fakes/gemini-server.js';
import { tempDir } from '../../support/fixtures.js';
import { openLibrary, photoIds, stepKinds, until, writePhotos } from './helpers.js';

describe('cloud sessions against the fake Gemini server', () => {
  const tmp = tempDir();
  let fake: FakeGemini;
  let services: Services;
  let ids: number[];

  beforeAll(async () => {
    fake = await startFakeGemini();
    services = await openLibrary(path.join(tmp.dir, 'lib'), { geminiBaseUrl: () => fake.baseUrl, runQueue: true });
    await services.runImport({ paths: await writePhotos(path.join(tmp.dir, 'photos'), 12) });
    ids = photoIds(services);
  }, 60_000);
  afterEach(() => {
    fake.reset();
    services.library.setSettings({ monthlyBudgetUsd: null });
  });
  afterAll(async () => {
    services.close();
    await fake.close();
    tmp.cleanup();
  });

  it('runs each photo as a queued edit, and pauses when the next one would pass the budget', async () => {
    // Each edit costs about $0.039; $0.10 lets two through.
    services.library.setSettings({ monthlyBudgetUsd: 0.1 });
    const session = services.sessions.create({ photoIds: ids.slice(0, 5), recipe: { prompt: 'make the sky blue' }, engine: 'gemini' });
    expect(session.mode).toBe('direct');
    expect(session.estimateRestUsd).toBeGreaterThan(5 * 0.038);
    const paused = await services.sessions.run(session.sessionId);
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'budget', done: 2, pending: 3, failed: 0 });
    expect(paused.message).toMatch(/monthly budget of \$0\.10/);
    expect(paused.costUsd).toBeGreaterThan(0.07);
    expect(paused.costUsd).toBeLessThanOrEqual(0.1);
    expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(2);

    // Raise the budget and resume: the rest runs, nothing twice.
    services.library.setSettings({ monthlyBudgetUsd: 10 });
    const done = await services.sessions.run(session.sessionId);
    expect(done).toMatchObject({ state: 'done', done: 5, failed: 0, estimateRestUsd: 0 });
    expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(5);
    for (const item of services.sessions.detail(session.sessionId).items) {
      expect(stepKinds(services, item.projectId!)).toEqual(['aiEdit']);
      expect(item.jobIds).toHaveLength(1);
      expect(services.edits.get(item.jobIds[0]!)).toMatchObject({ state: 'succeeded' });
      expect(item.costUsd).toBe(services.edits.get(item.jobIds[0]!).costUsd);
    }
  });

  it('stops at the session’s own budget, and marks refusals like single edits', async () => {
    fake.enqueue('image', 'blocked');
    const session = services.sessions.create({ photoIds: ids.slice(5, 9), recipe: { prompt: 'make it sunny' }, engine: 'gemini', budgetUsd: 0.1 });
    const paused = await services.sessions.run(session.sessionId);
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'budget' });
    expect(paused.message).toMatch(/session's budget of \$0\.10/);
    const items = services.sessions.detail(session.sessionId).items;
    // A refusal costs next to nothing, so two edits fit besides it.
    expect(items.filter((i) => i.state === 'done')).toHaveLength(2);
    expect(items.filter((i) => i.state === 'pending')).toHaveLength(1);
    expect(items.find((i) => i.state === 'failed')!.error).toMatch(/refused the prompt/);
  });

  it('retries a finished photo with a tweak that continues the AI layer’s conversation', async () => {
    const session = services.sessions.create({ photoIds: [ids[9]!], recipe: { prompt: 'put her on a beach' }, engine: 'gemini' });
    await services.sessions.run(session.sessionId);
    const [item] = services.sessions.detail(session.sessionId).items;
    expect(item!.state).toBe('done');
    services.sessions.retry(session.sessionId, item!.id, 'now make it evening');
    const done = await until(services, session.sessionId, ['done']);
    expect(done.done).toBe(1);
    const after = services.sessions.item(session.sessionId, item!.id);
    expect(after).toMatchObject({ state: 'done', stepsDone: 1 });
    expect(after.jobIds).toHaveLength(2);
    expect(stepKinds(services, item!.projectId!)).toEqual(['aiEdit', 'aiEdit']);
    // The follow-up carried the first turn: the earlier prompt and its output went along.
    const last = fake.requests.at(-1)!;
    expect(last.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(last.contents[0]!.parts[0]!.text).toBe('put her on a beach');
  });

  it('goes through the Batch API past the threshold: submits, polls, imports what succeeded and marks the rest', async () => {
    services.sessions.setSettings({ batchThreshold: 4 });
    try {
      const session = services.sessions.create({ photoIds: ids.slice(0, 6), recipe: { prompt: 'colourize this photo' }, engine: 'gemini' });
      expect(session.mode).toBe('batch');
      // Half price: the estimate is half of six single edits.
      expect(session.estimateRestUsd).toBeCloseTo(6 * 0.5 * 0.0390, 3);
      services.sessions.start(session.sessionId);
      for (let i = 0; i < 200 && fake.batches.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(fake.batches).toHaveLength(1);
      const batch = fake.batches[0]!;
      expect(batch.model).toBe('gemini-2.5-flash-image');
      expect(batch.requests).toHaveLength(6);
      expect(batch.metadata.every((m) => /^item-\d+$/.test(m?.['key'] ?? ''))).toBe(true);
      expect(batch.requests[0]!.imageCount).toBe(1);
      expect(batch.requests[0]!.contents.at(-1)!.parts.at(-1)!.text).toBe('colourize this photo');
      expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(0);
      expect(services.sessions.progress(session.sessionId)).toMatchObject({ state: 'running', running: 6, batchesPending: 1 });

      // Gemini finishes it: two answers are refusals or errors.
      await fake.finishBatch({ scenario: (index) => (index === 1 ? 'image-safety' : index === 4 ? 'error' : 'image') });
      const done = await until(services, session.sessionId, ['done']);
      expect(done).toMatchObject({ done: 4, failed: 2, batchesPending: 0 });
      const items = services.sessions.detail(session.sessionId).items;
      expect(items[1]!.error).toMatch(/safety filter/);
      expect(items[4]!.error).toMatch(/could not process this photo in the batch/);
      for (const item of items.filter((i) => i.state === 'done')) {
        expect(stepKinds(services, item.projectId!)).toEqual(['aiEdit']);
        const job = services.edits.get(item.jobIds[0]!);
        expect(job).toMatchObject({ state: 'succeeded', provider: 'gemini' });
        // Billed at half the price of a single call.
        expect(job.costUsd).toBeCloseTo(item.costUsd, 9);
        expect(job.costUsd).toBeLessThan(0.021);
        expect(job.costUsd).toBeGreaterThan(0.019);
      }
      for (const item of items.filter((i) => i.state === 'failed')) expect(stepKinds(services, item.projectId!)).toEqual([]);
      // What was sent is in the upload log.
      const uploads = services.library.db.prepare("SELECT count(*) FROM upload_log WHERE job_id LIKE 'batches/%'").pluck().get();
      expect(uploads).toBe(6);

      // A failed photo retried: too few for a batch, so it goes as a single edit.
      services.sessions.retry(session.sessionId, items[1]!.id);
      const again = await until(services, session.sessionId, ['done']);
      expect(again).toMatchObject({ done: 5, failed: 1 });
      expect(fake.batches).toHaveLength(1);
      expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(1);
    } finally {
      services.sessions.setSettings({ batchThreshold: 50 });
    }
  });

  it('finds a batch sent just before a crash instead of sending it again, and fails what an expired batch held', async () => {
    services.sessions.setSettings({ batchThreshold: 2 });
    try {
      const session = services.sessions.create({ photoIds: ids.slice(6, 9), recipe: { prompt: 'studio light' }, engine: 'gemini' });
      services.sessions.start(session.sessionId);
      for (let i = 0; i < 200 && fake.batches.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await services.sessions.pause(session.sessionId);
      await services.sessions.settled(session.sessionId);
      // As a crash between sending and recording leaves it: the row still says 'submitting'.
      services.library.db.prepare("UPDATE session_batches SET state = 'submitting', name = NULL WHERE session_id = ?").run(session.sessionId);
      fake.autoFinishBatches(() => 'image');
      const done = await services.sessions.run(session.sessionId);
      expect(done).toMatchObject({ state: 'done', done: 3, failed: 0 });
      expect(fake.batches).toHaveLength(1);
      for (const item of services.sessions.detail(session.sessionId).items) expect(stepKinds(services, item.projectId!)).toEqual(['aiEdit']);

      fake.autoFinishBatches(null);
      const expired = services.sessions.create({ photoIds: ids.slice(9, 12), recipe: { prompt: 'product on white' }, engine: 'gemini' });
      services.sessions.start(expired.sessionId);
      for (let i = 0; i < 200 && fake.batches.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      fake.endBatch('BATCH_STATE_EXPIRED');
      const end = await until(services, expired.sessionId, ['done']);
      expect(end).toMatchObject({ done: 0, failed: 3 });
      expect(services.sessions.detail(expired.sessionId).items[0]!.error).toMatch(/within 24 hours/);
    } finally {
      services.sessions.setSettings({ batchThreshold: 50 });
    }
  });
});
