/**
 * The benchmark's photos: synthetic JPEGs (24 MP, 6000 × 4000, for import and export; 12 MP for
 * sessions) generated once with sharp and cached under os.tmpdir(), reused across runs. Each is a gradient with
 * colour waves and sensor-like noise, so the JPEGs are about as large as a camera's (~6–7 MB at
 * quality 90), and each is cut from a different offset with its own brightness and EXIF date, so
 * no two have the same bytes.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { log, prng } from './common.js';

export const PHOTO_WIDTH = 6000;
export const PHOTO_HEIGHT = 4000;
const MARGIN = 128;
/** Bump when the generator changes so old caches are not mixed with new photos. */
const GENERATOR_VERSION = 1;

/** A kind of bench photo: its size, where its cache lives, and what its EXIF says. */
export interface PhotoKind {
  width: number;
  height: number;
  cacheRoot: string;
  model: string;
  firstDay: number;
  hoursApart: number;
}

export const PHOTOS_24MP: PhotoKind = {
  width: PHOTO_WIDTH,
  height: PHOTO_HEIGHT,
  cacheRoot: path.join(os.tmpdir(), 'promptroom-bench-photos', `v${GENERATOR_VERSION}`),
  model: 'Bench 24MP',
  firstDay: Date.UTC(2024, 0, 1),
  hoursApart: 7,
};

export const PHOTOS_12MP: PhotoKind = {
  width: 4000,
  height: 3000,
  cacheRoot: path.join(os.tmpdir(), 'promptroom-bench-photos-12mp', `v${GENERATOR_VERSION}`),
  model: 'Bench 12MP',
  firstDay: Date.UTC(2023, 5, 1),
  hoursApart: 5,
};

export function photoName(index: number): string {
  return `IMG_${String(index + 1).padStart(4, '0')}.jpg`;
}

/**
 * Makes sure the first `count` photos exist and returns a folder holding exactly those (hard
 * links into the cache), so a folder import picks up `count` photos and nothing else.
 */
export async function ensurePhotos(
  count: number,
  kind: PhotoKind = PHOTOS_24MP,
): Promise<{ dir: string; files: string[]; totalBytes: number; generated: number }> {
  const originalsDir = path.join(kind.cacheRoot, 'all');
  await fs.mkdir(originalsDir, { recursive: true });
  const missing: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!(await exists(path.join(originalsDir, photoName(i))))) missing.push(i);
  }
  if (missing.length > 0) await generate(missing, kind, originalsDir);

  const dir = path.join(kind.cacheRoot, `set-${count}`);
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

async function generate(indices: number[], kind: PhotoKind, originalsDir: string): Promise<void> {
  log(`generating ${indices.length} synthetic ${kind.width}×${kind.height} JPEGs into ${originalsDir} (once; cached for later runs)…`);
  const started = performance.now();
  const base = baseImage(kind);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < indices.length) {
      const index = indices[next++]!;
      await writePhoto(base, index, kind, originalsDir);
      done++;
      if (done % 20 === 0 || done === indices.length) log(`  generated ${done}/${indices.length}`);
    }
  };
  await Promise.all([worker(), worker()]);
  log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** A (width+128) × (height+128) RGB image: gradients, colour waves and noise of ±12 levels. */
function baseImage(kind: PhotoKind): { data: Buffer; width: number; height: number } {
  const width = kind.width + MARGIN;
  const height = kind.height + MARGIN;
  const data = Buffer.allocUnsafe(width * height * 3);
  const random = prng(0x5eed);
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

async function writePhoto(base: { data: Buffer; width: number; height: number }, index: number, kind: PhotoKind, originalsDir: string): Promise<void> {
  const left = (index * 37) % MARGIN;
  const top = (index * 59) % MARGIN;
  const gain = 0.9 + ((index * 7) % 21) / 100;
  const day = new Date(kind.firstDay + index * 3_600_000 * kind.hoursApart);
  const exifDate = day.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
  const jpeg = await sharp(base.data, { raw: { width: base.width, height: base.height, channels: 3 } })
    .extract({ left, top, width: kind.width, height: kind.height })
    .linear(gain, (index % 9) - 4)
    .withExif({
      IFD0: { Make: 'Promptroom', Model: kind.model, DateTime: exifDate },
      IFD2: { DateTimeOriginal: exifDate },
    })
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
