/**
 * Diagnostic (BENCH_BREAKDOWN=1): the importer's steps for one photo, done in the same order with
 * the same calls and the same concurrency (two workers), each step timed. It mirrors
 * importer.ts's importOne (which is not exported), so it shows where an import's time goes beyond
 * the thumbnails. Prints one JSON line: total ms per step over all photos, and the elapsed time.
 *
 *   node dist/node/bench/breakdown-child.js DIR LIB
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AssetStore, sha256Of } from '../electron/services/assets.js';
import { expandPaths, makeThumbnails, photoRow, readExif } from '../electron/services/importer.js';
import { openDatabase } from '../electron/services/library/database.js';
import { Library } from '../electron/services/library/library.js';
import { DEFAULT_PIXEL_LIMIT, resourceFigures } from './common.js';

const CONCURRENCY = 2;

async function main(): Promise<void> {
  const [dir, libraryDir] = process.argv.slice(2);
  if (!dir || !libraryDir) throw new Error('usage: breakdown-child.js DIR LIB');
  await fs.mkdir(libraryDir, { recursive: true });
  const library = new Library(openDatabase(path.join(libraryDir, 'library.sqlite3')));
  const assets = new AssetStore(libraryDir);
  await assets.init();
  const steps: Record<string, number> = {};
  const timed = async <T>(step: string, run: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      steps[step] = (steps[step] ?? 0) + performance.now() - started;
    }
  };

  const started = performance.now();
  const { sources } = await expandPaths([dir]);
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const source = sources[next++]!;
      const stat = await timed('stat', () => fs.stat(source.file));
      const bytes = await timed('read file', () => fs.readFile(source.file));
      const sha256 = await timed('sha256 (main thread)', () => sha256Of(bytes));
      await timed('hasSha', () => library.hasSha(sha256));
      const metadata = await timed('sharp metadata', () => sharp(bytes, { limitInputPixels: false }).metadata());
      const { preview, thumb } = await timed('makeThumbnails', () => makeThumbnails(bytes, DEFAULT_PIXEL_LIMIT));
      const exif = await timed('readExif', () => readExif(bytes));
      await timed('write original (fsync)', () => assets.writeAtomic(assets.originalPath(sha256), bytes));
      await timed('write preview (fsync)', () => assets.writeAtomic(assets.thumbPath(sha256, 'preview'), preview));
      await timed('write thumb (fsync)', () => assets.writeAtomic(assets.thumbPath(sha256, 'thumb'), thumb));
      await timed('insertPhoto', () => library.insertPhoto(photoRow(sha256, source, stat.size, metadata, exif)));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const elapsedMs = performance.now() - started;
  library.db.close();
  process.stdout.write(
    `${JSON.stringify({
      count: sources.length,
      elapsedMs,
      photosPerSecond: sources.length / (elapsedMs / 1000),
      steps,
      ...resourceFigures(),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
