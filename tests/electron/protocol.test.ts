import { mkdtempSync, copyFileSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { assetScheme, createAssetHandler, parseAssetUrl } from '../../electron/main/protocol.js';
import type { ServicesLike } from '../../electron/main/services-like.js';

const fixture = path.resolve(import.meta.dirname, '../fixtures/coffee.png');
const KNOWN = 'a'.repeat(64);
const MISSING_FILE = 'b'.repeat(64);
const FOLDER = 'c'.repeat(64);
const UNKNOWN = 'd'.repeat(64);

const libraryDir = mkdtempSync(path.join(os.tmpdir(), 'promptroom-protocol-'));
const storedFile = path.join(libraryDir, 'stored.png');
copyFileSync(fixture, storedFile);
mkdirSync(path.join(libraryDir, 'a-folder'));
afterAll(() => rmSync(libraryDir, { recursive: true, force: true }));

/** A library holding one image (KNOWN), one row whose file is gone and one pointing at a folder. */
function fakeServices(): Pick<ServicesLike, 'resolveAsset'> & { resolveAsset: ReturnType<typeof vi.fn> } {
  return {
    resolveAsset: vi.fn(async (sha256: string) => {
      if (sha256 === KNOWN) return { path: storedFile, contentType: 'image/png' };
      if (sha256 === MISSING_FILE) return { path: path.join(libraryDir, 'gone.png'), contentType: 'image/png' };
      if (sha256 === FOLDER) return { path: path.join(libraryDir, 'a-folder'), contentType: 'image/png' };
      return null;
    }),
  };
}

function get(url: string, method = 'GET'): Request {
  return new Request(url, { method });
}

describe('the promptroom-asset scheme', () => {
  it('is registered as standard, secure and fetchable', () => {
    expect(assetScheme.scheme).toBe('promptroom-asset');
    expect(assetScheme.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
  });

  it('serves a known hash with its bytes and content type', async () => {
    const services = fakeServices();
    const response = await createAssetHandler(services)(get(`promptroom-asset://image/${KNOWN}?size=preview`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(readFileSync(fixture))).toBe(true);
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(services.resolveAsset).toHaveBeenCalledWith(KNOWN, 'preview');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await createAssetHandler(fakeServices())(get(`promptroom-asset://image/${KNOWN}?size=thumb`, 'HEAD'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(readFileSync(fixture).length));
    expect(response.body).toBeNull();
  });

  it('answers 404 for a hash the library does not know', async () => {
    const response = await createAssetHandler(fakeServices())(get(`promptroom-asset://image/${UNKNOWN}?size=original`));
    expect(response.status).toBe(404);
  });

  it('answers 404, not an error, when a known image has lost its file or names a folder', async () => {
    const handler = createAssetHandler(fakeServices());
    expect((await handler(get(`promptroom-asset://image/${MISSING_FILE}?size=original`))).status).toBe(404);
    expect((await handler(get(`promptroom-asset://image/${FOLDER}?size=original`))).status).toBe(404);
  });

  it.each([
    ['a path instead of a hash', 'promptroom-asset://image/etc/passwd?size=original'],
    ['a dot-dot path', `promptroom-asset://image/${KNOWN}/../../etc/passwd?size=original`],
    ['an encoded dot-dot path', `promptroom-asset://image/%2e%2e%2f%2e%2e%2fetc%2fpasswd?size=original`],
    ['a backslash dot-dot path', `promptroom-asset://image/..\\..\\${KNOWN}?size=original`],
    ['a hash followed by more path', `promptroom-asset://image/${KNOWN}/..%2f..%2fsecret?size=original`],
    ['another host', `promptroom-asset://file/${KNOWN}?size=original`],
    ['a port', `promptroom-asset://image:8080/${KNOWN}?size=original`],
    ['an absolute file path as host', 'promptroom-asset:///etc/passwd'],
    ['an uppercase hash', `promptroom-asset://image/${KNOWN.toUpperCase()}?size=original`],
    ['a short hash', 'promptroom-asset://image/abc123?size=original'],
    ['no size', `promptroom-asset://image/${KNOWN}`],
    ['an unknown size', `promptroom-asset://image/${KNOWN}?size=huge`],
    ['a path in the size', `promptroom-asset://image/${KNOWN}?size=../../etc/passwd`],
    ['extra parameters', `promptroom-asset://image/${KNOWN}?size=thumb&path=/etc/passwd`],
    ['two sizes', `promptroom-asset://image/${KNOWN}?size=thumb&size=original`],
  ])('answers 400 for %s, without asking the library', async (_what, url) => {
    const services = fakeServices();
    const response = await createAssetHandler(services)(get(url));
    expect(response.status).toBe(400);
    expect(services.resolveAsset).not.toHaveBeenCalled();
  });

  it('resolves dot segments before matching, so they can only ever name a hash', async () => {
    // URL parsing (Chromium's, and here Node's) removes dot segments before the handler runs.
    const services = fakeServices();
    const response = await createAssetHandler(services)(get(`promptroom-asset://image/../../${KNOWN}?size=thumb`));
    expect(response.status).toBe(200);
    expect(services.resolveAsset).toHaveBeenCalledWith(KNOWN, 'thumb');
  });

  it('refuses URLs carrying credentials', () => {
    expect(parseAssetUrl(`promptroom-asset://user:pw@image/${KNOWN}?size=original`)).toMatchObject({ ok: false });
  });

  it('answers 400 for another scheme', () => {
    expect(parseAssetUrl(`file:///image/${KNOWN}?size=thumb`).ok).toBe(false);
    expect(parseAssetUrl(`https://image/${KNOWN}?size=thumb`).ok).toBe(false);
    expect(parseAssetUrl('::not a url::').ok).toBe(false);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const services = fakeServices();
    const response = await createAssetHandler(services)(get(`promptroom-asset://image/${KNOWN}?size=thumb`, 'POST'));
    expect(response.status).toBe(405);
    expect(services.resolveAsset).not.toHaveBeenCalled();
  });

  it('answers 500 and reports it when the library itself fails', async () => {
    const onError = vi.fn();
    const handler = createAssetHandler({ resolveAsset: async () => Promise.reject(new Error('database is locked')) }, onError);
    const response = await handler(get(`promptroom-asset://image/${KNOWN}?size=thumb`));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('database is locked');
    expect(onError).toHaveBeenCalledOnce();
  });
});
