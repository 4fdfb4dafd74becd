import path from 'node:path';

/**
 * The library folder: `--library DIR` (or `--library=DIR`) on the command line, else the
 * PROMPTROOM_LIBRARY environment variable, else `<userData>/library`. `scripts/start.mjs` passes
 * `--library` so the Electron and browser hosts open the same library.
 */
export function libraryDirFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  userDataDir: string,
): string {
  const fromArgs = optionValue(argv, '--library');
  if (fromArgs) return path.resolve(fromArgs);
  const fromEnv = env['PROMPTROOM_LIBRARY'];
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(userDataDir, 'library');
}

function optionValue(argv: readonly string[], option: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === option) return argv[i + 1];
    if (arg?.startsWith(`${option}=`)) return arg.slice(option.length + 1);
  }
  return undefined;
}
