/**
 * A minimal fake Gemini API on 127.0.0.1 for the AI edit benchmark, speaking the wire format the
 * real SDK expects: `POST /v1beta/models/{model}:generateContent` answers with the input image
 * inverted (a PNG of the same size, as an image model returns about the size it was sent) plus a
 * text part and usageMetadata. Records what each call uploaded and when its answer left, so the
 * benchmark can time "answer arrived → layer committed". (tests/fakes/gemini-server.ts is the
 * full fake; tsconfig.node.json does not compile tests/, so the benchmark carries its own.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface FakeCall {
  model: string;
  /** The HTTP request body as sent (JSON with base64 images). */
  bodyBytes: number;
  /** Each inline image's decoded bytes and pixel size, in request order. */
  images: { bytes: number; width: number; height: number; format: string }[];
  receivedAt: number;
  /** performance.now() when the last byte of the answer was handed to the socket. */
  answerSentAt: number | null;
  answerBodyBytes: number;
  /** The PNG the answer carried. */
  answerPng: Buffer | null;
}

export interface FakeGemini {
  baseUrl: string;
  calls: FakeCall[];
  close(): Promise<void>;
}

interface WirePart {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}

export async function startFakeGemini(): Promise<FakeGemini> {
  const calls: FakeCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const receivedAt = performance.now();
        const raw = Buffer.concat(chunks);
        const match = /^\/v1beta\/models\/([^/:?]+):generateContent/.exec(req.url ?? '');
        if (req.method !== 'POST' || !match) {
          send(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: `Method not found: ${req.url}` } });
          return;
        }
        const body = JSON.parse(raw.toString('utf8')) as { contents?: { role?: string; parts?: WirePart[] }[] };
        const images: Buffer[] = [];
        for (const content of body.contents ?? []) {
          for (const part of content.parts ?? []) if (part.inlineData?.data) images.push(Buffer.from(part.inlineData.data, 'base64'));
        }
        const call: FakeCall = { model: match[1]!, bodyBytes: raw.length, images: [], receivedAt, answerSentAt: null, answerBodyBytes: 0, answerPng: null };
        for (const image of images) {
          const meta = await sharp(image).metadata();
          call.images.push({ bytes: image.length, width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? '?' });
        }
        calls.push(call);
        const input = images.at(-1);
        const png = input
          ? await sharp(input).removeAlpha().negate().png().toBuffer()
          : await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 20, g: 120, b: 220 } } }).png().toBuffer();
        call.answerPng = png;
        const promptTokens = 258 * images.length + 10;
        const text = JSON.stringify({
          candidates: [
            {
              content: { role: 'model', parts: [{ text: 'Here is the edited photo.' }, { inlineData: { mimeType: 'image/png', data: png.toString('base64') } }] },
              finishReason: 'STOP',
              index: 0,
            },
          ],
          usageMetadata: {
            promptTokenCount: promptTokens,
            candidatesTokenCount: 1297,
            totalTokenCount: promptTokens + 1297,
            candidatesTokensDetails: [
              { modality: 'IMAGE', tokenCount: 1290 },
              { modality: 'TEXT', tokenCount: 7 },
            ],
          },
          modelVersion: call.model,
          responseId: `bench-${calls.length}`,
        });
        call.answerBodyBytes = Buffer.byteLength(text);
        res.on('finish', () => {
          call.answerSentAt = performance.now();
        });
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': call.answerBodyBytes });
        res.end(text);
      })().catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { error: { code: 500, status: 'INTERNAL', message: `fake: ${String(error)}` } });
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
