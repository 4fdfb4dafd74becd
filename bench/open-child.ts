/**
 * Opening a library: start Node, load the services, open the library and list the first page
 * of 200, then exit. With `--noop` it exits straight away (Node's own start-up, the floor).
 * Prints one JSON line with where the time went (ms since the process started).
 *
 *   node dist/node/bench/open-child.js LIB [--noop]
 */
const atStart = performance.now();
const [libraryDir, flag] = process.argv.slice(2);
if (flag === '--noop') process.exit(0);

async function main(): Promise<void> {
  if (!libraryDir) throw new Error('usage: open-child.js LIB [--noop]');
  const { openServices } = await import('../electron/services/index.js');
  const loaded = performance.now();
  const services = await openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
  const opened = performance.now();
  const page = services.library.list({ limit: 200 });
  const listed = performance.now();
  services.close();
  process.stdout.write(
    `${JSON.stringify({ atStart, loaded, opened, listed, total: page.total, items: page.items.length })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
