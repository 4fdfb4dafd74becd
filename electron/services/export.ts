import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Exif } from 'sharp';
import type { ExportOptions } from '../../shared/contract/api.js';
import { ExportOptions as ExportOptionsSchema } from '../../shared/contract/api.js';
import { UserFacingError } from '../../shared/contract/result.js';
import type { LayerStack, Step } from '../../shared/document/model.js';
import { renderStack } from '../../shared/document/render.js';
import type { RgbaImage } from '../../shared/imaging/types.js';
import type { Library } from './library/library.js';

export const EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', tiff: 'tif' } as const;

/** Decodes a stored image to RGBA at full resolution, orientation applied, in sRGB. */
export async function decodeRgba(file: string, pixelLimit: number | false = false): Promise<RgbaImage> {
  const { data, info } = await sharp(file, { limitInputPixels: pixelLimit })
    .rotate()
    .toColorspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** Where the file of a stored image (library photo or stored output) is, by hash; null if unknown. */
export type ImageLocator = (sha256: string) => string | null;

/** Renders a stack at full resolution with the shared kernels; missing images are reported as broken layers. */
export async function renderFull(stack: LayerStack, locate: ImageLocator): Promise<{ image: RgbaImage; broken: string[] }> {
  const sources = new Map<string, RgbaImage>();
  for (const layer of stack.layers) {
    if (layer.kind !== 'image' || sources.has(layer.sha256)) continue;
    const file = locate(layer.sha256);
    if (!file) continue;
    try {
      sources.set(layer.sha256, await decodeRgba(file));
    } catch {
      // A missing or unreadable original: the layer renders as broken, the rest still renders.
    }
  }
  return renderStack(stack, (sha) => sources.get(sha), { scale: 1 });
}

export interface ExportRequest {
  stack: LayerStack;
  steps: Step[];
  /** The photo whose EXIF is carried over. */
  photoId: number;
  name: string;
  options: ExportOptions;
  folder: string;
  /** A full path to write, instead of a name chosen in `folder`. */
  file?: string;
  version: string;
}

/** Encodes a rendered project and writes it atomically; returns the file written. */
export async function exportProject(request: ExportRequest, library: Library, locate: ImageLocator): Promise<string> {
  const options = ExportOptionsSchema.parse(request.options);
  const { image } = await renderFull(request.stack, locate);
  let pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  });
  if (options.maxEdge && Math.max(image.width, image.height) > options.maxEdge) {
    pipeline = pipeline.resize(options.maxEdge, options.maxEdge, { fit: 'inside', kernel: 'lanczos3' });
  }
  if (options.sharpen > 0) pipeline = pipeline.sharpen({ sigma: 0.5 + options.sharpen / 50 });
  if (options.format === 'jpeg') pipeline = pipeline.flatten({ background: '#ffffff' });
  pipeline = pipeline.withIccProfile('srgb');
  if (options.keepExif) pipeline = pipeline.withExif(exifFor(library, request.photoId, options.stripGps));
  if (options.writeXmp) pipeline = pipeline.withXmp(xmpFor(request.steps, request.version));
  switch (options.format) {
    case 'jpeg':
      pipeline = pipeline.jpeg({ quality: options.quality, mozjpeg: false, chromaSubsampling: options.quality >= 90 ? '4:4:4' : '4:2:0' });
      break;
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 6 });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality: options.quality });
      break;
    case 'tiff':
      pipeline = pipeline.tiff({ compression: 'lzw' });
      break;
  }
  const bytes = await pipeline.toBuffer();
  const target = request.file ?? (await uniqueName(request.folder, `${safeName(request.name)}.${EXTENSIONS[options.format]}`));
  await writeAtomically(target, bytes);
  return target;
}

/** Temp file beside the target, flushed, then renamed: a failed export leaves nothing half-written. */
export async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UserFacingError('invalid-argument', `Promptroom can't write to ${dir}: ${describeWriteError(error)}`);
  }
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw new UserFacingError('invalid-argument', `Promptroom can't write ${target}: ${describeWriteError(error)}`);
  }
}

function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied.';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'part of the path is a file, not a folder.';
    case 'ENOSPC':
      return 'the disk is full.';
    case 'EROFS':
      return 'the disk is read-only.';
    case 'EISDIR':
      return 'that is a folder.';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** A file name any desktop accepts: no path separators, reserved characters or control characters. */
function safeName(name: string): string {
  const cleaned = [...name].map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '_' : c)).join('');
  return cleaned.trim().slice(0, 150) || 'export';
}

async function uniqueName(folder: string, fileName: string): Promise<string> {
  const ext = path.extname(fileName);
  const base = fileName.slice(0, -ext.length);
  for (let n = 1; ; n++) {
    const candidate = path.join(folder, n === 1 ? fileName : `${base} (${n})${ext}`);
    const taken = await fs.access(candidate).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
}

/** The source photo's EXIF that still holds after editing; orientation is applied, so it is 1. */
function exifFor(library: Library, photoId: number, stripGps: boolean): Exif {
  const photo = library.get(photoId);
  const ifd0: Record<string, string> = { Software: 'Promptroom', Orientation: '1' };
  if (photo.exif.cameraMake) ifd0.Make = photo.exif.cameraMake;
  if (photo.exif.cameraModel) ifd0.Model = photo.exif.cameraModel;
  const ifd2: Record<string, string> = {};
  if (photo.takenAt) ifd2.DateTimeOriginal = photo.takenAt.replace(/-/g, ':').replace('T', ' ').slice(0, 19);
  if (photo.exif.lens) ifd2.LensModel = photo.exif.lens;
  if (photo.exif.iso) ifd2.ISOSpeedRatings = String(Math.round(photo.exif.iso));
  if (photo.exif.fNumber) ifd2.FNumber = rational(photo.exif.fNumber);
  if (photo.exif.exposureTime) ifd2.ExposureTime = rational(photo.exif.exposureTime);
  if (photo.exif.focalLength) ifd2.FocalLength = rational(photo.exif.focalLength);
  const exif: Exif = { IFD0: ifd0, IFD2: ifd2 };
  if (!stripGps && photo.exif.gpsLatitude !== null && photo.exif.gpsLongitude !== null) {
    exif.IFD3 = {
      GPSLatitudeRef: photo.exif.gpsLatitude >= 0 ? 'N' : 'S',
      GPSLatitude: dms(Math.abs(photo.exif.gpsLatitude)),
      GPSLongitudeRef: photo.exif.gpsLongitude >= 0 ? 'E' : 'W',
      GPSLongitude: dms(Math.abs(photo.exif.gpsLongitude)),
    };
  }
  return exif;
}

function rational(value: number): string {
  if (value < 1) return `1/${Math.round(1 / value)}`;
  return `${Math.round(value * 100)}/100`;
}

function dms(degrees: number): string {
  const d = Math.floor(degrees);
  const m = Math.floor((degrees - d) * 60);
  const s = Math.round(((degrees - d) * 60 - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * XMP saying the image was edited in Promptroom, with its step list (the history path to the head);
 * AI steps also say which model, which prompt and when, and that Gemini's output carries SynthID.
 */
export function xmpFor(steps: Step[], version: string): string {
  const ai = steps.filter((step) => step.op.type === 'aiEdit');
  const items = steps
    .map((step) => {
      const generated = step.op.type === 'aiEdit' ? step.op.generated : null;
      return (
        `<rdf:li rdf:parseType="Resource"><stEvt:action>edited</stEvt:action><stEvt:when>${escapeXml(step.createdAt)}</stEvt:when>` +
        `<stEvt:softwareAgent>Promptroom ${escapeXml(version)}</stEvt:softwareAgent><stEvt:parameters>${escapeXml(step.label)}</stEvt:parameters>` +
        `<promptroom:kind>${escapeXml(step.op.type)}</promptroom:kind>` +
        (generated
          ? `<promptroom:ai>True</promptroom:ai><promptroom:provider>${escapeXml(generated.provider)}</promptroom:provider>` +
            `<promptroom:model>${escapeXml(generated.model)}</promptroom:model><promptroom:prompt>${escapeXml(generated.prompt)}</promptroom:prompt>`
          : '') +
        '</rdf:li>'
      );
    })
    .join('');
  const cloud = ai.some((step) => step.op.type === 'aiEdit' && step.op.generated.provider === 'gemini');
  return (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"' +
    ' xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#" xmlns:promptroom="https://promptroom.app/ns/1.0/"' +
    ` xmp:CreatorTool="Promptroom ${escapeXml(version)}" xmp:MetadataDate="${new Date().toISOString()}" promptroom:edited="True" promptroom:aiSteps="${ai.length}"` +
    (cloud ? ' promptroom:synthId="Gemini image output carries an invisible SynthID watermark"' : '') +
    '>' +
    `<xmpMM:History><rdf:Seq>${items}</rdf:Seq></xmpMM:History>` +
    '</rdf:Description></rdf:RDF></x:xmpmeta>'
  );
}
