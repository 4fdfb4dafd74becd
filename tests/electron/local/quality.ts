/**
 * Image-quality helpers for the local engine's tests: the degradations and PSNR/SSIM, which live in
 * bench/quality so the restoration bench measures with the same code, and the built worker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../../support/fixtures.js';

export * from '../../../bench/quality/degradations.js';
export { psnr, ssim } from '../../../bench/quality/measures.js';

const SOURCES = ['shared', 'electron/services'];

/**
 * The local engine's worker runs the compiled JavaScript in dist/node. Builds it (tsc, the
 * build:node script) when it is missing or older than a source it runs.
 */
export function ensureWorkerBuilt(): string {
  const worker = path.join(REPO, 'dist/node/electron/services/local/worker.js');
  const newest = (dir: string): number => {
    let latest = 0;
    const full = path.join(REPO, dir);
    if (!existsSync(full)) return 0;
    for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
    return latest;
  };
  const stale = !existsSync(worker) || Math.max(...SOURCES.map(newest)) > statSync(worker).mtimeMs;
  if (stale) spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.node.json')], { stdio: 'inherit' });
  if (!existsSync(worker)) throw new Error(`The local engine's worker was not built: ${worker}`);
  return worker;
}
