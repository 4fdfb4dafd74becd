import { promises as fs, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../../../electron/services/assets.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { bombPng, fixture, quadrantJpeg, solidPng, tempDir } from '../../support/fixtures.js';

const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'];

async function open(dir: string): Promise<Services> {
  return openServices({ libraryDir: dir, host: 'cli', version: 'test', systemLocale: 'en-US' });
}

describe('importing photos into a library', () => {
  const tmp = tempDir();
  const inbox = path.join(tmp.dir, 'inbox with spaces 照片 📷');
  let services: Services;

  beforeAll(async () => {
    await fs.mkdir(path.join(inbox, 'nested'), { recursive: true });
    for (const name of PHOTOS) await fs.copyFile(fixture(name), path.join(inbox, name));
    await fs.copyFile(fixture('truncated.jpg'), path.join(inbox, 'truncated.jpg'));
    await fs.writeFile(path.join(inbox, 'empty.jpg'), '');
    await fs.writeFile(path.join(inbox, 'notes.jpg'), 'this is a text file, not a photo\n');
    await fs.writeFile(path.join(inbox, 'bomb.png'), await bombPng());
    await fs.writeFile(path.join(inbox, 'nested', '猫 copy.png'), readFileSync(fixture('chelsea.png')));
    await fs.writeFile(path.join(inbox, 'nested', 'rotated.jpg'), await quadrantJpeg({ orientation: 6 }));
    await fs.symlink(path.join(tmp.dir, 'gone.jpg'), path.join(inbox, 'dangling.jpg'));
    await fs.writeFile(path.join(inbox, 'readme.txt'), 'not picked from a folder walk');
    services = await open(path.join(tmp.dir, 'library'));
  });
  afterAll(() => {
    services?.close();
    tmp.cleanup();
  });

  it('imports the photos, counts same-bytes copies as duplicates, and names every failure with a reason', async () => {
    const job = await services.runImport({ paths: [inbox] });
    expect(job.state).toBe('succeeded');
    expect(job.summary.imported).toBe(6);
    expect(job.summary.duplicates).toBe(1);
    const reasons = Object.fromEntries(job.summary.failed.map((f) => [path.basename(f.path), f.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['bomb.png', 'dangling.jpg', 'empty.jpg', 'notes.jpg', 'truncated.jpg']);
    expect(reasons['truncated.jpg']).toMatch(/damaged or incomplete/);
    expect(reasons['empty.jpg']).toMatch(/empty \(0 bytes\)/);
    expect(reasons['notes.jpg']).toMatch(/not an image/);
    expect(reasons['bomb.png']).toMatch(/50,000 × 50,000.*over the limit of 200 MP/);
    expect(reasons['dangling.jpg']).toMatch(/does not exist/);
    // Failure paths keep the unicode folder name a person will recognise.
    expect(job.summary.failed.find((f) => f.path.endsWith('truncated.jpg'))!.path).toContain('照片 📷');
  });

  it('stores each original byte for byte under its sha256 and refuses to import it twice', async () => {
    const { items } = services.library.list({ sort: 'fileName', order: 'asc' });
    for (const name of PHOTOS) {
      const bytes = readFileSync(fixture(name));
      const sha = sha256Of(bytes);
      const photo = items.find((p) => p.sha256 === sha);
      expect(photo, name).toBeDefined();
      expect(readFileSync(services.assets.originalPath(sha)).equals(bytes)).toBe(true);
    }
    const again = await services.runImport({ paths: [fixture('rocket.jpg'), fixture('chelsea.png')] });
    expect(again.summary).toEqual({ imported: 0, duplicates: 2, failed: [] });
  });

  it('reads dimensions and makes thumbnails whose pixels match the photo, orientation applied', async () => {
    const { items } = services.library.list({ search: 'rotated' });
    expect(items).toHaveLength(1);
    const rotated = items[0]!;
    // 64×48 stored with orientation 6 (rotate 90° clockwise) is a 48×64 photo.
    expect([rotated.width, rotated.height]).toEqual([48, 64]);
    const thumb = await sharp(services.assets.thumbPath(rotated.sha256, 'thumb')).raw().toBuffer({ resolveWithObject: true });
    expect([thumb.info.width, thumb.info.height]).toEqual([48, 64]);
    const pixel = (x: number, y: number) => [...thumb.data.subarray((y * thumb.info.width + x) * 3, (y * thumb.info.width + x) * 3 + 3)];
    // After rotating clockwise, the blue bottom-left quadrant is top-left and red is top-right.
    expect(closeTo(pixel(4, 4), [0, 0, 255])).toBe(true);
    expect(closeTo(pixel(43, 4), [255, 0, 0])).toBe(true);
    expect(closeTo(pixel(43, 59), [0, 255, 0])).toBe(true);

    const astronaut = services.library.list({ search: 'astronaut' }).items[0]!;
    const preview = await sharp(services.assets.thumbPath(astronaut.sha256, 'preview')).raw().toBuffer({ resolveWithObject: true });
    const reference = await sharp(fixture('astronaut.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([preview.info.width, preview.info.height]).toEqual([512, 512]);
    expect(meanAbsoluteDifference(preview.data, reference.data)).toBeLessThan(4);
  });

  it('reads EXIF: date taken, camera, lens, exposure and GPS', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'exif.jpg');
      const bytes = await sharp(await quadrantJpeg({ seed: 3 }))
        .withExif({
          IFD0: { Make: 'Promptroom Camera Co', Model: 'PR-1' },
          IFD2: { DateTimeOriginal: '2021:07:14 18:30:05', ISO: '400', FNumber: '28/10', ExposureTime: '1/250', LensModel: 'PR 35mm F1.8' },
          IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
        })
        .toBuffer();
      await fs.writeFile(file, bytes);
      const job = await services.runImport({ paths: [file] });
      expect(job.summary.imported).toBe(1);
      const summary = services.library.list({ search: 'exif.jpg' }).items[0]!;
      const detail = services.library.get(summary.id);
      expect(detail.takenAt).toBe('2021-07-14T18:30:05');
      expect(detail.exif.cameraMake).toBe('Promptroom Camera Co');
      expect(detail.exif.cameraModel).toBe('PR-1');
      expect(detail.exif.lens).toBe('PR 35mm F1.8');
      expect(detail.exif.fNumber).toBeCloseTo(2.8);
      expect(detail.exif.exposureTime).toBeCloseTo(1 / 250);
      expect(detail.exif.gpsLatitude).toBeCloseTo(48 + 51 / 60 + 24 / 3600, 4);
      expect(detail.exif.gpsLongitude).toBeCloseTo(2 + 21 / 60 + 3 / 3600, 4);
    } finally {
      cleanup();
    }
  });

  it('takes only photos from a folder of 10,000 mixed files and leaves no half-written files behind', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const mixed = path.join(dir, 'mixed');
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 10_000; i++) {
        const sub = path.join(mixed, `d${i % 20}`);
        if (i < 20) await fs.mkdir(sub, { recursive: true });
        if (i % 200 === 0) writes.push(solidPng(8, 8, i + 1).then((png) => fs.writeFile(path.join(sub, `p${i}.png`), png)));
        else writes.push(fs.writeFile(path.join(sub, `f${i}.${['txt', 'xmp', 'json', 'mov'][i % 4]}`), `file ${i}`));
      }
      await Promise.all(writes);
      const job = await services.runImport({ paths: [mixed] });
      expect(job.summary).toEqual({ imported: 50, duplicates: 0, failed: [] });
      expect(job.total).toBe(50);
      expect(await fs.readdir(services.assets.tmpDir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('refuses a library written by a newer Promptroom without touching it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = await open(dir);
      first.close();
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(path.join(dir, 'library.sqlite3'));
      db.pragma('user_version = 99');
      db.close();
      const before = readFileSync(path.join(dir, 'library.sqlite3'));
      await expect(open(dir)).rejects.toThrow(/newer version of Promptroom/);
      expect(readFileSync(path.join(dir, 'library.sqlite3')).equals(before)).toBe(true);
      expect(existsSync(path.join(dir, 'library.sqlite3'))).toBe(true);
    } finally {
      cleanup();
    }
  });
});

function closeTo(actual: number[], expected: number[], tolerance = 40): boolean {
  return actual.every((value, i) => Math.abs(value - expected[i]!) <= tolerance);
}

function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
