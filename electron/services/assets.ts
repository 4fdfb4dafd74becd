import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type ImageSize = 'thumb' | 'preview';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The content-addressed store under a library folder. Originals are kept byte for byte under
 * their sha256; derived images (thumbnails) sit beside them. Every write goes to a temp file
 * that is flushed and renamed, so a crash leaves either nothing or a whole file.
 */
export class AssetStore {
  readonly originalsDir: string;
  readonly thumbsDir: string;
  readonly tmpDir: string;
  readonly stagingDir: string;
  readonly storedDir: string;

  constructor(readonly root: string) {
    this.storedDir = path.join(root, 'stored');
    this.originalsDir = path.join(root, 'originals');
    this.thumbsDir = path.join(root, 'thumbs');
    this.tmpDir = path.join(root, 'tmp');
    this.stagingDir = path.join(root, 'staging');
  }

  async init(): Promise<void> {
    await Promise.all([this.originalsDir, this.thumbsDir, this.tmpDir, this.stagingDir, this.storedDir].map((dir) => fs.mkdir(dir, { recursive: true })));
    // Leftovers of writes interrupted by a crash: never referenced by a row, safe to drop.
    for (const name of await fs.readdir(this.tmpDir)) await fs.rm(path.join(this.tmpDir, name), { force: true, recursive: true });
  }

  originalPath(sha256: string): string {
    assertSha(sha256);
    return path.join(this.originalsDir, sha256.slice(0, 2), sha256);
  }

  /** AI outputs and other stored images that are not library photos (always PNG). */
  storedPath(sha256: string): string {
    assertSha(sha256);
    return path.join(this.storedDir, sha256.slice(0, 2), `${sha256}.png`);
  }

  thumbPath(sha256: string, size: ImageSize): string {
    assertSha(sha256);
    return path.join(this.thumbsDir, sha256.slice(0, 2), `${sha256}-${size}.webp`);
  }

  stagedPath(stagedId: string): string {
    if (!/^[0-9a-f]{32}$/.test(stagedId)) throw new Error('Invalid staged id.');
    return path.join(this.stagingDir, stagedId);
  }

  newStagedId(): string {
    return randomBytes(16).toString('hex');
  }

  /** Writes bytes to `dest` atomically (temp file, fsync, rename). Existing files are kept. */
  async writeAtomic(dest: string, data: Uint8Array): Promise<void> {
    if (await exists(dest)) return;
    await fs.mkdir(path.dirname(dest), { recursive: true });
    const tmp = path.join(this.tmpDir, `${path.basename(dest)}.${randomBytes(6).toString('hex')}`);
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, dest);
  }

  /** Files in the store that no row refers to and that are older than `minAgeMs`. */
  async *strayOriginals(isKnown: (sha256: string) => boolean, minAgeMs: number): AsyncGenerator<string> {
    const cutoff = Date.now() - minAgeMs;
    for (const prefix of await readdirSafe(this.originalsDir)) {
      const dir = path.join(this.originalsDir, prefix);
      for (const name of await readdirSafe(dir)) {
        if (!SHA256.test(name) || isKnown(name)) continue;
        const stat = await fs.stat(path.join(dir, name)).catch(() => null);
        if (stat && stat.mtimeMs < cutoff) yield name;
      }
    }
  }

  async removeAll(sha256: string): Promise<void> {
    await Promise.all([
      fs.rm(this.originalPath(sha256), { force: true }),
      fs.rm(this.thumbPath(sha256, 'thumb'), { force: true }),
      fs.rm(this.thumbPath(sha256, 'preview'), { force: true }),
    ]);
  }
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

function assertSha(value: string): void {
  if (!SHA256.test(value)) throw new Error('Not a sha256.');
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function readdirSafe(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => []);
}
