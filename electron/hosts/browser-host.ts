import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { dispatch } from '../../shared/contract/dispatch.js';
import type { Result } from '../../shared/contract/result.js';
import type { Services } from '../services/index.js';

export interface BrowserHostOptions {
  services: Services;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  port?: number;
  token?: string;
  /** Largest upload accepted, in bytes. */
  maxUploadBytes?: number;
  log?: (message: string) => void;
}

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'promptroom_token';
const MAX_CALL_BODY = 8 * 1024 * 1024;

/** The same Content-Security-Policy as the Electron window: nothing remote, no inline script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the renderer and the API contract on 127.0.0.1 only. Every request must carry the
 * per-run token (header, cookie, or the `token` query of the first page load) and a Host header
 * naming this server, which shuts out other sites and DNS rebinding.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const { services } = options;
  const maxUpload = options.maxUploadBytes ?? 2 * 1024 ** 3;
  const log = options.log ?? (() => {});
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;
  const eventStreams = new Set<http.ServerResponse>();

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: { code: 'internal', message: 'The request failed.' } });
      else response.destroy();
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return sendText(response, 421, 'This server only answers to its own address.');
    }
    const queryToken = url.searchParams.get('token');
    const authorised =
      matches(request.headers['x-promptroom-token'], token) ||
      matches(readCookie(request.headers.cookie, COOKIE), token) ||
      (url.pathname === '/' && matches(queryToken ?? undefined, token));
    if (!authorised) return sendText(response, 403, 'Promptroom needs the link printed when it started (it carries a token).');

    if (url.pathname.startsWith('/api/call/') && request.method === 'POST') {
      const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      let input: unknown;
      try {
        const body = await readBody(request, MAX_CALL_BODY);
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendJson(response, 400, { ok: false, error: { code: 'invalid-argument', message: 'The request body is not valid JSON.' } });
      }
      const result = await dispatch(services.handlers, name, input, (call, error) =>
        log(`${call} failed: ${error instanceof Error ? error.stack : String(error)}`),
      );
      return sendJson(response, statusOf(result), result);
    }
    if (url.pathname === '/api/events' && request.method === 'GET') {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      response.write(': connected\n\n');
      eventStreams.add(response);
      const unsubscribe = services.subscribe((event) => response.write(`data: ${JSON.stringify(event)}\n\n`));
      const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
      request.on('close', () => {
        clearInterval(keepAlive);
        unsubscribe();
        eventStreams.delete(response);
      });
      return;
    }
    if (url.pathname === '/api/upload' && request.method === 'POST') {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxUpload) {
        return sendJson(response, 413, { ok: false, error: { code: 'invalid-argument', message: 'The file is larger than the upload limit.' } });
      }
      const staged = services.stageUpload();
      let received = 0;
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxUpload) request.destroy(new Error('upload too large'));
      });
      try {
        await pipeline(request, createWriteStream(staged.path, { flags: 'wx' }));
      } catch {
        await fs.rm(staged.path, { force: true });
        return sendJson(response, 400, { ok: false, error: { code: 'invalid-argument', message: 'The upload did not complete.' } });
      }
      return sendJson(response, 200, { ok: true, value: { stagedId: staged.stagedId } });
    }
    const asset = /^\/asset\/([^/]+)$/.exec(url.pathname);
    if (asset && request.method === 'GET') {
      const size = url.searchParams.get('size') ?? 'thumb';
      if (size !== 'thumb' && size !== 'preview' && size !== 'original') return sendText(response, 400, 'Unknown size.');
      const resolved = await services.resolveAsset(asset[1]!, size);
      if (!resolved) return sendText(response, 404, 'No such image.');
      return sendFile(response, resolved.path, resolved.contentType, 'private, max-age=31536000, immutable');
    }
    const download = /^\/download\/([0-9a-f]{32})$/.exec(url.pathname);
    if (download && request.method === 'GET') {
      const file = services.resolveDownload(download[1]!);
      if (!file) return sendText(response, 404, 'No such export.');
      response.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
      return sendFile(response, file.path, 'application/octet-stream', 'no-store');
    }
    if (request.method === 'GET') return serveStatic(url.pathname, response, queryToken !== null);
    return sendText(response, 405, 'Method not allowed.');
  }

  async function serveStatic(pathname: string, response: http.ServerResponse, setCookie: boolean): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = path.resolve(rendererDir, relative);
    if (!file.startsWith(rendererDir + path.sep)) return sendText(response, 404, 'Not found.');
    const type = STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream';
    if (setCookie) response.setHeader('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    return sendFile(response, file, type, relative === 'index.html' ? 'no-store' : 'no-cache');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const stream of eventStreams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function statusOf(result: Result<unknown>): number {
  if (result.ok) return 200;
  switch (result.error.code) {
    case 'invalid-argument':
      return 400;
    case 'unknown-call':
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'unsupported':
      return 501;
    default:
      return 500;
  }
}

function matches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

async function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function securityHeaders(response: http.ServerResponse): void {
  response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
  response.setHeader('cross-origin-resource-policy', 'same-origin');
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  securityHeaders(response);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function sendText(response: http.ServerResponse, status: number, text: string): void {
  securityHeaders(response);
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}

async function sendFile(response: http.ServerResponse, file: string, contentType: string, cacheControl: string): Promise<void> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) return sendText(response, 404, 'Not found.');
  securityHeaders(response);
  response.writeHead(200, { 'content-type': contentType, 'content-length': stat.size, 'cache-control': cacheControl });
  await pipeline(createReadStream(file), response);
}
