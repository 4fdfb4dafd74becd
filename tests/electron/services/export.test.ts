import { spawnSync } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgba, renderFull } from '../../../electron/services/export.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { renderStack } from '../../../shared/document/render.js';
import { applyAdjustment } from '../../../shared/imaging/index.js';
import { CLI, fixture, quadrantJpeg, tempDir } from '../../support/fixtures.js';

describe('export', () => {
  const tmp = tempDir();
  let services: Services;
  let projectId: number;
  let chelseaId: number;

  beforeAll(async () => {
    services = await openServices({ libraryDir: path.join(tmp.dir, 'lib'), host: 'cli', version: '9.9.9', systemLocale: 'en' });
    const gps = await sharp(await quadrantJpeg({ width: 80, height: 60, seed: 9 }))
      .withExif({
        IFD0: { Make: 'Canon', Model: 'EOS R5' },
        IFD2: { DateTimeOriginal: '2023:08:01 09:10:11' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '31/1 14/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '121/1 28/1 0/1' },
      })
      .toBuffer();
    await fs.writeFile(path.join(tmp.dir, 'gps.jpg'), gps);
    await services.runImport({ paths: [fixture('chelsea.png'), path.join(tmp.dir, 'gps.jpg')] });
    chelseaId = services.library.list({ search: 'chelsea' }).items[0]!.id;
    const state = services.projects.create(chelseaId, 'Bright cat');
    projectId = state.project.id;
    const a = services.projects.commit(projectId, state.head, { type: 'addAdjustmentLayer', layerId: 'b', name: 'Brightness', adjustment: { kind: 'brightness', amount: 25 } });
    services.projects.commit(projectId, a.head, { type: 'setLayerProps', layerId: 'b', props: { opacity: 0.5 } });
  });
  afterAll(() => {
    services.close();
    tmp.cleanup();
  });

  it('writes what the shared kernels render, pixel for pixel (PNG)', async () => {
    const out = path.join(tmp.dir, 'out', 'cat.png');
    await services.exportOne({ projectId }, { format: 'png' }, out);
    const exported = await decodeRgba(out);
    const { stack } = services.projects.stackAtHead(projectId);
    const source = await decodeRgba(fixture('chelsea.png'));
    const expected = renderStack(stack, () => source, { scale: 1 }).image;
    expect([exported.width, exported.height]).toEqual([451, 300]);
    expect(Buffer.from(exported.data).equals(Buffer.from(expected.data))).toBe(true);
    // And that render really is half of a +25 brightness over the photo.
    const bright = applyAdjustment(source, { kind: 'brightness', amount: 25 });
    for (const i of [0, 4000, 200_000, 500_000]) {
      expect(Math.abs(exported.data[i]! - (source.data[i]! + bright.data[i]!) / 2)).toBeLessThanOrEqual(1);
    }
    expect(bright.data[4000]).toBeGreaterThan(source.data[4000]!);
  });

  it('records the edit and its steps in XMP, keeps EXIF, and strips GPS unless asked to keep it', async () => {
    const gpsPhoto = services.library.list({ search: 'gps' }).items[0]!;
    const { project, head } = services.projects.create(gpsPhoto.id, 'Trip');
    services.projects.commit(project.id, head, { type: 'addAdjustmentLayer', layerId: 'bw', name: 'B&W', adjustment: { kind: 'blackWhite' } });
    const stripped = path.join(tmp.dir, 'out', 'stripped.jpg');
    await services.exportOne({ projectId: project.id }, { format: 'jpeg', quality: 92 }, stripped);
    const kept = path.join(tmp.dir, 'out', 'kept.jpg');
    await services.exportOne({ projectId: project.id }, { format: 'jpeg', stripGps: false }, kept);
    const a = await exifr.parse(stripped, { tiff: true, exif: true, gps: true, xmp: true });
    expect(a.Make).toBe('Canon');
    expect(a.Model).toBe('EOS R5');
    expect(a.latitude).toBeUndefined();
    const b = await exifr.parse(kept, { gps: true });
    expect(b.latitude).toBeCloseTo(31 + 14 / 60, 3);
    expect(b.longitude).toBeCloseTo(121 + 28 / 60, 3);
    const xmp = readFileSync(stripped).toString('latin1');
    expect(xmp).toContain('xmp:CreatorTool="Promptroom 9.9.9"');
    expect(xmp).toContain('<stEvt:parameters>Open gps.jpg</stEvt:parameters>');
    expect(xmp).toContain('<stEvt:parameters>Add Black &amp; white</stEvt:parameters>');
    const pixels = await decodeRgba(stripped);
    const [r, g, bl] = pixels.data.subarray(0, 3);
    expect(Math.abs(r! - g!)).toBeLessThanOrEqual(3);
    expect(Math.abs(g! - bl!)).toBeLessThanOrEqual(3);
  });

  it('exports at a smaller size and in every format', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'tiff'] as const) {
      const file = path.join(tmp.dir, 'formats', `cat.${format}`);
      await services.exportOne({ projectId }, { format, maxEdge: 200 }, file);
      const meta = await sharp(file).metadata();
      expect(meta.format).toBe(format === 'jpeg' ? 'jpeg' : format);
      expect(Math.max(meta.width!, meta.height!)).toBe(200);
    }
  });

  it('says clearly when the target cannot be written, and leaves nothing half-written', async () => {
    await fs.writeFile(path.join(tmp.dir, 'a-file'), 'x');
    await expect(services.exportOne({ projectId }, { format: 'png' }, path.join(tmp.dir, 'a-file', 'cat.png'))).rejects.toThrow(
      /can't write to .*a-file: part of the path is a file/,
    );
    await fs.mkdir(path.join(tmp.dir, 'target-is-dir.png'));
    await expect(services.exportOne({ projectId }, { format: 'png' }, path.join(tmp.dir, 'target-is-dir.png'))).rejects.toThrow(/can't write/);
    expect(readdirSync(tmp.dir).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('renders a layer whose image is missing as broken and still renders the rest', async () => {
    const { stack } = services.projects.stackAtHead(projectId);
    const missing = { ...stack, layers: [...stack.layers, { ...stack.layers[0]!, id: 'ghost', sha256: 'd'.repeat(64) }] };
    const result = await renderFull(missing, (sha) => services.locateImage(sha));
    expect(result.broken).toEqual(['ghost']);
    expect(result.image.width).toBe(451);
  });

  it('runs a batch export with progress, and the CLI exports and prints the history', async () => {
    const job = await services.runExport([projectId, projectId], { format: 'jpeg' }, path.join(tmp.dir, 'batch'));
    expect(job.state).toBe('succeeded');
    expect(job.files.map((f) => f.fileName)).toEqual(['Bright cat.jpg', 'Bright cat (2).jpg']);
    services.close();
    const out = path.join(tmp.dir, 'cli.webp');
    const run = spawnSync(process.execPath, [CLI, 'export', `project:${projectId}`, '--library', path.join(tmp.dir, 'lib'), '--out', out], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((await sharp(out).metadata()).format).toBe('webp');
    const history = spawnSync(process.execPath, [CLI, 'history', String(projectId), '--library', path.join(tmp.dir, 'lib'), '--json'], { encoding: 'utf8' });
    const parsed = JSON.parse(history.stdout) as { steps: { id: string; parentId: string | null; label: string; kind: string; current: boolean }[] };
    expect(parsed.steps.map((s) => [s.label, s.kind, s.current])).toEqual([
      ['Open chelsea.png', 'addImageLayer', false],
      ['Add Brightness +25', 'addAdjustmentLayer', false],
      ['Opacity 50% on Brightness', 'setLayerProps', true],
    ]);
    expect(parsed.steps[1]!.parentId).toBe(parsed.steps[0]!.id);
    const photo = spawnSync(process.execPath, [CLI, 'export', `photo:${chelseaId}`, '--library', path.join(tmp.dir, 'lib'), '--out', path.join(tmp.dir, 'photo.png')], { encoding: 'utf8' });
    expect(photo.status).toBe(0);
    const original = await decodeRgba(fixture('chelsea.png'));
    const exportedPhoto = await decodeRgba(path.join(tmp.dir, 'photo.png'));
    expect(Buffer.from(exportedPhoto.data).equals(Buffer.from(original.data))).toBe(true);
    services = await openServices({ libraryDir: path.join(tmp.dir, 'lib'), host: 'cli', version: '9.9.9', systemLocale: 'en' });
  });
});
