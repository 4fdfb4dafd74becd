import { promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EditJobInfo, HostEvent } from '../../../shared/contract/api.js';
import { EditJobRequest } from '../../../shared/contract/api.js';
import { ProjectState } from '../../../shared/contract/document.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { LocalEngine } from '../../../electron/services/local/engine.js';
import { sendJson, startFakeGemini, type FakeGemini, type FakeRequest } from '../../fakes/gemini-server.js';
import { faceSwappedAstronaut, fixture, tempDir } from '../../support/fixtures.js';
import { ensureWorkerBuilt } from './quality.js';

describe('identity checks on history steps', () => {
  const tmp = tempDir();
  let fake: FakeGemini;
  let services: Services;
  let engine: LocalEngine;
  const events: HostEvent[] = [];
  const photos: Record<string, number> = {};
  const answers: Record<string, Buffer> = {};

  async function importFile(name: string, bytes?: Buffer): Promise<number> {
    const file = bytes ? path.join(tmp.dir, name) : fixture(name);
    if (bytes) await fs.writeFile(file, bytes);
    const before = new Set(services.library.list({}).items.map((p) => p.id));
    await services.runImport({ paths: [file] });
    return services.library.list({}).items.find((p) => !before.has(p.id))!.id;
  }

  /** A Gemini answer of one or more given images, in the real wire format. */
  function answerWith(...images: Buffer[]) {
    return (_request: FakeRequest, res: ServerResponse) =>
      sendJson(res, 200, {
        candidates: [{ content: { role: 'model', parts: images.map((bytes) => ({ inlineData: { mimeType: 'image/png', data: bytes.toString('base64') } })) }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 1290 * images.length, totalTokenCount: 300 + 1290 * images.length },
        modelVersion: 'gemini-2.5-flash-image',
      });
  }

  async function settle(jobId: string): Promise<EditJobInfo> {
    for (let i = 0; i < 400; i++) {
      const job = services.edits.get(jobId);
      if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${jobId} did not settle`);
  }

  beforeAll(async () => {
    ensureWorkerBuilt();
    fake = await startFakeGemini();
    services = await openServices({
      libraryDir: path.join(tmp.dir, 'lib'),
      host: 'browser',
      version: 't',
      systemLocale: 'en',
      geminiKey: () => ({ key: 'test-key-identity' }),
      geminiBaseUrl: fake.baseUrl,
      queueTuning: { backoffMs: 20, networkProbeMs: 100, maxAttempts: 2 },
    });
    services.subscribe((event) => events.push(event));
    engine = new LocalEngine({ ...services });
    photos.astronaut = await importFile('astronaut.png');
    photos.coffee = await importFile('coffee.png');
    // A photo without a face the size of the answers, so they are drawn undistorted.
    photos.table = await importFile('table.png', await sharp(fixture('coffee.png')).resize(512, 512, { fit: 'cover' }).png().toBuffer());
    // A second photo of her (a reference for a character): mirrored, darker, smaller.
    photos.herAgain = await importFile('astronaut-reference.png', await sharp(fixture('astronaut.png')).flop().modulate({ brightness: 0.85 }).resize(400).png().toBuffer());
    answers.her = await sharp(fixture('astronaut.png')).modulate({ brightness: 1.15, saturation: 1.3 }).png().toBuffer();
    answers.swapped = await faceSwappedAstronaut();
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await engine.close();
    services.close();
    await fake.close();
    tmp.cleanup();
  });

  it('a local raster step is checked in the background: same person, stored on the step, an event tells the panel', async () => {
    const { project } = services.projects.create(photos.astronaut!);
    const result = await engine.apply(project.id, 'blur the background');
    expect(result.steps).toHaveLength(1);
    const step = result.steps[0]!;
    // Committed before any check ran: the step carries no identity yet.
    expect(services.projects.state(project.id).steps.find((s) => s.id === step.id)!.identity).toBeUndefined();
    await services.identity.idle();
    const state = ProjectState.parse(services.projects.state(project.id));
    const identity = state.steps.find((s) => s.id === step.id)!.identity!;
    expect(identity).toMatchObject({ verdict: 'same', faces: { original: 1, result: 1 }, sha256: step.outputSha256 });
    expect(identity.distance!).toBeLessThan(0.3);
    expect(identity.variants).toHaveLength(1);
    const event = events.find((e) => e.type === 'identity.checked' && e.stepId === step.id);
    expect(event).toMatchObject({ type: 'identity.checked', projectId: project.id, identity: { verdict: 'same' } });
    // Steps without new pixels have no identity.
    expect(state.steps.filter((s) => s.identity).map((s) => s.id)).toEqual([step.id]);
    console.log(`identity: local “blur the background” on astronaut ${identity.distance}`);
  });

  it('a photo without faces: the check says so, with no verdict about a person', async () => {
    const { project } = services.projects.create(photos.coffee!);
    fake.use(answerWith(answers.her!));
    const job = services.edits.submit(EditJobRequest.parse({ projectId: project.id, prompt: 'warmer light' }));
    const done = await settle(job.jobId);
    expect(done.state).toBe('succeeded');
    await services.identity.idle();
    const step = services.projects.state(project.id).steps.find((s) => s.id === done.stepId)!;
    expect(step.identity).toMatchObject({ verdict: 'no-face', distance: null, faces: { original: 0 } });
  });

  it('cloud variants are each checked: the chosen one shows, swapping to the other shows its own verdict', async () => {
    const { project } = services.projects.create(photos.astronaut!);
    fake.use(answerWith(answers.her!, answers.swapped!));
    const job = services.edits.submit(EditJobRequest.parse({ projectId: project.id, prompt: 'a sunny day', variants: 2 }));
    const done = await settle(job.jobId);
    expect(done.state).toBe('succeeded');
    await services.identity.idle();
    const state = services.projects.state(project.id);
    const step = state.steps.find((s) => s.id === done.stepId)!;
    if (step.op.type !== 'aiEdit') throw new Error('expected an AI edit');
    const [first, second] = step.op.generated.variants;
    expect(step.identity).toMatchObject({ verdict: 'same', sha256: first });
    const other = step.identity!.variants.find((v) => v.sha256 === second)!;
    expect(other.verdict).toBe('changed');
    expect(other.distance!).toBeGreaterThanOrEqual(0.6);

    const chosen = services.projects.commit(project.id, state.head, { type: 'chooseVariant', layerId: step.op.layerId, sha256: second! }).step;
    const after = services.projects.state(project.id).steps.find((s) => s.id === chosen.id)!;
    expect(after.identity).toMatchObject({ verdict: 'changed', sha256: second });
    console.log(`identity: cloud variants same ${step.identity!.distance}, swapped face ${other.distance}`);
  });

  it('each step is compared with the original photo, not the step before: a swapped face stays flagged, her return is the same person', async () => {
    const { project } = services.projects.create(photos.astronaut!);
    fake.use(answerWith(answers.swapped!));
    const swap = await settle(services.edits.submit(EditJobRequest.parse({ projectId: project.id, prompt: 'someone else' })).jobId);
    expect(swap.state).toBe('succeeded');
    // The next edit keeps the stranger's face (same as the step before it), then one brings her back.
    fake.use(answerWith(answers.swapped!, answers.her!));
    const next = await settle(services.edits.submit(EditJobRequest.parse({ projectId: project.id, prompt: 'a little brighter', variants: 2 })).jobId);
    expect(next.state).toBe('succeeded');
    await services.identity.idle();
    const steps = services.projects.state(project.id).steps;
    expect(steps.find((s) => s.id === swap.stepId)!.identity).toMatchObject({ verdict: 'changed' });
    const step = steps.find((s) => s.id === next.stepId)!;
    if (step.op.type !== 'aiEdit') throw new Error('expected an AI edit');
    const [stranger, her] = step.op.generated.variants.map((sha) => step.identity!.variants.find((v) => v.sha256 === sha)!);
    expect(stranger!.verdict).toBe('changed');
    expect(stranger!.distance!).toBeGreaterThanOrEqual(0.6);
    expect(her!.verdict).toBe('same');
    expect(her!.distance!).toBeLessThan(0.6);
  });

  it('@Name scores the result against the character’s reference photos: consistent or not', async () => {
    services.characters.create('Eileen', [photos.herAgain!]);
    const { project } = services.projects.create(photos.table!);
    fake.use(answerWith(answers.her!, answers.swapped!));
    const job = services.edits.submit(EditJobRequest.parse({ projectId: project.id, prompt: 'put @Eileen at this table', variants: 2 }));
    const done = await settle(job.jobId);
    expect(done.state).toBe('succeeded');
    await services.identity.idle();
    const step = services.projects.state(project.id).steps.find((s) => s.id === done.stepId)!;
    if (step.op.type !== 'aiEdit') throw new Error('expected an AI edit');
    // The original (a table) has no face; the character is scored all the same.
    expect(step.identity!.verdict).toBe('no-face');
    const [her, swapped] = step.op.generated.variants.map((sha) => step.identity!.variants.find((v) => v.sha256 === sha)!);
    expect(her!.characters).toEqual([expect.objectContaining({ name: 'Eileen', verdict: 'same', referenceFaces: 1 })]);
    expect(her!.characters[0]!.distance!).toBeLessThan(0.6);
    expect(swapped!.characters).toEqual([expect.objectContaining({ name: 'Eileen', verdict: 'changed' })]);
    expect(swapped!.characters[0]!.distance!).toBeGreaterThanOrEqual(0.6);
    console.log(`identity: @Eileen consistency ${her!.characters[0]!.distance} (her), ${swapped!.characters[0]!.distance} (another face)`);
  });

  it('a deleted project takes its checks with it', async () => {
    const { project } = services.projects.create(photos.astronaut!);
    fake.use(answerWith(answers.her!));
    const done = await settle(services.edits.submit(EditJobRequest.parse({ projectId: project.id, prompt: 'evening light' })).jobId);
    await services.identity.idle();
    const count = () => services.library.db.prepare('SELECT count(*) FROM identity_checks WHERE project_id = ?').pluck().get(project.id) as number;
    expect(count()).toBe(1);
    expect(done.stepId).not.toBeNull();
    services.projects.delete(project.id);
    expect(count()).toBe(0);
  });
});
