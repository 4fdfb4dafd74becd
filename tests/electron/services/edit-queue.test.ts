import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EditJobInfo, EditJobRequest } from '../../../shared/contract/api.js';
import { EditJobRequest as EditJobRequestSchema } from '../../../shared/contract/api.js';
import { decodeRgba, renderFull } from '../../../electron/services/export.js';
import { openServices, type Services, type ServicesOptions } from '../../../electron/services/index.js';
import { startFakeGemini, type FakeGemini } from '../../fakes/gemini-server.js';
import { CLI, fixture, tempDir } from '../../support/fixtures.js';

const KEY = 'test-key-AIzaSyDoNotLeakThis0123456789';

describe('edits by words through the job queue', () => {
  const tmp = tempDir();
  let fake: FakeGemini;
  let baseUrl: string | undefined;
  let services: Services;
  let photoId: number;

  async function open(extra: Partial<ServicesOptions> = {}): Promise<Services> {
    return openServices({
      libraryDir: tmp.dir,
      host: 'browser',
      version: 't',
      systemLocale: 'en',
      geminiKey: () => ({ key: KEY }),
      geminiBaseUrl: () => baseUrl,
      geminiTimeoutMs: 5000,
      queueTuning: { backoffMs: 20, networkProbeMs: 100, maxAttempts: 3 },
      ...extra,
    });
  }

  function request(projectId: number, overrides: Partial<EditJobRequest> = {}) {
    return EditJobRequestSchema.parse({ projectId, prompt: 'make the eyes blue', ...overrides });
  }

  async function settle(jobId: string, states = ['succeeded', 'failed', 'cancelled']): Promise<EditJobInfo> {
    for (let i = 0; i < 400; i++) {
      const job = services.edits.get(jobId);
      if (states.includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${jobId} did not settle: ${JSON.stringify(services.edits.get(jobId))}`);
  }

  beforeAll(async () => {
    fake = await startFakeGemini();
    baseUrl = fake.baseUrl;
    services = await open();
    await services.runImport({ paths: [fixture('chelsea.png'), fixture('coffee.png')] });
    photoId = services.library.list({ search: 'chelsea' }).items[0]!.id;
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    services.close();
    await fake.close();
    tmp.cleanup();
  });

  it('changes only the masked region: pixels outside stay bit-identical, and a step records the edit', async () => {
    const { project } = services.projects.create(photoId);
    const stroke = { points: [{ x: 200, y: 130 }, { x: 260, y: 150 }], size: 60, hardness: 0.8, erase: false };
    const job = services.edits.submit(request(project.id, { mask: { strokes: [stroke], feather: 6, inverted: false } }));
    expect(job.state).toBe('queued');
    const done = await settle(job.jobId);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(done.costUsd).toBeGreaterThan(0);

    const state = services.projects.state(project.id);
    const step = state.steps.find((s) => s.id === done.stepId)!;
    expect(step.label).toBe('Gemini: “make the eyes blue”');
    expect(step.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(state.head).toBe(step.id);

    // What was sent: one image at the working size, no bigger than the padded region.
    const sent = fake.requests.at(-1)!;
    expect(sent.imageCount).toBe(1);
    const sentImage = sent.contents.at(-1)!.parts.find((p) => p.image)!.image!;
    const meta = await sharp(sentImage.bytes).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1024);
    expect(meta.exif).toBeUndefined();
    expect(sent.apiKeySent).toBe(true);

    const before = await decodeRgba(fixture('chelsea.png'));
    const { image: after } = await renderFull(services.projects.stackAtHead(project.id).stack, (sha) => services.locateImage(sha));
    let changedInside = 0;
    for (let y = 0; y < before.height; y++) {
      for (let x = 0; x < before.width; x++) {
        const i = (y * before.width + x) * 4;
        const d = Math.hypot(x - 230, y - 140);
        const same = before.data[i] === after.data[i] && before.data[i + 1] === after.data[i + 1] && before.data[i + 2] === after.data[i + 2];
        if (d > 120) expect(same, `pixel ${x},${y} outside the mask changed`).toBe(true);
        if (Math.hypot(x - 230, y - 140) < 20 && !same) changedInside++;
      }
    }
    expect(changedInside).toBeGreaterThan(500);

    // The export says an AI step is in it: model, prompt, SynthID.
    const out = path.join(tmp.dir, 'ai.jpg');
    await services.exportOne({ projectId: project.id }, { format: 'jpeg' }, out);
    const xmp = readFileSync(out).toString('utf8');
    expect(xmp).toContain('promptroom:aiSteps="1"');
    expect(xmp).toContain('<promptroom:model>gemini-2.5-flash-image</promptroom:model>');
    expect(xmp).toContain('<promptroom:prompt>make the eyes blue</promptroom:prompt>');
    expect(xmp).toContain('SynthID');
  });

  it('asks for several variants, keeps them all in the step, and swaps another in later', async () => {
    const { project } = services.projects.create(photoId, 'variants');
    // Two calls: the inverted photo, then the inverted photo and a red one; identical answers merge.
    fake.enqueue('image', 'two-images');
    const done = await settle(services.edits.submit(request(project.id, { prompt: 'two takes', variants: 2 })).jobId);
    expect(done.state).toBe('succeeded');
    const stack = services.projects.stackAtHead(project.id).stack;
    const layer = stack.layers.at(-1)!;
    if (layer.kind !== 'image' || !layer.generated) throw new Error('expected an AI layer');
    expect(layer.generated.variants).toHaveLength(2);
    expect(layer.sha256).toBe(layer.generated.variants[0]);
    const head = services.projects.state(project.id).head;
    const swapped = services.projects.commit(project.id, head, { type: 'chooseVariant', layerId: layer.id, sha256: layer.generated.variants[1]! });
    expect(swapped.step.label).toMatch(/^Choose result 2 on /);
    expect(() => services.projects.commit(project.id, swapped.head, { type: 'chooseVariant', layerId: layer.id, sha256: 'e'.repeat(64) })).toThrow(/not one of/);
  });

  it('never pays twice: the same edit after undo comes from the cache, a fresh variant calls again', async () => {
    const { project, head: root } = services.projects.create(photoId, 'cache');
    const first = await settle(services.edits.submit(request(project.id, { prompt: 'warmer light' })).jobId);
    expect(first.costUsd).toBeGreaterThan(0);
    const calls = fake.requests.length;
    services.projects.setHead(project.id, root, first.stepId);
    const again = await settle(services.edits.submit(request(project.id, { prompt: 'warmer light' })).jobId);
    expect(again).toMatchObject({ state: 'succeeded', costUsd: 0 });
    expect(fake.requests.length).toBe(calls);
    // Same pixels as the first answer: the cached output is reused, not re-asked.
    const layers = (id: string | null) => services.projects.state(project.id).steps.find((s) => s.id === id)!.outputSha256;
    expect(layers(again.stepId)).toBe(layers(first.stepId));
    services.projects.setHead(project.id, root, again.stepId);
    const fresh = await settle(services.edits.submit(request(project.id, { prompt: 'warmer light', fresh: true })).jobId);
    expect(fresh.state).toBe('succeeded');
    expect(fresh.costUsd).toBeGreaterThan(0);
    expect(fake.requests.length).toBe(calls + 1);
  });

  it('retries 429 with backoff, and gives up on 500 after the last attempt with a readable reason', async () => {
    const { project } = services.projects.create(photoId, 'retries');
    fake.enqueue('429-then-ok');
    const retried = await settle(services.edits.submit(request(project.id, { prompt: 'retry me' })).jobId);
    expect(retried).toMatchObject({ state: 'succeeded', attempts: 2 });
    fake.use('500');
    const failed = await settle(services.edits.submit(request(project.id, { prompt: 'always 500' })).jobId);
    expect(failed.state).toBe('failed');
    expect(failed.attempts).toBe(3);
    expect(failed.errorKind).toBe('server');
  }, 20_000);

  it('explains refusals without retrying: blocked prompt, image safety, text but no image', async () => {
    const { project } = services.projects.create(photoId, 'refusals');
    for (const [scenario, kind] of [
      ['blocked', 'blocked'],
      ['image-safety', 'safety'],
      ['text-only', 'no-image'],
      ['401', 'auth'],
    ] as const) {
      fake.reset();
      fake.use(scenario);
      const job = await settle(services.edits.submit(request(project.id, { prompt: `try ${scenario}` })).jobId);
      expect(job.state, scenario).toBe('failed');
      expect(job.errorKind, scenario).toBe(kind);
      expect(job.attempts, scenario).toBe(1);
      expect(job.error).not.toContain(KEY);
      if (scenario === 'text-only') expect(job.answerText).toMatch(/calm lake/);
    }
    expect(services.projects.state(project.id).steps).toHaveLength(1);
  });

  it('waits for the network, resumes by itself when it is back, also after a restart', async () => {
    const { project } = services.projects.create(photoId, 'offline');
    baseUrl = 'http://127.0.0.1:9'; // nothing listens: connection refused
    const job = services.edits.submit(request(project.id, { prompt: 'offline edit' }));
    const waiting = await settle(job.jobId, ['waiting-network']);
    expect(waiting.error).toMatch(/Waiting for the network/);
    services.close();
    baseUrl = fake.baseUrl;
    services = await open();
    const done = await settle(job.jobId);
    expect(done.state).toBe('succeeded');
    expect(services.projects.state(project.id).head).toBe(done.stepId);
  });

  it('refuses photos marked never-upload and edits past the monthly budget; keeps the key out of the database', async () => {
    const { project } = services.projects.create(photoId, 'privacy');
    services.library.setNeverUpload([photoId], true);
    expect(() => services.edits.submit(request(project.id))).toThrow(/never upload/);
    services.library.setNeverUpload([photoId], false);
    services.library.setSettings({ monthlyBudgetUsd: services.edits.monthSpendUsd() + 0.01 });
    expect(() => services.edits.submit(request(project.id))).toThrow(/monthly budget/);
    services.library.setSettings({ monthlyBudgetUsd: null });
    const uploads = await services.handlers['uploads.list']!({});
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads[0]).toMatchObject({ model: 'gemini-2.5-flash-image', imageCount: 1 });
    for (const file of ['library.sqlite3', 'library.sqlite3-wal']) {
      try {
        expect(readFileSync(path.join(tmp.dir, file)).includes(KEY)).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  });

  it('attaches @Name references within the model limit, and runs a series of one character', async () => {
    const coffee = services.library.list({ search: 'coffee' }).items[0]!.id;
    const milo = services.characters.create('Milo', [photoId, coffee]);
    expect(milo.photoIds).toEqual([photoId, coffee]);
    const { project } = services.projects.create(coffee, 'character');
    fake.reset();
    const done = await settle(services.edits.submit(request(project.id, { prompt: 'put @milo on a sofa' })).jobId);
    expect(done.state).toBe('succeeded');
    const sent = fake.requests.at(-1)!;
    expect(sent.imageCount).toBe(3); // two references and the photo being edited
    const labels = sent.contents.at(-1)!.parts.filter((p) => p.text).map((p) => p.text);
    expect(labels).toContain('put @milo on a sofa');
    expect(() => services.edits.submit(request(project.id, { prompt: 'and @Nobody too' }))).toThrow(/no character named @Nobody/);
    // Four references asked for a model that takes three: refused before anything is sent.
    await services.runImport({ paths: [fixture('astronaut.png'), fixture('rocket.jpg')] });
    const four = services.library.list({}).items.map((p) => p.id).slice(0, 4);
    expect(four).toHaveLength(4);
    expect(() => services.edits.submit(request(project.id, { prompt: 'x', referencePhotoIds: four }))).toThrow(/at most 3 reference images/);

    fake.reset();
    const series = await services.handlers['edit.series']!({ photoId: coffee, prompts: ['@Milo at the beach', '@Milo in the snow'] } as never);
    expect(series).toHaveLength(2);
    const settled = await Promise.all(series.map((job) => settle(job.jobId)));
    expect(settled.map((job) => job.state)).toEqual(['succeeded', 'succeeded']);
    expect(new Set(settled.map((job) => job.projectId)).size).toBe(2);
    expect(fake.requests.every((r) => r.imageCount === 3)).toBe(true);
  });

  it('uses the local subject mask as the region of a cloud edit: only the person changes', async () => {
    await services.runImport({ paths: [fixture('astronaut.png')] });
    const astronaut = services.library.list({ search: 'astronaut' }).items[0]!;
    const { project } = services.projects.create(astronaut.id, 'subject');
    const subject = await services.handlers['local.subjectMask']!({ projectId: project.id });
    expect(subject).not.toBeNull();
    expect(subject!.coverage).toBeGreaterThan(0.05);
    fake.reset();
    const done = await settle(services.edits.submit(request(project.id, { prompt: 'give her a red suit', mask: { sha256: subject!.sha256 } })).jobId);
    expect(done.state).toBe('succeeded');
    const mask = await sharp(services.locateImage(subject!.sha256)!).greyscale().raw().toBuffer();
    const before = await decodeRgba(fixture('astronaut.png'));
    const { image: after } = await renderFull(services.projects.stackAtHead(project.id).stack, (sha) => services.locateImage(sha));
    let outside = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== 0) continue;
      outside++;
      for (let c = 0; c < 3; c++) expect(after.data[i * 4 + c]).toBe(before.data[i * 4 + c]);
    }
    expect(outside).toBeGreaterThan(1000);
  }, 60_000);

  it('runs the same job path from the command line: a masked edit, an offline edit queued, a refusal exiting non-zero', async () => {
    services.close();
    const maskFile = path.join(tmp.dir, 'mask.png');
    const raw = Buffer.alloc(451 * 300);
    for (let y = 100; y < 200; y++) raw.fill(255, y * 451 + 150, y * 451 + 300);
    await sharp(raw, { raw: { width: 451, height: 300, channels: 1 } }).png().toFile(maskFile);
    // Not spawnSync: the fake server lives in this process and must keep answering.
    const run = (env: Record<string, string>, ...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'edit', ...args, '--library', tmp.dir, '--json'], {
          env: { ...process.env, GEMINI_API_KEY: KEY, GEMINI_BASE_URL: fake.baseUrl, ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    fake.reset();
    const ok = await run({}, `photo:${photoId}`, '--prompt', 'remove the stain', '--mask', maskFile);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const result = JSON.parse(ok.stdout) as { projectId: number; stepId: string; label: string; costUsd: number; outputSha256: string; status: string };
    expect(result).toMatchObject({ status: 'succeeded', label: 'Gemini: “remove the stain”' });
    expect(result.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.costUsd).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);

    const offline = await run({ GEMINI_BASE_URL: 'http://127.0.0.1:9' }, String(result.projectId), '--prompt', 'later please');
    expect(offline.status).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ projectId: result.projectId, status: 'queued' });

    fake.use('blocked');
    const refused = await run({}, `project:${result.projectId}`, '--prompt', 'something blocked');
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'failed' });
    expect(JSON.parse(refused.stdout).reason).toMatch(/refused|blocked/i);

    const badMask = spawnSync(process.execPath, [CLI, 'edit', `photo:${photoId}`, '--prompt', 'x', '--mask', fixture('coffee.png'), '--library', tmp.dir], { encoding: 'utf8' });
    expect(badMask.status).toBe(2);
    expect(badMask.stderr).toMatch(/must be the photo's size, 451×300/);
    services = await open();
  });
});
