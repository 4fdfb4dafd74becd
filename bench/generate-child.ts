/**
 * Generates (or finds cached) the benchmark's photos in a process of its own, so the parent's
 * memory stays small (a child's ru_maxrss on Linux starts from the parent's RSS at fork).
 * Prints one JSON line: the folder holding exactly COUNT photos.
 *
 *   node dist/node/bench/generate-child.js COUNT
 */
import { ensurePhotos } from './photos.js';

ensurePhotos(Number(process.argv[2]))
  .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
