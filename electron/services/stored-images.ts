import sharp from 'sharp';
import { sha256Of, type AssetStore } from './assets.js';
import type { Db } from './library/database.js';

export type StoredImageKind = 'ai-output' | 'mask' | 'local-output';

/**
 * Images that are not library photos (AI outputs, masks), stored once by content hash. The file is
 * written before the row, so a row never points at a missing file.
 */
export class StoredImages {
  constructor(
    private readonly db: Db,
    private readonly assets: AssetStore,
  ) {}

  /** Encodes RGBA pixels as PNG and stores them; returns the hash. */
  async putRgba(pixels: { width: number; height: number; data: Uint8ClampedArray }, kind: StoredImageKind): Promise<string> {
    const png = await sharp(Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength), {
      raw: { width: pixels.width, height: pixels.height, channels: 4 },
    })
      .png({ compressionLevel: 6 })
      .toBuffer();
    return this.putPng(png, pixels.width, pixels.height, kind);
  }

  async putPng(png: Uint8Array, width: number, height: number, kind: StoredImageKind): Promise<string> {
    const sha256 = sha256Of(png);
    await this.assets.writeAtomic(this.assets.storedPath(sha256), png);
    this.db
      .prepare('INSERT OR IGNORE INTO stored_images (sha256, kind, format, width, height, byte_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(sha256, kind, 'png', width, height, png.byteLength, new Date().toISOString());
    return sha256;
  }

  has(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM stored_images WHERE sha256 = ?').get(sha256) !== undefined;
  }

  size(sha256: string): { width: number; height: number } | null {
    return (this.db.prepare('SELECT width, height FROM stored_images WHERE sha256 = ?').get(sha256) as { width: number; height: number } | undefined) ?? null;
  }

  /** Stored images no project refers to any more and no cache entry keeps; removed rows first, then files. */
  async collectUnreferenced(): Promise<string[]> {
    const orphans = this.db
      .prepare(
        `SELECT s.sha256 FROM stored_images s
         WHERE NOT EXISTS (SELECT 1 FROM project_assets pa WHERE pa.sha256 = s.sha256)
           AND NOT EXISTS (SELECT 1 FROM edit_cache c WHERE instr(c.outputs_json, s.sha256) > 0)
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.state IN ('queued', 'running', 'waiting-network') AND instr(j.request_json, s.sha256) > 0)`,
      )
      .pluck()
      .all() as string[];
    this.db.transaction(() => {
      for (const sha of orphans) this.db.prepare('DELETE FROM stored_images WHERE sha256 = ?').run(sha);
    })();
    const { rm } = await import('node:fs/promises');
    for (const sha of orphans) await rm(this.assets.storedPath(sha), { force: true });
    return orphans;
  }
}
