/**
 * The session benchmark's photos: 12-megapixel JPEGs (4000 × 3000) made and cached like the
 * 24-megapixel ones of photos.ts.
 *
 *   node dist/node/bench/session-photos.js COUNT   → one JSON line: { dir, files, totalBytes, generated }
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePhotos, PHOTOS_12MP } from './photos.js';

export const SESSION_PHOTO_WIDTH = PHOTOS_12MP.width;
export const SESSION_PHOTO_HEIGHT = PHOTOS_12MP.height;

/** Makes sure the first `count` photos exist; returns a folder holding exactly those (hard links). */
export function ensureSessionPhotos(count: number): ReturnType<typeof ensurePhotos> {
  return ensurePhotos(count, PHOTOS_12MP);
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
