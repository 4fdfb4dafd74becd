/**
 * The baseline: sharp alone making the same preview and thumbnail from the same files, with the
 * importer's own `makeThumbnails` and the importer's concurrency (two workers). Nothing is
 * hashed, parsed for EXIF or written. Prints one JSON line.
 *
 *   node dist/node/bench/baseline-child.js DIR
 */
import { promises as fs } from 'node:fs';
import { expandPaths, makeThumbnails } from '../electron/services/importer.js';
import { DEFAULT_PIXEL_LIMIT, resourceFigures } from './common.js';

const CONCURRENCY = 2;

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: baseline-child.js DIR');
  const started = performance.now();
  const { sources } = await expandPaths([dir]);
  let next = 0;
  let previewBytes = 0;
  let thumbBytes = 0;
  const worker = async () => {
    while (next < sources.length) {
      const source = sources[next++]!;
      const bytes = await fs.readFile(source.file);
      const { preview, thumb } = await makeThumbnails(bytes, DEFAULT_PIXEL_LIMIT);
      previewBytes += preview.length;
      thumbBytes += thumb.length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const elapsedMs = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({
      count: sources.length,
      elapsedMs,
      photosPerSecond: sources.length / (elapsedMs / 1000),
      ...resourceFigures(),
      previewBytes,
      thumbBytes,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
