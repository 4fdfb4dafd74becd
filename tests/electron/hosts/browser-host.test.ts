import { promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../../electron/hosts/browser-host.js';
import { sha256Of } from '../../../electron/services/assets.js';
import { openServices, type Services } from '../../../electron/services/index.js';
import { fixture, tempDir } from '../../support/fixtures.js';

/** A raw request, so the Host header and body can be anything. */
function request(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { host: `127.0.0.1:${port}`, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the browser host', () => {
  const tmp = tempDir();
  let services: Services;
  let host: BrowserHost;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const rendererDir = path.join(tmp.dir, 'renderer');
    await fs.mkdir(rendererDir);
    await fs.writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Promptroom</title>');
    await fs.writeFile(path.join(tmp.dir, 'secret.txt'), 'outside the renderer');
    services = await openServices({ libraryDir: path.join(tmp.dir, 'lib'), host: 'browser', version: 't', systemLocale: 'en-US' });
    host = await startBrowserHost({ services, rendererDir });
    auth = { 'x-promptroom-token': host.token };
  });
  afterAll(async () => {
    await host.close();
    services.close();
    tmp.cleanup();
  });

  it('listens on 127.0.0.1 only and prints a link carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the token, with a wrong token, or for another Host', async () => {
    expect((await request(host.port, { path: '/' })).status).toBe(403);
    expect((await request(host.port, { path: '/?token=wrong' })).status).toBe(403);
    expect((await request(host.port, { method: 'POST', path: '/api/call/app.info', headers: { 'x-promptroom-token': 'x' } })).status).toBe(403);
    const rebinding = await request(host.port, { path: `/?token=${host.token}`, headers: { host: `evil.example:${host.port}` } });
    expect(rebinding.status).toBe(421);
  });

  it('serves the page with a strict CSP and sets the token cookie that later requests use', async () => {
    const page = await request(host.port, { path: `/?token=${host.token}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const withCookie = await request(host.port, { method: 'POST', path: '/api/call/app.info', headers: { cookie }, body: '{}' });
    expect(withCookie.status).toBe(200);
    expect(JSON.parse(withCookie.body.toString())).toMatchObject({ ok: true, value: { host: 'browser' } });
    const traversal = await request(host.port, { path: '/..%2fsecret.txt', headers: auth });
    expect(traversal.status).toBe(404);
  });

  it('validates every call: unknown names and invalid arguments are refused with a readable error', async () => {
    const unknown = await request(host.port, { method: 'POST', path: '/api/call/fs.readFile', headers: auth, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    const invalid = await request(host.port, { method: 'POST', path: '/api/call/photos.setRating', headers: auth, body: '{"ids":["1; DROP TABLE photos"],"rating":3}' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body.toString()).error.message).toMatch(/Invalid arguments for photos.setRating/);
    const notJson = await request(host.port, { method: 'POST', path: '/api/call/photos.list', headers: auth, body: '{nope' });
    expect(notJson.status).toBe(400);
    const paths = await request(host.port, { method: 'POST', path: '/api/call/import.start', headers: auth, body: JSON.stringify({ paths: ['/etc'] }) });
    expect(JSON.parse(paths.body.toString())).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('imports an upload, reports progress over server-sent events, and serves the image by hash only', async () => {
    const events: string[] = [];
    const stream = http.get({ host: '127.0.0.1', port: host.port, path: '/api/events', headers: { host: `127.0.0.1:${host.port}`, ...auth } }, (res) =>
      res.on('data', (chunk: Buffer) => events.push(chunk.toString())),
    );
    const bytes = readFileSync(fixture('coffee.png'));
    const upload = await request(host.port, { method: 'POST', path: '/api/upload', headers: { ...auth, 'x-file-name': encodeURIComponent('holiday/咖啡.png') }, body: bytes });
    const { stagedId } = JSON.parse(upload.body.toString()).value as { stagedId: string };
    const started = await request(host.port, {
      method: 'POST',
      path: '/api/call/import.start',
      headers: auth,
      body: JSON.stringify({ staged: [{ stagedId, name: 'holiday/咖啡.png' }] }),
    });
    const { jobId } = JSON.parse(started.body.toString()).value as { jobId: string };
    let status: { state: string; summary: { imported: number } } | undefined;
    for (let i = 0; i < 100; i++) {
      const answer = await request(host.port, { method: 'POST', path: '/api/call/import.status', headers: auth, body: JSON.stringify({ jobId }) });
      status = JSON.parse(answer.body.toString()).value;
      if (status?.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toMatchObject({ state: 'succeeded', summary: { imported: 1 } });
    await new Promise((r) => setTimeout(r, 100));
    stream.destroy();
    expect(events.join('')).toMatch(/"type":"import.progress"/);

    const sha = sha256Of(bytes);
    const photo = services.library.list({ search: '咖啡' }).items[0]!;
    expect(photo.sha256).toBe(sha);
    const original = await request(host.port, { path: `/asset/${sha}?size=original`, headers: auth });
    expect(original.status).toBe(200);
    expect(original.headers['content-type']).toBe('image/png');
    expect(original.body.equals(bytes)).toBe(true);
    expect((await request(host.port, { path: `/asset/${sha}?size=thumb`, headers: auth })).headers['content-type']).toBe('image/webp');
    expect((await request(host.port, { path: `/asset/${'0'.repeat(64)}`, headers: auth })).status).toBe(404);
    expect((await request(host.port, { path: '/asset/..%2f..%2flibrary.sqlite3', headers: auth })).status).toBe(404);
    expect((await request(host.port, { path: `/asset/${sha}?size=huge`, headers: auth })).status).toBe(400);
    // The staged upload is gone once imported.
    expect(await fs.readdir(services.assets.stagingDir)).toEqual([]);
  });
});

describe('the browser host and files on this machine', () => {
  it('never lets a page choose a folder to write into', async () => {
    const tmp = tempDir();
    const services = await openServices({ libraryDir: tmp.dir, host: 'browser', version: 't', systemLocale: 'en' });
    try {
      const { dispatch } = await import('../../../shared/contract/dispatch.js');
      for (const [name, input] of [
        ['export.start', { projectIds: [1], options: {}, folder: '/etc' }],
        ['sessions.exportAccepted', { sessionId: 1, options: {}, folder: '/etc' }],
        ['import.start', { paths: ['/etc/passwd'] }],
        ['import.one', { name: 'passwd', path: '/etc/passwd' }],
      ] as const) {
        const result = await dispatch(services.handlers, name, input);
        expect(result, name).toMatchObject({ ok: false, error: { code: 'unsupported' } });
      }
    } finally {
      services.close();
      tmp.cleanup();
    }
  });
});
