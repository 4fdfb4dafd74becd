/**
 * The export's baseline: sharp alone decoding the same 24-megapixel JPEG and encoding JPEG q90,
 * `sharp(file).rotate().jpeg({ quality: 90 }).toBuffer()`. With `444` it encodes with 4:4:4
 * chroma as Promptroom's export does at quality ≥ 90 (sharp's default is 4:2:0). Prints one JSON line.
 *
 *   node dist/node/bench/export-baseline-child.js FILE [444]
 */
import sharp from 'sharp';
import { resourceFigures } from './common.js';

async function main(): Promise<void> {
  const [file, variant] = process.argv.slice(2);
  if (!file) throw new Error('usage: export-baseline-child.js FILE [444]');
  const started = performance.now();
  const bytes = await sharp(file)
    .rotate()
    .jpeg({ quality: 90, ...(variant === '444' ? { chromaSubsampling: '4:4:4' } : {}) })
    .toBuffer();
  const elapsedMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ elapsedMs, outBytes: bytes.byteLength, ...resourceFigures() })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
