import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../../../electron/services/assets.js';
import { CLI, fixture, tempDir } from '../../support/fixtures.js';

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the promptroom command line', () => {
  const tmp = tempDir();
  const library = path.join(tmp.dir, 'lib');
  afterAll(() => tmp.cleanup());

  it('imports files and folders and prints the summary as JSON', () => {
    const run = cli('import', fixture('rocket.jpg'), fixture('truncated.jpg'), path.dirname(fixture('rocket.jpg')), '--library', library, '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { imported: number; duplicates: number; failed: { path: string; reason: string }[] };
    expect(summary.imported).toBe(5);
    expect(summary.duplicates).toBe(1);
    expect(summary.failed.map((f) => path.basename(f.path))).toEqual(['truncated.jpg', 'truncated.jpg']);
    expect(summary.failed[0]!.reason).toMatch(/damaged or incomplete/);
  });

  it('lists the photos as JSON, and searches them', () => {
    const all = JSON.parse(cli('list', '--library', library, '--json').stdout) as Record<string, unknown>[];
    expect(all).toHaveLength(5);
    for (const photo of all) expect(Object.keys(photo)).toEqual(expect.arrayContaining(['id', 'sha256', 'fileName', 'width', 'height', 'takenAt']));
    const rocket = all.find((p) => p.fileName === 'rocket.jpg')!;
    expect(rocket.sha256).toBe(sha256Of(readFileSync(fixture('rocket.jpg'))));
    expect([rocket.width, rocket.height]).toEqual([640, 427]);
    const found = JSON.parse(cli('list', '--library', library, '--json', '--search', 'astro').stdout) as { fileName: string }[];
    expect(found.map((p) => p.fileName)).toEqual(['astronaut.png']);
    expect(cli('list', '--library', library).stdout).toMatch(/5 photos/);
  });

  it('says what is wrong with bad arguments and exits non-zero', () => {
    const missing = cli('import', fixture('rocket.jpg'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--library DIR is required/);
    const unknown = cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command “frobnicate”/);
    const badFlag = cli('list', '--library', library, '--port', '3');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/does not take --port/);
    const nothing = cli('import', '--library', library);
    expect(nothing.code).toBe(2);
    const badPort = cli('serve', '--library', library, '--port', 'abc');
    expect(badPort.stderr).toMatch(/--port must be a number/);
  });
});

describe('a crash during import', () => {
  const tmp = tempDir();
  const photos = path.join(tmp.dir, 'photos');
  const library = path.join(tmp.dir, 'lib');
  const COUNT = 240;

  beforeAll(async () => {
    await fs.mkdir(photos);
    const noise = Buffer.alloc(640 * 480 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    for (let i = 0; i < COUNT; i++) {
      // A 32-row band in a colour of its own, so every file has different bytes after JPEG quantisation.
      noise.fill(i % 256, 0, 640 * 32 * 3);
      noise.fill((i * 37) % 256, 640 * 32 * 3, 640 * 64 * 3);
      await sharp(noise, { raw: { width: 640, height: 480, channels: 3 } })
        .jpeg({ quality: 90 })
        .toFile(path.join(photos, `photo ${String(i).padStart(3, '0')}.jpg`));
    }
  }, 120_000);
  afterAll(() => tmp.cleanup());

  /** Rows committed so far, read while the importer runs (0 until its schema exists). */
  async function rowsSoFar(): Promise<number> {
    if (!existsSync(path.join(library, 'library.sqlite3'))) return 0;
    try {
      const db = new Database(path.join(library, 'library.sqlite3'), { readonly: true, fileMustExist: true });
      try {
        return Number(db.prepare('SELECT count(*) FROM photos').pluck().get());
      } finally {
        db.close();
      }
    } catch {
      return 0;
    }
  }

  /** Every row points at a complete original whose bytes hash to its name, with both thumbnails. */
  async function checkConsistency(): Promise<number> {
    const db = new Database(path.join(library, 'library.sqlite3'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT id, sha256 FROM photos').all() as { id: number; sha256: string }[];
      expect(db.prepare('SELECT count(*) FROM photo_search').pluck().get()).toBe(rows.length);
      for (const row of rows) {
        const original = path.join(library, 'originals', row.sha256.slice(0, 2), row.sha256);
        expect(sha256Of(readFileSync(original))).toBe(row.sha256);
        for (const size of ['thumb', 'preview']) {
          const meta = await sharp(path.join(library, 'thumbs', row.sha256.slice(0, 2), `${row.sha256}-${size}.webp`)).metadata();
          expect(meta.width).toBeGreaterThan(0);
        }
      }
      return rows.length;
    } finally {
      db.close();
    }
  }

  it('leaves the library consistent after SIGKILL, and a second import finishes the job', async () => {
    for (const delay of [700, 1500]) {
      const child = spawn(process.execPath, [CLI, 'import', photos, '--library', library, '--json'], { stdio: 'ignore' });
      // Kill once rows are being written (or after the delay, whichever is later): on a loaded
      // machine the process may take longer than the delay just to reach its first row.
      const before = existsSync(path.join(library, 'library.sqlite3')) ? await rowsSoFar() : 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      for (let i = 0; i < 600 && (await rowsSoFar()) <= before; i++) await new Promise((r) => setTimeout(r, 50));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const count = await checkConsistency();
      expect(count).toBeLessThan(COUNT);
    }
    const partial = await checkConsistency();
    expect(partial).toBeGreaterThan(0);
    const rerun = cli('import', photos, '--library', library, '--json');
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as { imported: number; duplicates: number; failed: unknown[] };
    expect(summary.failed).toEqual([]);
    expect(summary.duplicates).toBe(partial);
    expect(summary.imported + summary.duplicates).toBe(COUNT);
    expect(await checkConsistency()).toBe(COUNT);
  }, 180_000);
});
