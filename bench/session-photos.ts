/**
 * The session benchmark's photos: 12-megapixel JPEGs (4000 × 3000) for throughput, and small
 * ones (1024 × 768, 0.8 MP) for the long session whose memory is watched, made and cached like the
 * 24-megapixel ones of photos.ts.
 *
 *   node dist/node/bench/session-photos.js COUNT [small]   → one JSON line: { dir, files, totalBytes, generated }
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePhotos, PHOTOS_12MP, type PhotoKind } from './photos.js';

export const SESSION_PHOTO_WIDTH = PHOTOS_12MP.width;
export const SESSION_PHOTO_HEIGHT = PHOTOS_12MP.height;

/** Small photos for the 500-photo session (memory over time, not throughput). */
export const PHOTOS_SMALL: PhotoKind = {
  width: 1024,
  height: 768,
  cacheRoot: path.join(os.tmpdir(), 'promptroom-bench-photos-small', 'v1-1024x768'),
  model: 'Bench 0.8MP',
  firstDay: Date.UTC(2022, 2, 1),
  hoursApart: 3,
};

/** Makes sure the first `count` photos exist; returns a folder holding exactly those (hard links). */
export function ensureSessionPhotos(count: number, kind: PhotoKind = PHOTOS_12MP): ReturnType<typeof ensurePhotos> {
  return ensurePhotos(count, kind);
}

// Run as a child: generate (or find) COUNT photos, print the folder as JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureSessionPhotos(Number(process.argv[2]), process.argv[3] === 'small' ? PHOTOS_SMALL : PHOTOS_12MP)
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
