import { promises as fs } from 'node:fs';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import type { ImportJob, ImportSummary } from '../../shared/contract/api.js';
import { sha256Of, type AssetStore } from './assets.js';
import type { Library, NewPhoto } from './library/library.js';

/** One file to import, with the name a person will recognise in the summary. */
export interface ImportSource {
  file: string;
  displayName: string;
  /** The original location to remember, if any (uploads have none). */
  sourcePath: string | null;
  /** Remove the file once imported (staged uploads). */
  removeAfter?: boolean;
}

export interface ImportOptions {
  pixelLimit: number;
  concurrency?: number;
  maxFileBytes?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Extensions picked up when walking a folder; a file named explicitly is always tried. */
export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif', '.heic', '.heif']);

export const THUMB_EDGE = 320;
export const PREVIEW_EDGE = 1600;

/** Options shared by the importer and the benchmark's sharp-only baseline. */
export const thumbnailEncoding = {
  preview: { quality: 82, effort: 2 },
  thumb: { quality: 75, effort: 2 },
} as const;

class ImportRefusal extends Error {}

/**
 * Expands files and folders into the files to import. Folders are walked recursively and only
 * photo-like files are taken; hidden files are skipped. Paths that do not exist are reported.
 */
export async function expandPaths(paths: string[]): Promise<{ sources: ImportSource[]; failed: ImportSummary['failed'] }> {
  const sources: ImportSource[] = [];
  const failed: ImportSummary['failed'] = [];
  for (const input of paths) {
    const absolute = path.resolve(input);
    const stat = await fs.stat(absolute).catch((error: NodeJS.ErrnoException) => error);
    if (stat instanceof Error) {
      failed.push({ path: input, reason: describeFsError(stat) });
      continue;
    }
    if (stat.isDirectory()) await walk(absolute, path.dirname(absolute), sources, failed);
    else sources.push({ file: absolute, displayName: input, sourcePath: absolute });
  }
  return { sources, failed };
}

async function walk(dir: string, base: string, sources: ImportSource[], failed: ImportSummary['failed']): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    failed.push({ path: dir, reason: describeFsError(error as NodeJS.ErrnoException) });
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, base, sources, failed);
    // Symlinked files are followed when imported; symlinked folders are not walked (no cycles).
    else if ((entry.isFile() || entry.isSymbolicLink()) && PHOTO_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      sources.push({ file: full, displayName: path.relative(base, full), sourcePath: full });
    }
  }
}

/**
 * Imports files into the library: hash, skip what is already in, check the image decodes within
 * the pixel limit, read EXIF, store the original and thumbnails, then insert the row in one
 * transaction. A failure is recorded with a reason and the rest goes on.
 */
export async function importSources(
  sources: ImportSource[],
  library: Library,
  assets: AssetStore,
  options: ImportOptions,
  summary: ImportSummary = { imported: 0, duplicates: 0, failed: [] },
): Promise<ImportSummary> {
  let next = 0;
  let done = 0;
  const inFlight = new Set<string>();
  const total = sources.length;
  options.onProgress?.(0, total);

  async function worker(): Promise<void> {
    while (next < sources.length && !options.signal?.aborted) {
      const source = sources[next++]!;
      try {
        const outcome = await importOne(source, library, assets, options, inFlight);
        if (outcome === 'imported') summary.imported++;
        else summary.duplicates++;
      } catch (error) {
        summary.failed.push({ path: source.displayName, reason: describeImportError(error) });
      } finally {
        if (source.removeAfter) await fs.rm(source.file, { force: true });
        done++;
        options.onProgress?.(done, total);
      }
    }
  }

  const workers = Array.from({ length: Math.max(1, options.concurrency ?? 2) }, () => worker());
  await Promise.all(workers);
  return summary;
}

async function importOne(
  source: ImportSource,
  library: Library,
  assets: AssetStore,
  options: ImportOptions,
  inFlight: Set<string>,
): Promise<'imported' | 'duplicate'> {
  const stat = await fs.stat(source.file);
  if (!stat.isFile()) throw new ImportRefusal('It is not a file.');
  if (stat.size === 0) throw new ImportRefusal('The file is empty (0 bytes).');
  const maxBytes = options.maxFileBytes ?? 2 * 1024 ** 3;
  if (stat.size > maxBytes) throw new ImportRefusal(`The file is too large (${formatBytes(stat.size)}; the limit is ${formatBytes(maxBytes)}).`);
  const bytes = await fs.readFile(source.file);
  const sha256 = sha256Of(bytes);
  if (inFlight.has(sha256) || library.hasSha(sha256)) return 'duplicate';
  inFlight.add(sha256);
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata().catch((error: unknown) => {
      throw new ImportRefusal(describeDecodeError(error));
    });
    const width = metadata.width ?? 0;
    const height = metadata.height ?? 0;
    if (!width || !height) throw new ImportRefusal('The file is not an image Promptroom can read.');
    if (width * height > options.pixelLimit) {
      throw new ImportRefusal(
        `The image is ${width.toLocaleString('en')} × ${height.toLocaleString('en')} pixels (${Math.round((width * height) / 1e6).toLocaleString('en')} MP), over the limit of ${Math.round(options.pixelLimit / 1e6)} MP set in Settings.`,
      );
    }
    const { preview, thumb } = await makeThumbnails(bytes, options.pixelLimit).catch((error: unknown) => {
      throw new ImportRefusal(describeDecodeError(error));
    });
    const exif = await readExif(bytes);
    await assets.writeAtomic(assets.originalPath(sha256), bytes);
    await assets.writeAtomic(assets.thumbPath(sha256, 'preview'), preview);
    await assets.writeAtomic(assets.thumbPath(sha256, 'thumb'), thumb);
    const photo = photoRow(sha256, source, stat.size, metadata, exif);
    return library.insertPhoto(photo) === null ? 'duplicate' : 'imported';
  } finally {
    inFlight.delete(sha256);
  }
}

/** One decode, orientation applied: a preview, and the grid thumbnail made from that preview. */
export async function makeThumbnails(bytes: Uint8Array, pixelLimit: number): Promise<{ preview: Buffer; thumb: Buffer }> {
  const preview = await sharp(bytes, { failOn: 'truncated', limitInputPixels: pixelLimit })
    .rotate()
    .resize(PREVIEW_EDGE, PREVIEW_EDGE, { fit: 'inside', withoutEnlargement: true })
    .toColorspace('srgb')
    .webp(thumbnailEncoding.preview)
    .toBuffer();
  const thumb = await sharp(preview)
    .resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true })
    .webp(thumbnailEncoding.thumb)
    .toBuffer();
  return { preview, thumb };
}

/** The row for a new photo from what the import read: dimensions as displayed (orientation applied). */
export function photoRow(
  sha256: string,
  source: ImportSource,
  byteSize: number,
  metadata: { format?: string; width?: number; height?: number; orientation?: number },
  exif: ExifFields,
): NewPhoto {
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  const orientation = exif.orientation ?? metadata.orientation ?? 1;
  const swapped = orientation >= 5 && orientation <= 8;
  return {
    sha256,
    fileName: path.basename(source.displayName),
    sourcePath: source.sourcePath,
    format: metadata.format ?? 'unknown',
    byteSize,
    width: swapped ? height : width,
    height: swapped ? width : height,
    orientation,
    takenAt: exif.takenAt,
    cameraMake: exif.cameraMake,
    cameraModel: exif.cameraModel,
    lens: exif.lens,
    iso: exif.iso,
    exposureTime: exif.exposureTime,
    fNumber: exif.fNumber,
    focalLength: exif.focalLength,
    gpsLatitude: exif.gpsLatitude,
    gpsLongitude: exif.gpsLongitude,
  };
}

export interface ExifFields {
  takenAt: string | null;
  orientation: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  iso: number | null;
  exposureTime: number | null;
  fNumber: number | null;
  focalLength: number | null;
  gpsLatitude: number | null;
  gpsLongitude: number | null;
}

/** Reads the EXIF a photographer cares about; a photo without (or with broken) EXIF still imports. */
export async function readExif(bytes: Uint8Array): Promise<ExifFields> {
  let raw: Record<string, unknown> = {};
  try {
    raw = ((await exifr.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      tiff: true,
      exif: true,
      gps: true,
      translateValues: false,
    })) ?? {}) as Record<string, unknown>;
  } catch {
    raw = {};
  }
  const date = raw.DateTimeOriginal ?? raw.CreateDate ?? raw.DateTime;
  return {
    takenAt: date instanceof Date && !Number.isNaN(date.getTime()) ? wallClock(date) : null,
    orientation: numberOrNull(raw.Orientation),
    cameraMake: stringOrNull(raw.Make),
    cameraModel: stringOrNull(raw.Model),
    lens: stringOrNull(raw.LensModel) ?? stringOrNull(raw.LensMake),
    iso: numberOrNull(raw.ISO),
    exposureTime: numberOrNull(raw.ExposureTime),
    fNumber: numberOrNull(raw.FNumber),
    focalLength: numberOrNull(raw.FocalLength),
    gpsLatitude: numberOrNull(raw.latitude),
    gpsLongitude: numberOrNull(raw.longitude),
  };
}

/** EXIF dates carry no zone: keep the wall-clock time the camera recorded. */
function wallClock(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function numberOrNull(value: unknown): number | null {
  const n = Array.isArray(value) ? value[0] : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim().replace(/\0+$/, '') : null;
}

function describeDecodeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit|exceeds/i.test(message)) return 'The image is larger than the pixel limit set in Settings.';
  if (/premature end|truncated|unexpected end|corrupt|not enough data|read error|bad|invalid/i.test(message)) {
    return 'The file is damaged or incomplete: its image data ends early or is corrupt.';
  }
  if (/unsupported image format|input buffer contains unsupported|unknown/i.test(message)) {
    return 'The file is not an image Promptroom can read (unknown or unsupported format).';
  }
  return `The image could not be decoded (${message}).`;
}

function describeFsError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'The file or folder does not exist.';
    case 'EACCES':
    case 'EPERM':
      return 'Promptroom is not allowed to read it (permission denied).';
    case 'EISDIR':
      return 'It is a folder, not a file.';
    default:
      return `It could not be read (${error.code ?? error.message}).`;
  }
}

function describeImportError(error: unknown): string {
  if (error instanceof ImportRefusal) return error.message;
  if (error && typeof error === 'object' && 'code' in error && typeof (error as NodeJS.ErrnoException).code === 'string') {
    return describeFsError(error as NodeJS.ErrnoException);
  }
  return `Import failed: ${error instanceof Error ? error.message : String(error)}`;
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** A running import, as the renderer sees it. */
export function snapshot(jobId: string, state: ImportJob['state'], done: number, total: number, summary: ImportSummary): ImportJob {
  return { jobId, state, done, total, summary: { ...summary, failed: [...summary.failed] } };
}
