/**
 * Export of a 24-megapixel photo with five adjustment layers and a mask, in a process of its own
 * so the peak RSS is the export's. Three modes, each printing one JSON line:
 *
 *   node dist/node/bench/export-child.js setup FILE LIB        import FILE, make the project
 *   node dist/node/bench/export-child.js export LIB PROJECT OUT   services.exportOne, JPEG q90, full size
 *   node dist/node/bench/export-child.js breakdown LIB PROJECT   exportProject's steps re-enacted and timed
 */
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import { renderStack } from '../shared/document/render.js';
import { decodeRgba, renderFull, xmpFor } from '../electron/services/export.js';
import { openServices, type Services } from '../electron/services/index.js';
import { resourceFigures } from './common.js';
import { adjustmentOps, breakdownOnce } from './render-core.js';

async function open(libraryDir: string): Promise<Services> {
  return openServices({ libraryDir, host: 'cli', version: 'bench', systemLocale: 'en' });
}

async function setup(file: string, libraryDir: string): Promise<unknown> {
  const services = await open(libraryDir);
  try {
    const job = await services.runImport({ paths: [file] });
    if (job.summary.imported !== 1) throw new Error(`import failed: ${JSON.stringify(job.summary)}`);
    const photo = services.library.list({ limit: 1 }).items[0]!;
    const state = services.projects.create(photo.id, 'bench export');
    let head = state.head;
    for (const op of adjustmentOps(photo.width, photo.height)) head = services.projects.commit(state.project.id, head, op).head;
    const { stack } = services.projects.stackAtHead(state.project.id);
    return { projectId: state.project.id, photoId: photo.id, width: photo.width, height: photo.height, layers: stack.layers.map((l) => `${l.name}${l.mask ? ' (masked)' : ''}`) };
  } finally {
    services.close();
  }
}

async function runExport(libraryDir: string, projectId: number, out: string): Promise<unknown> {
  const services = await open(libraryDir);
  try {
    const started = performance.now();
    const file = await services.exportOne({ projectId }, { format: 'jpeg', quality: 90 }, out);
    const elapsedMs = performance.now() - started;
    const { size } = await fs.stat(file);
    return { elapsedMs, outBytes: size, ...resourceFigures() };
  } finally {
    services.close();
  }
}

/** exportProject's steps, one by one: decode, each layer (mask, kernel, blend), encode, write. */
async function breakdown(libraryDir: string, projectId: number): Promise<unknown> {
  const services = await open(libraryDir);
  try {
    const { stack, steps } = services.projects.stackAtHead(projectId);
    const base = stack.layers[0]!;
    if (base.kind !== 'image') throw new Error('expected the photo at the bottom');
    const file = services.locateImage(base.sha256)!;
    let t = performance.now();
    const source = await decodeRgba(file);
    const decodeMs = performance.now() - t;
    const layers = breakdownOnce(stack, source, 1, stack.width, stack.height);
    t = performance.now();
    const { image } = renderStack(stack, (sha) => (sha === base.sha256 ? source : undefined), { scale: 1 });
    const renderMs = performance.now() - t;
    // The encode exactly as exportProject does it for JPEG q90 (4:4:4 at q >= 90, sRGB profile, EXIF, XMP).
    const photo = services.library.get(services.projects.state(projectId).project.photoId);
    t = performance.now();
    const bytes = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
      .flatten({ background: '#ffffff' })
      .withIccProfile('srgb')
      .withExif({ IFD0: { Software: 'Promptroom', Orientation: '1', ...(photo.exif.cameraMake ? { Make: photo.exif.cameraMake } : {}) } })
      .withXmp(xmpFor(steps, 'bench'))
      .jpeg({ quality: 90, mozjpeg: false, chromaSubsampling: '4:4:4' })
      .toBuffer();
    const encodeMs = performance.now() - t;
    // renderFull as exportProject calls it (decode + render), to check the parts add up.
    t = performance.now();
    await renderFull(stack, (sha) => services.locateImage(sha));
    const renderFullMs = performance.now() - t;
    return { decodeMs, layers, renderMs, encodeMs, renderFullMs, outBytes: bytes.byteLength, ...resourceFigures() };
  } finally {
    services.close();
  }
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  let result: unknown;
  if (mode === 'setup' && a && b) result = await setup(a, b);
  else if (mode === 'export' && a && b && c) result = await runExport(a, Number(b), c);
  else if (mode === 'breakdown' && a && b) result = await breakdown(a, Number(b));
  else throw new Error('usage: export-child.js setup FILE LIB | export LIB PROJECT OUT | breakdown LIB PROJECT');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
