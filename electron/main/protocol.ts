import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { CustomScheme } from 'electron';
import type { AssetSize } from '../../shared/contract/bridge.js';
import { ASSET_SCHEME } from '../../shared/contract/bridge.js';
import type { ServicesLike } from './services-like.js';

/**
 * Registered before `app.ready`. `standard` gives the scheme real origins and URL parsing,
 * `secure` keeps it usable from a secure context, and `supportFetchAPI` + `corsEnabled` let the
 * renderer `fetch()` an image's bytes for the canvas without tainting it.
 */
export const assetScheme: CustomScheme = {
  scheme: ASSET_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

const SIZES: readonly AssetSize[] = ['thumb', 'preview', 'original'];
const HASH_PATH = /^\/([0-9a-f]{64})$/;

/** What a valid asset URL asks for, or why it is refused. */
export type AssetRequest = { ok: true; sha256: string; size: AssetSize } | { ok: false; reason: string };

/**
 * Parses `promptroom-asset://image/<sha256>?size=thumb|preview|original`. Anything else — another
 * host, a path, extra parameters, credentials — is refused, so a URL can never name a file.
 */
export function parseAssetUrl(raw: string): AssetRequest {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== `${ASSET_SCHEME}:`) return { ok: false, reason: 'wrong scheme' };
  if (url.hostname !== 'image' || url.port !== '' || url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'unknown host' };
  }
  const match = HASH_PATH.exec(url.pathname);
  if (!match?.[1]) return { ok: false, reason: 'the path must be one sha256' };
  const keys = [...url.searchParams.keys()];
  if (keys.length !== 1 || keys[0] !== 'size') return { ok: false, reason: 'only ?size= is accepted' };
  const size = url.searchParams.get('size');
  if (!SIZES.includes(size as AssetSize)) return { ok: false, reason: 'size must be thumb, preview or original' };
  return { ok: true, sha256: match[1], size: size as AssetSize };
}

/**
 * The handler for `protocol.handle(ASSET_SCHEME, …)`: looks the hash up through the services and
 * answers with the stored bytes. Unknown hash → 404; malformed URL → 400; other methods → 405.
 */
export function createAssetHandler(
  services: Pick<ServicesLike, 'resolveAsset'>,
  onError: (url: string, error: unknown) => void = () => {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed');
    const parsed = parseAssetUrl(request.url);
    if (!parsed.ok) return textResponse(400, `Bad asset URL: ${parsed.reason}`);
    try {
      const asset = await services.resolveAsset(parsed.sha256, parsed.size);
      if (!asset) return textResponse(404, 'No such image in the library');
      // Opened before answering, so a missing file is a 404 rather than a broken stream.
      const file = await open(asset.path, 'r');
      try {
        const { size, isFile } = await statOf(file);
        if (!isFile) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
        const headers = assetHeaders(asset.contentType, size);
        if (request.method === 'HEAD') {
          await file.close();
          return new Response(null, { status: 200, headers });
        }
        // Streamed: an original can be hundreds of megabytes. The stream closes the file at its end.
        const body = Readable.toWeb(file.createReadStream()) as unknown as ReadableStream<Uint8Array>;
        return new Response(body, { status: 200, headers });
      } catch (error) {
        await file.close().catch(() => {});
        throw error;
      }
    } catch (error) {
      if (isMissingFile(error)) return textResponse(404, 'The image file is missing from the library');
      onError(request.url, error);
      return textResponse(500, 'Could not read the image');
    }
  };
}

function assetHeaders(contentType: string, length: number): Headers {
  return new Headers({
    'Content-Type': contentType,
    'Content-Length': String(length),
    // Content-addressed: the bytes behind a hash and size never change.
    'Cache-Control': 'private, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
    // The page is a file:// document (an opaque origin); it needs this to read the pixels.
    'Access-Control-Allow-Origin': '*',
  });
}

async function statOf(file: FileHandle): Promise<{ size: number; isFile: boolean }> {
  const stats = await file.stat();
  return { size: stats.size, isFile: stats.isFile() };
}

function textResponse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
