import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const REPO = path.resolve(FIXTURES, '../..');
export const CLI = path.join(REPO, 'dist/node/electron/hosts/cli.js');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** A temp folder removed after the test file. */
export function tempDir(prefix = 'promptroom-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A small JPEG with four coloured quadrants (red, green / blue, white), so orientation shows in pixels. */
export async function quadrantJpeg(options: { width?: number; height?: number; orientation?: number; seed?: number } = {}): Promise<Buffer> {
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const left = x < width / 2;
      const top = y < height / 2;
      const [r, g, b] = top ? (left ? [255, 0, 0] : [0, 255, 0]) : left ? [0, 0, 255] : [255, 255, 255];
      const i = (y * width + x) * 3;
      raw[i] = r!;
      raw[i + 1] = g!;
      raw[i + 2] = (b! + (options.seed ?? 0)) % 256;
    }
  }
  let image = sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return image.toBuffer();
}

/** A PNG of a given size in one colour; `seed` makes the bytes differ. */
export async function solidPng(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: seed % 256, g: (seed >> 8) % 256, b: 77 } } })
    .png()
    .toBuffer();
}

/**
 * A tiny PNG whose header declares 50,000 × 50,000 pixels: a decompression bomb. Only the IHDR
 * matters for the check; the data is a valid zlib stream of a few rows.
 */
export async function bombPng(): Promise<Buffer> {
  const { deflateSync, crc32 } = await import('node:zlib');
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc(4 * 50_001);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** astronaut.png (512×512): her face, as the face detector boxes it (checked in identity.test.ts). */
export const HER_FACE = { left: 160, top: 70, width: 124, height: 140 };
/** camera.png (512×512, greyscale): the cameraman's face. */
export const HIS_FACE = { left: 182, top: 112, width: 84, height: 100 };

/** astronaut.png with camera.png's face scaled over hers: the picture barely changes, the person does. */
export async function faceSwappedAstronaut(): Promise<Buffer> {
  const his = await sharp(fixture('camera.png')).extract(HIS_FACE).resize(HER_FACE.width, HER_FACE.height).toColourspace('srgb').png().toBuffer();
  return sharp(fixture('astronaut.png')).composite([{ input: his, left: HER_FACE.left, top: HER_FACE.top }]).png().toBuffer();
}
