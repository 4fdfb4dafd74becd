/**
 * Promptroom's import as a person would run it: a fresh library opened with `openServices`, then
 * `runImport({ paths: [DIR] })`. Runs in its own process so `maxRSS` is the import's own peak.
 * Prints one JSON line.
 *
 *   node dist/node/bench/import-child.js DIR LIB
 */
import { openServices } from '../electron/services/index.js';
import { resourceFigures } from './common.js';

async function main(): Promise<void> {
  const [dir, libraryDir] = process.argv.slice(2);
  if (!dir || !libraryDir) throw new Error('usage: import-child.js DIR LIB');
  const openStarted = performance.now();
  const services = await openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
  const openMs = performance.now() - openStarted;
  const started = performance.now();
  const job = await services.runImport({ paths: [dir] });
  const elapsedMs = performance.now() - started;
  const count = services.library.count();
  services.close();
  process.stdout.write(
    `${JSON.stringify({
      state: job.state,
      imported: job.summary.imported,
      duplicates: job.summary.duplicates,
      failed: job.summary.failed,
      count,
      openMs,
      elapsedMs,
      photosPerSecond: job.summary.imported / (elapsedMs / 1000),
      ...resourceFigures(),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
