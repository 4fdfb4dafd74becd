/**
 * Restoration quality, measured: degraded versions of the sample photos are restored with the
 * kernels the local engine runs (the same functions its worker calls), and PSNR and SSIM against
 * the clean original must improve over the degraded input by the margins stated in
 * bench/quality/restorations.ts (`npm run bench` with BENCH_ONLY=restore prints the same figures
 * with the time per megapixel).
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTORATIONS, RESTORE_MARGINS } from '../../../bench/quality/restorations.js';
import { renderFull } from '../../../electron/services/export.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { LocalEngine } from '../../../electron/services/local/engine.js';
import { rasterImage } from '../../../electron/services/local/tasks.js';
import type { RgbaImage } from '../../../shared/imaging/index.js';
import { fixture, tempDir } from '../../support/fixtures.js';
import { addNoise, DEGRADATIONS, degrade, ensureWorkerBuilt, loadRgba, oldPrint, psnr, ssim, toPng } from './quality.js';

const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'];

describe('restoration quality', () => {
  const originals = new Map<string, RgbaImage>();
  const rows: string[] = [];

  beforeAll(async () => {
    for (const name of PHOTOS) originals.set(name, await loadRgba(fixture(name)));
  });
  afterAll(() => {
    console.log(['degradation  photo          PSNR before → after (dB)   SSIM before → after   PSNR in damage', ...rows].join('\n'));
  });

  for (const kind of DEGRADATIONS) {
    it(`improves ${kind} on every sample photo (PSNR +${RESTORE_MARGINS[kind].psnr} dB, SSIM +${RESTORE_MARGINS[kind].ssim}${RESTORE_MARGINS[kind].inMask ? `, +${RESTORE_MARGINS[kind].inMask} dB inside the damage` : ''})`, async () => {
      const margin = RESTORE_MARGINS[kind];
      for (const name of PHOTOS) {
        const clean = originals.get(name)!;
        const { image, mask } = await degrade(kind, clean);
        const restored = RESTORATIONS[kind](image);
        const before = { psnr: psnr(clean, image), ssim: ssim(clean, image) };
        const after = { psnr: psnr(clean, restored), ssim: ssim(clean, restored) };
        const inMask = mask ? { before: psnr(clean, image, mask), after: psnr(clean, restored, mask) } : null;
        rows.push(
          `${kind.padEnd(12)} ${name.padEnd(14)} ${before.psnr.toFixed(2).padStart(6)} → ${after.psnr.toFixed(2).padStart(6)} (${(after.psnr - before.psnr >= 0 ? '+' : '') + (after.psnr - before.psnr).toFixed(2)})` +
            `   ${before.ssim.toFixed(3)} → ${after.ssim.toFixed(3)}` +
            (inMask ? `   ${inMask.before.toFixed(2)} → ${inMask.after.toFixed(2)}` : ''),
        );
        expect(after.psnr - before.psnr, `${kind} PSNR on ${name}`).toBeGreaterThan(margin.psnr);
        expect(after.ssim - before.ssim, `${kind} SSIM on ${name}`).toBeGreaterThan(margin.ssim);
        if (inMask && margin.inMask) expect(inMask.after - inMask.before, `${kind} PSNR inside the damage on ${name}`).toBeGreaterThan(margin.inMask);
      }
    });
  }

  it('leaves a clean photo nearly untouched by the pixel steps', () => {
    for (const name of PHOTOS) {
      const clean = originals.get(name)!;
      expect(rasterImage(clean, 'denoise', 1, true).image, `denoise on clean ${name}`).toBeNull();
      const repaired = RESTORATIONS.dust(clean);
      // False detections on a clean photo (wood grain, whiskers, catch-lights) cost a little.
      expect(psnr(clean, repaired), `dust removal on clean ${name}`).toBeGreaterThan(32);
      rows.push(`clean        ${name.padEnd(14)} dust and scratch removal changes it to PSNR ${psnr(clean, repaired).toFixed(2)} dB`);
    }
  });
});

describe('restoring an old print through the engine', () => {
  const tmp = tempDir();
  let services: Services;
  let engine: LocalEngine;
  const figures: string[] = [];

  beforeAll(async () => {
    ensureWorkerBuilt();
    services = await openServices({ libraryDir: path.join(tmp.dir, 'lib'), host: 'cli', version: '0.0.0', systemLocale: 'en' });
    engine = new LocalEngine({ ...services });
  });
  afterAll(async () => {
    console.log(figures.join('\n'));
    await engine.close();
    services.close();
    tmp.cleanup();
  });

  async function importImage(name: string, image: RgbaImage): Promise<number> {
    const file = path.join(tmp.dir, name);
    await sharp(await toPng(image)).toFile(file);
    await services.runImport({ paths: [file] });
    return services.library.list({ search: name.replace(/\.png$/, '') }).items[0]!.id;
  }

  it('makes every sub-step its own step and improves PSNR and SSIM of faded, tinted, grainy, dusty, scratched prints', async () => {
    for (const name of ['astronaut.png', 'rocket.jpg']) {
      const clean = await loadRgba(fixture(name));
      const { image } = oldPrint(clean);
      const photoId = await importImage(`old-${name.replace(/\.\w+$/, '')}.png`, image);
      const { project } = services.projects.create(photoId);
      const started = performance.now();
      const result = await engine.restore(project.id);
      const millis = performance.now() - started;
      const { stack } = services.projects.stackAtHead(project.id);
      const { image: restored } = await renderFull(stack, services.locateImage);
      const labels = result.steps.map((s) => s.label);
      expect(labels).toEqual(
        expect.arrayContaining(['Local: “Denoise”', 'Local: “Remove dust and scratches”', 'Add Levels', 'Add Channel levels', 'Add Sharpen 80%']),
      );
      const before = { psnr: psnr(clean, image), ssim: ssim(clean, image) };
      const after = { psnr: psnr(clean, restored), ssim: ssim(clean, restored) };
      figures.push(
        `old print    ${name.padEnd(14)} PSNR ${before.psnr.toFixed(2)} → ${after.psnr.toFixed(2)} dB, SSIM ${before.ssim.toFixed(3)} → ${after.ssim.toFixed(3)}; ` +
          `${result.steps.length} steps (${labels.join(', ')}) in ${(millis / 1000).toFixed(2)} s = ${(millis / ((clean.width * clean.height) / 1e6) / 1000).toFixed(2)} s/MP`,
      );
      expect(after.psnr - before.psnr).toBeGreaterThan(5);
      expect(after.ssim - before.ssim).toBeGreaterThan(0.1);
    }
  });

  it('denoises a 4-megapixel photo off the main thread and reports the time per megapixel', async () => {
    const big = await sharp(fixture('coffee.png')).resize(2450, 1633).raw().ensureAlpha().toBuffer({ resolveWithObject: true });
    const clean: RgbaImage = { width: big.info.width, height: big.info.height, data: new Uint8ClampedArray(big.data) };
    const noisy = addNoise(clean, 15).image;
    const photoId = await importImage('big-noisy.png', noisy);
    const { project } = services.projects.create(photoId);
    let longestStall = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestStall = Math.max(longestStall, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const result = await engine.apply(project.id, 'denoise');
    const millis = performance.now() - started;
    clearInterval(timer);
    expect(result.steps.map((s) => s.label)).toEqual(['Local: “denoise”']);
    const megapixels = (clean.width * clean.height) / 1e6;
    figures.push(
      `denoise      ${megapixels.toFixed(1)} MP photo: ${(millis / 1000).toFixed(2)} s including decode, render and PNG encode = ${(millis / megapixels / 1000).toFixed(2)} s/MP on ${'2 cores'}; ` +
        `the main thread's longest stall ${longestStall.toFixed(0)} ms`,
    );
    // The pixel work runs on the worker: the event loop keeps turning.
    expect(longestStall).toBeLessThan(400);
    expect(millis / megapixels).toBeLessThan(10_000);
  });
});
