import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgba, renderFull } from '../../../electron/services/export.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { LocalEngine, summarizeStep } from '../../../electron/services/local/engine.js';
import { WorkerPool } from '../../../electron/services/local/pool.js';
import type { ImageLayer } from '../../../shared/document/model.js';
import { fixture, tempDir } from '../../support/fixtures.js';
import { addNoise, dust, ensureWorkerBuilt, loadRgba, psnr, toPng } from './quality.js';

describe('the local engine', () => {
  const tmp = tempDir();
  let services: Services;
  let engine: LocalEngine;
  const photos = new Map<string, number>();

  async function importFile(file: string): Promise<number> {
    const before = new Set(services.library.list({}).items.map((p) => p.id));
    const job = await services.runImport({ paths: [file] });
    expect(job.summary.failed).toEqual([]);
    const added = services.library.list({}).items.find((p) => !before.has(p.id));
    return added?.id ?? services.library.list({ search: path.basename(file).replace(/\.\w+$/, '') }).items[0]!.id;
  }

  async function importBuffer(name: string, bytes: Buffer): Promise<number> {
    const file = path.join(tmp.dir, name);
    await fs.writeFile(file, bytes);
    return importFile(file);
  }

  beforeAll(async () => {
    ensureWorkerBuilt();
    services = await openServices({ libraryDir: path.join(tmp.dir, 'lib'), host: 'cli', version: '0.0.0', systemLocale: 'en' });
    engine = new LocalEngine({
      ...services,
      importPhoto: async (file, name) => (await services.handlers['import.one']!({ path: file, name })).photo.id,
    });
    photos.set('chelsea', await importFile(fixture('chelsea.png')));
    const clean = await loadRgba(fixture('coffee.png'));
    photos.set('noisy', await importBuffer('noisy-coffee.png', await toPng(addNoise(clean, 18).image)));
    photos.set('dusty', await importBuffer('dusty-coffee.png', await toPng(dust(clean).image)));
  });
  afterAll(async () => {
    await engine.close();
    services.close();
    tmp.cleanup();
  });

  it('turns an instruction into parametric steps that stay editable, in the order asked', async () => {
    const { project } = services.projects.create(photos.get('chelsea')!);
    const result = await engine.apply(project.id, 'brighter by 20% and a little more contrast, then crop to 4:5');
    expect(result.refused).toBeUndefined();
    expect(result.steps.map((s) => s.label)).toEqual(['Add Brightness +20', 'Add Contrast +13', 'Crop to 240×300']);
    const { stack } = services.projects.stackAtHead(project.id);
    expect(stack.layers.map((l) => (l.kind === 'adjustment' ? l.adjustment : l.kind))).toEqual([
      'image',
      { kind: 'brightness', amount: 20 },
      { kind: 'contrast', amount: 13 },
    ]);
    expect(stack.transform.crop).toEqual({ x: 106, y: 0, width: 240, height: 300 });
    // Each step is its own history entry: one undo takes back the crop only.
    const state = services.projects.state(project.id);
    expect(state.steps).toHaveLength(4);
    expect(state.head).toBe(result.steps[2]!.id);
  });

  it('answers an instruction it cannot do plainly, in both languages, and changes nothing', async () => {
    const { project, head } = services.projects.create(photos.get('chelsea')!);
    const result = await engine.apply(project.id, 'add a dragon on the roof');
    expect(result.steps).toEqual([]);
    expect(result.refused).toMatchObject({ code: 'addObjects', cloudable: true });
    expect(result.refused!.reason.en).toBe("The local engine can't add objects. Send it to Gemini when online?");
    expect(result.refused!.reason.zh).toContain('Gemini');
    expect(services.projects.state(project.id).head).toBe(head);
    for (const text of ['', '   ', '🙂🙂', 'x'.repeat(100_000), 'put the cat on a beach', '换成油画风格']) {
      const answer = await engine.apply(project.id, text);
      expect(answer.refused, text.slice(0, 20)).toBeDefined();
    }
    // Without the subject-mask model, background edits are refused with the reason, for the cloud.
    const withoutModel = new LocalEngine({ ...services, capabilities: { subjectMask: false }, runner: 'inline' });
    expect((await withoutModel.apply(project.id, '虚化背景')).refused).toMatchObject({ code: 'subjectMask', cloudable: true });
    expect(services.projects.state(project.id).head).toBe(head);
  });

  it('blurs the background of a portrait and keeps the person sharp, with a locally computed subject mask', async () => {
    expect(engine.capabilities.subjectMask).toBe(true);
    const astronaut = await importFile(fixture('astronaut.png'));
    const { project } = services.projects.create(astronaut);
    const original = await loadRgba(fixture('astronaut.png'));
    const result = await engine.apply(project.id, 'blur the background');
    expect(result.steps.map((s) => s.label)).toEqual(['Local: “blur the background”']);
    const { image } = await renderFull(services.projects.stackAtHead(project.id).stack, services.locateImage);
    // The flag (top left) is background: blurred. The face (centre top) is the person: untouched.
    const region = (img: typeof image, x0: number, y0: number, size: number) => {
      const out = { width: size, height: size, data: new Uint8ClampedArray(size * size * 4) };
      for (let y = 0; y < size; y++) out.data.set(img.data.subarray(((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + size) * 4), y * size * 4);
      return out;
    };
    expect(psnr(region(original, 10, 40, 60), region(image, 10, 40, 60))).toBeLessThan(30);
    expect(psnr(region(original, 220, 80, 60), region(image, 220, 80, 60))).toBeGreaterThan(40);
  });

  it('removes the background: the person cut out, the layers below hidden', async () => {
    const { project } = services.projects.create(services.library.list({ search: 'astronaut' }).items[0]!.id);
    const result = await engine.apply(project.id, '去除背景');
    expect(result.steps.map((s) => s.label)).toEqual(['Local: “去除背景”', 'Hide astronaut.png']);
    const { image } = await renderFull(services.projects.stackAtHead(project.id).stack, services.locateImage);
    expect(image.data[(5 * image.width + 5) * 4 + 3]).toBe(0);
    expect(image.data[(110 * image.width + 250) * 4 + 3]).toBe(255);
    const mask = await engine.subjectMask(project.id);
    expect(mask).not.toBeNull();
    expect(services.library.db.prepare('SELECT kind FROM stored_images WHERE sha256 = ?').pluck().get(mask!.sha256)).toBe('mask');
  });

  it('says so when there is nobody to keep sharp', async () => {
    const flat = await importBuffer('flat.png', await sharp({ create: { width: 120, height: 90, channels: 3, background: '#557799' } }).png().toBuffer());
    const { project } = services.projects.create(flat);
    const result = await engine.apply(project.id, 'blur the background');
    expect(result.steps).toEqual([]);
    expect(result.skipped[0]!.reason.en).toMatch(/No person found/);
    expect(await engine.subjectMask(project.id)).toBeNull();
  });

  it('denoises into a raster layer with local provenance, stored as a local output', async () => {
    const { project } = services.projects.create(photos.get('noisy')!);
    const result = await engine.apply(project.id, 'denoise');
    expect(result.steps).toHaveLength(1);
    const step = result.steps[0]!;
    expect(step.label).toBe('Local: “denoise”');
    expect(step.op.type).toBe('aiEdit');
    if (step.op.type !== 'aiEdit') return;
    expect(step.op.generated).toMatchObject({ provider: 'local', model: 'promptroom-local-1', prompt: 'denoise', references: [], costUsd: 0 });
    expect(step.op.generated.variants).toEqual([step.op.sha256]);
    expect(step.op.generated.jobId).toMatch(/^local-[0-9a-f]{12}$/);
    expect(step.outputSha256).toBe(step.op.sha256);
    expect(services.library.db.prepare('SELECT kind FROM stored_images WHERE sha256 = ?').pluck().get(step.op.sha256)).toBe('local-output');
    expect([step.op.x, step.op.y, step.op.width, step.op.height]).toEqual([0, 0, 600, 400]);
    const clean = await loadRgba(fixture('coffee.png'));
    const noisy = await decodeRgba(services.locateImage(services.library.get(photos.get('noisy')!).sha256)!);
    const { image } = await renderFull(services.projects.stackAtHead(project.id).stack, services.locateImage);
    expect(psnr(clean, image)).toBeGreaterThan(psnr(clean, noisy) + 5);
  });

  it('restores a photo as switchable sub-steps and says which it skipped and why', async () => {
    const { project } = services.projects.create(photos.get('dusty')!);
    const result = await engine.restore(project.id);
    const labels = result.steps.map((s) => s.label);
    expect(labels[0]).toBe('Local: “Remove dust and scratches”');
    expect(labels.at(-1)).toBe('Add Sharpen 80%');
    expect(result.skipped.map((s) => s.name)).toContain('Denoise');
    expect(result.skipped.find((s) => s.name === 'Denoise')!.reason).toEqual({ en: 'No noticeable noise.', zh: '没有明显的噪点。' });
    // The dust layer holds only the repaired pixels; hiding it brings the dust back.
    const { stack } = services.projects.stackAtHead(project.id);
    const patch = stack.layers.find((l): l is ImageLayer => l.kind === 'image' && l.generated?.provider === 'local')!;
    const layer = await decodeRgba(services.locateImage(patch.sha256)!);
    let opaque = 0;
    for (let i = 3; i < layer.data.length; i += 4) if (layer.data[i] === 255) opaque++;
    expect(opaque).toBeGreaterThan(100);
    expect(opaque).toBeLessThan(layer.width * layer.height * 0.05);
    const clean = await loadRgba(fixture('coffee.png'));
    const withRepair = (await renderFull(stack, services.locateImage)).image;
    const hidden = services.projects.commit(project.id, services.projects.state(project.id).head, { type: 'setLayerProps', layerId: patch.id, props: { visible: false } });
    expect(hidden.step.label).toBe('Hide Remove dust and scratches');
    const withoutRepair = (await renderFull(services.projects.stackAtHead(project.id).stack, services.locateImage)).image;
    expect(psnr(clean, withRepair)).toBeGreaterThan(psnr(clean, withoutRepair) + 1);
  });

  it('restores photos into new projects, with the summary the CLI prints', async () => {
    const restored = await engine.restorePhotos([photos.get('noisy')!]);
    expect(restored).toHaveLength(1);
    const [first] = restored;
    expect(first!.photoId).toBe(photos.get('noisy'));
    expect(services.projects.state(first!.projectId).project.name).toBe('noisy-coffee (restored)');
    expect(first!.steps[0]).toMatchObject({ label: 'Local: “Denoise”', kind: 'aiEdit', outputSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(first!.steps.every((s) => typeof s.id === 'string' && typeof s.label === 'string')).toBe(true);
    expect(summarizeStep(services.projects.state(first!.projectId).steps[0]!)).toEqual({ id: expect.any(String), label: 'Open noisy-coffee.png', kind: 'addImageLayer' });
  });

  it('upscales 2× into a new photo and project', async () => {
    const { project } = services.projects.create(photos.get('chelsea')!);
    await engine.apply(project.id, 'rotate left');
    const result = await engine.apply(project.id, 'upscale 2x');
    expect(result.created).toBeDefined();
    const photo = services.library.get(result.created!.photoId);
    expect([photo.width, photo.height]).toEqual([600, 902]);
    expect(services.projects.state(result.created!.projectId).project.photoId).toBe(photo.id);
  });

  it('rotates, flips and straightens as asked, and levels a tilted horizon by itself', async () => {
    const { project } = services.projects.create(photos.get('chelsea')!);
    await engine.apply(project.id, 'rotate right, flip horizontally, straighten by 2 degrees');
    expect(services.projects.stackAtHead(project.id).stack.transform).toMatchObject({ quarterTurns: 1, flipVertical: true, straighten: 2 });
    const horizon = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#203050' } })
      .composite([{ input: await sharp({ create: { width: 400, height: 150, channels: 3, background: '#c8b080' } }).png().toBuffer(), top: 150, left: 0 }])
      .png()
      .toBuffer();
    const tilted = await sharp(horizon).rotate(4, { background: '#203050' }).extract({ left: 60, top: 60, width: 300, height: 200 }).png().toBuffer();
    const tiltedId = await importBuffer('tilted.png', tilted);
    const other = services.projects.create(tiltedId);
    const levelled = await engine.apply(other.project.id, 'straighten');
    expect(levelled.steps).toHaveLength(1);
    const straighten = services.projects.stackAtHead(other.project.id).stack.transform.straighten;
    expect(Math.abs(straighten + 4)).toBeLessThan(0.6);
    const none = await engine.apply(services.projects.create(photos.get('noisy')!).project.id, 'straighten');
    expect(none.steps).toEqual([]);
    expect(none.skipped[0]!.reason.en).toMatch(/straighten by hand|already level/);
  });

  it('runs one instruction at a time per project, so steps never interleave', async () => {
    const { project } = services.projects.create(photos.get('chelsea')!);
    const [a, b] = await Promise.all([engine.apply(project.id, 'brighter and sharpen'), engine.apply(project.id, 'black and white and warmer')]);
    const labels = services.projects.state(project.id).steps.map((s) => s.label).slice(1);
    expect(labels).toEqual([...a.steps, ...b.steps].map((s) => s.label));
  });

  it('gives a result or a clear message for awkward images, never a crash', async () => {
    const cases: [string, Buffer][] = [
      ['alpha.png', await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } } }).png().toBuffer()],
      ['deep.png', await sharp(fixture('chelsea.png')).resize(120).toColourspace('rgb16').png().toBuffer()],
      ['grey.png', await sharp(fixture('chelsea.png')).resize(120).greyscale().png().toBuffer()],
      ['cmyk.jpg', await sharp(fixture('chelsea.png')).resize(120).toColourspace('cmyk').jpeg().toBuffer()],
      ['one.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer()],
      ['strip.png', await sharp({ create: { width: 20_000, height: 3, channels: 3, background: '#6080a0' } }).png().toBuffer()],
    ];
    for (const [name, bytes] of cases) {
      const photoId = await importBuffer(name, bytes);
      const { project } = services.projects.create(photoId);
      const restored = await engine.restore(project.id);
      expect(restored.steps.length + restored.skipped.length, name).toBeGreaterThan(0);
      const edited = await engine.apply(project.id, 'denoise, then brighter and black and white');
      expect(edited.steps.map((s) => s.label).slice(-2), name).toEqual(['Add Brightness +25', 'Add Black & white']);
      const { image } = await renderFull(services.projects.stackAtHead(project.id).stack, services.locateImage);
      expect(image.width * image.height, name).toBeGreaterThan(0);
    }
  });

  it('stops a step that runs too long, with a message, and carries on with a new worker', async () => {
    const pool = new WorkerPool({ timeoutMs: 50 });
    const { stack } = services.projects.stackAtHead(services.projects.create(photos.get('noisy')!).project.id);
    const sha = (stack.layers[0] as ImageLayer).sha256;
    const input = { stack, files: { [sha]: services.locateImage(sha)! } };
    await expect(pool.run({ type: 'raster', input, op: 'denoise', strength: 1, optional: false })).rejects.toThrow(/gave up/);
    const patient = new WorkerPool();
    await expect(patient.run({ type: 'measure', input, measure: 'autoLevels', force: true })).resolves.toMatchObject({ type: 'measure' });
    await Promise.all([pool.close(), patient.close()]);
  });

  it('says so when its worker has not been built', async () => {
    const pool = new WorkerPool({ script: path.join(tmp.dir, 'missing-worker.js') });
    await expect(pool.run({ type: 'upscale', input: { stack: services.projects.stackAtHead(1).stack, files: {} } })).rejects.toThrow(/not built/);
    await pool.close();
  });
});
