/**
 * The session benchmark's photos: synthetic 12-megapixel JPEGs (4000 × 3000), generated once with
 * sharp and cached under os.tmpdir()/promptroom-bench-photos-12mp, reused across runs. Made like
 * photos.ts makes the 24-megapixel ones (gradient, colour waves, sensor-like noise, each cut from
 * its own offset with its own brightness and EXIF date, so no two have the same bytes).
 *
 *   node dist/node/bench/session-photos.js COUNT   → one JSON line: { dir, files, totalBytes, generated }
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { log, prng } from './common.js';

export const SESSION_PHOTO_WIDTH = 4000;
export const SESSION_PHOTO_HEIGHT = 3000;
const MARGIN = 128;
/** Bump when the generator changes so old caches are not mixed with new photos. */
const GENERATOR_VERSION = 1;

const cacheRoot = path.join(os.tmpdir(), 'promptroom-bench-photos-12mp', `v${GENERATOR_VERSION}`);
const originalsDir = path.join(cacheRoot, 'all');

function photoName(index: number): string {
  return `IMG_${String(index + 1).padStart(4, '0')}.jpg`;
}

/** Makes sure the first `count` photos exist; returns a folder holding exactly those (hard links). */
export async function ensureSessionPhotos(count: number): Promise<{ dir: string; files: string[]; totalBytes: number; generated: number }> {
  await fs.mkdir(originalsDir, { recursive: true });
  const missing: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!(await exists(path.join(originalsDir, photoName(i))))) missing.push(i);
  }
  if (missing.length > 0) await generate(missing);
  const dir = path.join(cacheRoot, `set-${count}`);
  const wanted = new Set(Array.from({ length: count }, (_, i) => photoName(i)));
  await fs.mkdir(dir, { recursive: true });
  for (const name of await fs.readdir(dir)) {
    if (!wanted.has(name)) await fs.rm(path.join(dir, name), { force: true, recursive: true });
  }
  const files: string[] = [];
  let totalBytes = 0;
  for (const name of wanted) {
    const source = path.join(originalsDir, name);
    const target = path.join(dir, name);
    const [a, b] = await Promise.all([fs.stat(source), fs.stat(target).catch(() => null)]);
    if (!b || b.ino !== a.ino) {
      await fs.rm(target, { force: true });
      await fs.link(source, target).catch(() => fs.copyFile(source, target));
    }
    files.push(target);
    totalBytes += a.size;
  }
  return { dir, files, totalBytes, generated: missing.length };
}

async function generate(indices: number[]): Promise<void> {
  log(`generating ${indices.length} synthetic ${SESSION_PHOTO_WIDTH}×${SESSION_PHOTO_HEIGHT} JPEGs into ${originalsDir} (once; cached for later runs)…`);
  const started = performance.now();
  const base = baseImage();
  let next = 0;
  const worker = async () => {
    while (next < indices.length) await writePhoto(base, indices[next++]!);
  };
  await Promise.all([worker(), worker()]);
  log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function baseImage(): { data: Buffer; width: number; height: number } {
  const width = SESSION_PHOTO_WIDTH + MARGIN;
  const height = SESSION_PHOTO_HEIGHT + MARGIN;
  const data = Buffer.allocUnsafe(width * height * 3);
  const random = prng(0x12e9);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let y = 0; y < height; y++) {
    const wy = 20 * Math.cos(y / 90);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const g = (x / width) * 180 + (y / height) * 60;
      const noise = (random() - 0.5) * 24;
      data[i] = clamp(g + noise + 20 * Math.sin(x / 150));
      data[i + 1] = clamp(200 - g * 0.6 + noise + wy);
      data[i + 2] = clamp(90 + g * 0.3 + noise);
    }
  }
  return { data, width, height };
}

async function writePhoto(base: { data: Buffer; width: number; height: number }, index: number): Promise<void> {
  const left = (index * 37) % MARGIN;
  const top = (index * 59) % MARGIN;
  const gain = 0.9 + ((index * 7) % 21) / 100;
  const day = new Date(Date.UTC(2023, 5, 1) + index * 3_600_000 * 5);
  const exifDate = day.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
  const jpeg = await sharp(base.data, { raw: { width: base.width, height: base.height, channels: 3 } })
    .extract({ left, top, width: SESSION_PHOTO_WIDTH, height: SESSION_PHOTO_HEIGHT })
    .linear(gain, (index % 9) - 4)
    .withExif({ IFD0: { Make: 'Promptroom', Model: 'Bench 12MP', DateTime: exifDate }, IFD2: { DateTimeOriginal: exifDate } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const file = path.join(originalsDir, photoName(index));
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, jpeg);
  await fs.rename(tmp, file);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

// Run as a child: generate (or find) COUNT photos, print the folder as JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureSessionPhotos(Number(process.argv[2]))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
