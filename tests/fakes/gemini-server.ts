/**
 * A fake Gemini API on 127.0.0.1 speaking the real wire format (v1beta generateContent and the
 * model list), so the real @google/genai SDK can be pointed at it with `httpOptions.baseUrl`.
 * Each request takes the next scripted scenario (`enqueue`), else the sticky one (`use`, 'image'
 * at first). Every request is recorded, without the API key, so tests can check what was sent.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export type ScenarioName =
  | 'image' // one image: the input image inverted (or a solid colour when there is no input)
  | 'text+image'
  | 'two-images' // the input inverted, then a solid red image the same size
  | 'with-thoughts' // a thought text part and a thought image (drafts), then the final image
  | 'blocked' // promptFeedback.blockReason SAFETY, no candidates
  | 'image-safety' // finishReason IMAGE_SAFETY, no content parts
  | 'no-image' // finishReason NO_IMAGE, no content parts
  | 'text-only' // finishReason STOP, one text part
  | '429-then-ok' // 429 with Retry-After: 1 and a RetryInfo body, then 'image'
  | '429-quota' // 429 for a used-up daily quota
  | '500'
  | '400'
  | '401' // UNAUTHENTICATED
  | 'bad-key' // what Gemini really answers for a wrong key: 400 with reason API_KEY_INVALID
  | 'slow' // 'image' after SLOW_DEFAULT_MS
  | 'malformed' // 200 with a cut-off JSON body
  | 'huge' // a PNG of about 20 MB
  | 'drop'; // the socket destroyed before any answer

/** Writes its own answer. Gets the recorded request and its parsed body. */
export type FakeHandler = (request: FakeRequest, res: ServerResponse) => unknown;

export type Scenario = ScenarioName | { name: 'slow'; delayMs: number } | FakeHandler;

export interface FakePart {
  text?: string;
  image?: { mimeType: string; bytes: Buffer };
  thoughtSignature?: string;
}

/** One request as the server saw it. */
export interface FakeRequest {
  method: string;
  /** The path without the query ("/v1beta/models/gemini-2.5-flash-image:generateContent"). */
  path: string;
  query: Record<string, string>;
  model?: string;
  /** "generateContent", or "list" for GET /v1beta/models. */
  action?: string;
  /** Lower-case header names; x-goog-api-key is left out. */
  headers: Record<string, string>;
  apiKeySent: boolean;
  bodyBytes: number;
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
  contents: Array<{ role: string; parts: FakePart[] }>;
  partCount: number;
  imageCount: number;
  generationConfig?: Record<string, unknown>;
  /** What the answer reported in usageMetadata, when it was a generateContent answer. */
  answeredUsage?: FakeUsage;
}

export interface FakeUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  candidatesTokensDetails?: Array<{ modality: string; tokenCount: number }>;
}

export interface FakeGemini {
  /** "http://127.0.0.1:PORT", for `httpOptions.baseUrl`. */
  baseUrl: string;
  requests: FakeRequest[];
  /** One-shot scenarios, taken in order by the next requests. */
  enqueue(...scenarios: Scenario[]): void;
  /** The scenario for requests when the queue is empty. */
  use(scenario: Scenario): void;
  /** Forget recorded requests and scripted scenarios; back to 'image'. */
  reset(): void;
  close(): Promise<void>;
  /** Batch API jobs created so far (`batches.create` with inlined requests), oldest first. */
  batches: FakeBatch[];
  /** Answers every request of a batch (default: the latest) and marks it succeeded; `scenario` picks each item's answer. */
  finishBatch(options?: { name?: string; scenario?: BatchItemScenarioPicker }): Promise<FakeBatch>;
  /** Ends a batch (default: the latest) without answers: failed, cancelled or expired. */
  endBatch(state: 'BATCH_STATE_FAILED' | 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED', name?: string): FakeBatch;
  /** Finish every batch as soon as it is asked about, answering with `scenario` (null: stay pending until finishBatch). */
  autoFinishBatches(scenario: BatchItemScenarioPicker | null): void;
}

export interface FakeGeminiOptions {
  /** When set, any other key gets the real "API key not valid" answer. */
  apiKey?: string;
}

export const SLOW_DEFAULT_MS = 5_000;
/** Tokens Gemini 2.5 Flash Image bills per output image. */
export const TOKENS_PER_OUTPUT_IMAGE = 1290;
/** The colour of generated images when the request had no input image, and of the second image of 'two-images'. */
export const SOLID_RGB = { r: 20, g: 120, b: 220 } as const;
export const RED_RGB = { r: 255, g: 0, b: 0 } as const;
export const MODEL_TEXT = 'Here is the edited photo.';
export const REFUSAL_TEXT = "I can't make that image, but I can describe how it might look: a calm lake at dusk.";

const MODEL_LIST = [
  { name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', supportedGenerationMethods: ['generateContent', 'countTokens'] },
  { name: 'models/gemini-2.5-flash-image', displayName: 'Nano Banana', supportedGenerationMethods: ['generateContent', 'countTokens', 'batchGenerateContent'] },
  { name: 'models/text-embedding-004', displayName: 'Text Embedding 004', supportedGenerationMethods: ['embedContent'] },
  { name: 'models/gemini-3-pro-image-preview', displayName: 'Nano Banana Pro', supportedGenerationMethods: ['generateContent', 'countTokens', 'batchGenerateContent'] },
  { name: 'models/imagen-4.0-generate-001', displayName: 'Imagen 4', supportedGenerationMethods: ['predict'] },
  { name: 'models/gemini-3.1-flash-image-preview', displayName: 'Nano Banana 2', supportedGenerationMethods: ['generateContent', 'countTokens'] },
  { name: 'models/gemini-2.0-flash-preview-image-generation', displayName: 'Gemini 2.0 Flash Preview Image Generation', supportedGenerationMethods: ['generateContent'] },
].map((model) => ({ version: '001', description: `${model.displayName}.`, inputTokenLimit: 32768, outputTokenLimit: 32768, ...model }));
/** The list is served in pages this small so that clients must follow nextPageToken. */
const LIST_PAGE_SIZE = 3;

function googleError(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details && { details }) } };
}

const ERRORS = {
  rateLimited: googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
          quotaDimensions: { location: 'global', model: 'gemini-2.5-flash-image' },
          quotaValue: '10',
        },
      ],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' },
  ]),
  quota: googleError(
    429,
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 100, model: gemini-2.5-flash-image',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model: 'gemini-2.5-flash-image' },
            quotaValue: '100',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '52s' },
    ],
  ),
  internal: googleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
  invalid: googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'),
  unauthenticated: googleError(401, 'UNAUTHENTICATED', 'API key not valid. Please pass a valid API key.'),
  badKey: googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
  ]),
  notFound: (path: string) => googleError(404, 'NOT_FOUND', `Method not found: ${path}`),
};

/** Sends a JSON answer the way Google's front end does. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface WireContent {
  role?: string;
  parts?: Array<{ text?: string; inlineData?: { mimeType?: string; data?: string }; thoughtSignature?: string }>;
}

function record(req: IncomingMessage, raw: Buffer): FakeRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'x-goog-api-key' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const match = /^\/v1beta\/models\/([^/:]+):(\w+)$/.exec(url.pathname);
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
  }
  const wire = (body as { contents?: WireContent[]; generationConfig?: Record<string, unknown> } | undefined) ?? {};
  const contents = (wire.contents ?? []).map((content) => ({
    role: content.role ?? 'user',
    parts: (content.parts ?? []).map((part): FakePart => ({
      ...(part.text !== undefined && { text: part.text }),
      ...(part.inlineData && { image: { mimeType: part.inlineData.mimeType ?? '', bytes: Buffer.from(part.inlineData.data ?? '', 'base64') } }),
      ...(part.thoughtSignature !== undefined && { thoughtSignature: part.thoughtSignature }),
    })),
  }));
  const allParts = contents.flatMap((content) => content.parts);
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    ...(match && { model: match[1], action: match[2] }),
    ...(url.pathname === '/v1beta/models' && { action: 'list' }),
    headers,
    apiKeySent: typeof req.headers['x-goog-api-key'] === 'string' && req.headers['x-goog-api-key'] !== '',
    bodyBytes: raw.length,
    body,
    contents,
    partCount: allParts.length,
    imageCount: allParts.filter((part) => part.image).length,
    ...(wire.generationConfig && { generationConfig: wire.generationConfig }),
  };
}

/** The image being edited: the last image of the last user turn. */
function inputImage(request: FakeRequest): Buffer | undefined {
  const lastUser = [...request.contents].reverse().find((content) => content.role === 'user');
  return [...(lastUser?.parts ?? [])].reverse().find((part) => part.image)?.image?.bytes;
}

async function invertedOrSolid(request: FakeRequest): Promise<Buffer> {
  const input = inputImage(request);
  if (input) return sharp(input).removeAlpha().negate().png().toBuffer();
  return sharp({ create: { width: 64, height: 64, channels: 3, background: SOLID_RGB } }).png().toBuffer();
}

async function solidLike(request: FakeRequest, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  const input = inputImage(request);
  const { width = 64, height = 64 } = input ? await sharp(input).metadata() : {};
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

let hugePng: Promise<Buffer> | undefined;
/** About 20 MB: 2600 × 2600 RGB stored without compression, a gradient so pixels can be checked. */
export function hugeImage(): Promise<Buffer> {
  hugePng ??= (() => {
    const width = 2600;
    const height = 2600;
    const raw = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        raw[i] = x % 256;
        raw[i + 1] = y % 256;
        raw[i + 2] = (x + y) % 256;
      }
    }
    return sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
  })();
  return hugePng;
}

function promptTokens(request: FakeRequest): number {
  const textChars = request.contents.flatMap((content) => content.parts).reduce((sum, part) => sum + (part.text?.length ?? 0), 0);
  return Math.ceil(textChars / 4) + request.imageCount * 258;
}

type WirePart = { text: string; thought?: boolean } | { inlineData: { mimeType: string; data: string }; thought?: boolean };

function answer(request: FakeRequest, res: ServerResponse, parts: WirePart[], extra: { finishReason?: string } = {}): void {
  sendJson(res, 200, { ...answerBody(request, parts, extra), responseId: `fake-${Math.random().toString(36).slice(2, 10)}` });
}

function png(bytes: Buffer): WirePart {
  return { inlineData: { mimeType: 'image/png', data: bytes.toString('base64') } };
}

/** Start the fake on a free port. */
export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const requests: FakeRequest[] = [];
  const queue: Scenario[] = [];
  let sticky: Scenario = 'image';
  const batches: FakeBatch[] = [];
  let autoFinish: BatchItemScenarioPicker | null = null;

  function findBatch(name?: string): FakeBatch {
    const batch = name === undefined ? batches.at(-1) : batches.find((b) => b.name === name || b.name === `batches/${name}`);
    if (!batch) throw new Error(`fake server: no batch ${name ?? '(none created)'}`);
    return batch;
  }

  async function finish(batch: FakeBatch, scenario: BatchItemScenarioPicker = () => 'image'): Promise<FakeBatch> {
    batch.responses = [];
    for (const [index, request] of batch.requests.entries()) {
      const chosen = scenario(index, request, batch.metadata[index]);
      batch.responses.push({ ...(await batchItemAnswer(chosen, request)), ...(batch.metadata[index] && { metadata: batch.metadata[index] }) });
    }
    batch.state = 'BATCH_STATE_SUCCEEDED';
    return batch;
  }

  /** The Batch API's routes: create, get, list, cancel. Answers true when it handled the request. */
  async function batchRoutes(request: FakeRequest, res: ServerResponse): Promise<boolean> {
    if (request.action === 'batchGenerateContent' && request.method === 'POST') {
      const body = request.body as { batch?: { displayName?: string; inputConfig?: { requests?: { requests?: Array<{ request?: { contents?: WireContent[]; generationConfig?: Record<string, unknown> }; metadata?: Record<string, string> }> } } } } | undefined;
      const inlined = body?.batch?.inputConfig?.requests?.requests;
      if (!Array.isArray(inlined)) {
        sendJson(res, 400, googleError(400, 'INVALID_ARGUMENT', 'batch.input_config is required.'));
        return true;
      }
      const batch: FakeBatch = {
        name: `batches/fake-${batches.length + 1}-${Math.random().toString(36).slice(2, 8)}`,
        model: request.model ?? '',
        displayName: body?.batch?.displayName ?? '',
        state: 'BATCH_STATE_PENDING',
        requests: inlined.map((item) => requestFromContents(item.request?.contents ?? [], request.model, item.request?.generationConfig)),
        metadata: inlined.map((item) => item.metadata),
        createdAt: new Date().toISOString(),
        bodyBytes: request.bodyBytes,
      };
      batches.push(batch);
      sendJson(res, 200, batchOperation(batch));
      return true;
    }
    const get = /^\/v1beta\/batches\/([^/:]+)$/.exec(request.path);
    if (get && request.method === 'GET') {
      const batch = batches.find((b) => b.name === `batches/${get[1]}`);
      if (!batch) {
        sendJson(res, 404, googleError(404, 'NOT_FOUND', `Batch batches/${get[1]} not found.`));
        return true;
      }
      if (autoFinish && (batch.state === 'BATCH_STATE_PENDING' || batch.state === 'BATCH_STATE_RUNNING')) await finish(batch, autoFinish);
      sendJson(res, 200, batchOperation(batch));
      return true;
    }
    const cancel = /^\/v1beta\/batches\/([^/:]+):cancel$/.exec(request.path);
    if (cancel && request.method === 'POST') {
      const batch = batches.find((b) => b.name === `batches/${cancel[1]}`);
      if (batch && (batch.state === 'BATCH_STATE_PENDING' || batch.state === 'BATCH_STATE_RUNNING')) batch.state = 'BATCH_STATE_CANCELLED';
      sendJson(res, batch ? 200 : 404, batch ? {} : googleError(404, 'NOT_FOUND', 'Batch not found.'));
      return true;
    }
    if (request.path === '/v1beta/batches' && request.method === 'GET') {
      const start = Number(request.query['pageToken'] ?? 0);
      const size = Number(request.query['pageSize'] ?? 50);
      const page = batches.slice(start, start + size);
      sendJson(res, 200, { operations: page.map(batchOperation), ...(start + size < batches.length && { nextPageToken: String(start + size) }) });
      return true;
    }
    return false;
  }

  async function run(scenario: Scenario, request: FakeRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (typeof scenario === 'function') {
      await scenario(request, res);
      return;
    }
    if (typeof scenario === 'object') {
      await delay(scenario.delayMs, res);
      if (!req.socket.destroyed) await run('image', request, req, res);
      return;
    }
    // Success-shaped scenarios answer the model list normally; failures apply to it too.
    if (request.action === 'list' && ['image', 'text+image', 'two-images', 'with-thoughts', 'blocked', 'image-safety', 'no-image', 'text-only', 'huge'].includes(scenario)) {
      listModels(request, res);
      return;
    }
    switch (scenario) {
      case 'image':
        return answer(request, res, [png(await invertedOrSolid(request))]);
      case 'text+image':
        return answer(request, res, [{ text: MODEL_TEXT }, png(await invertedOrSolid(request))]);
      case 'two-images':
        return answer(request, res, [png(await invertedOrSolid(request)), png(await solidLike(request, RED_RGB))]);
      case 'with-thoughts':
        return answer(request, res, [
          { text: 'Planning the edit: invert the colours.', thought: true },
          { ...png(await solidLike(request, RED_RGB)), thought: true },
          png(await invertedOrSolid(request)),
        ]);
      case 'huge':
        return answer(request, res, [png(await hugeImage())]);
      case 'text-only':
        return answer(request, res, [{ text: REFUSAL_TEXT }]);
      case 'no-image':
        return answer(request, res, [], { finishReason: 'NO_IMAGE' });
      case 'image-safety':
        return answer(request, res, [], { finishReason: 'IMAGE_SAFETY' });
      case 'blocked': {
        const prompt = promptTokens(request);
        request.answeredUsage = { promptTokenCount: prompt, candidatesTokenCount: 0, totalTokenCount: prompt };
        return sendJson(res, 200, {
          promptFeedback: {
            blockReason: 'SAFETY',
            safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
          },
          usageMetadata: { promptTokenCount: prompt, totalTokenCount: prompt },
          modelVersion: request.model,
        });
      }
      case '429-then-ok':
        // The 'image' half was queued when this was taken; see next().
        return sendJson(res, 429, ERRORS.rateLimited, { 'retry-after': '1' });
      case '429-quota':
        return sendJson(res, 429, ERRORS.quota);
      case '500':
        return sendJson(res, 500, ERRORS.internal);
      case '400':
        return sendJson(res, 400, ERRORS.invalid);
      case '401':
        return sendJson(res, 401, ERRORS.unauthenticated);
      case 'bad-key':
        return sendJson(res, 400, ERRORS.badKey);
      case 'slow':
        return run({ name: 'slow', delayMs: SLOW_DEFAULT_MS }, request, req, res);
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        res.end('{"candidates": [{"content": {"role": "model", "parts": [{"text": "unfinis');
        return;
      case 'drop':
        req.socket.destroy();
        return;
    }
  }

  function next(): Scenario {
    const scenario = queue.shift() ?? sticky;
    if (scenario === '429-then-ok') queue.unshift('image');
    return scenario;
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const request = record(req, raw);
      requests.push(request);
      const key = req.headers['x-goog-api-key'];
      if (options.apiKey !== undefined && key !== options.apiKey) {
        sendJson(res, 400, ERRORS.badKey);
        return;
      }
      if (await batchRoutes(request, res)) return;
      const known = (request.action === 'generateContent' && req.method === 'POST') || (request.action === 'list' && req.method === 'GET');
      if (!known) {
        sendJson(res, 404, ERRORS.notFound(request.path));
        return;
      }
      await run(next(), request, req, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, googleError(500, 'INTERNAL', `fake server: ${String(error)}`));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...scenarios) => queue.push(...scenarios),
    use: (scenario) => {
      sticky = scenario;
    },
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      sticky = 'image';
      batches.length = 0;
      autoFinish = null;
    },
    batches,
    finishBatch: (options = {}) => finish(findBatch(options.name), options.scenario),
    endBatch: (state, name) => {
      const batch = findBatch(name);
      batch.state = state;
      return batch;
    },
    autoFinishBatches: (scenario) => {
      autoFinish = scenario;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function listModels(request: FakeRequest, res: ServerResponse): void {
  const start = Number(request.query['pageToken'] ?? 0);
  const size = Math.min(LIST_PAGE_SIZE, Number(request.query['pageSize'] ?? LIST_PAGE_SIZE));
  const page = MODEL_LIST.slice(start, start + size);
  const nextStart = start + size;
  sendJson(res, 200, { models: page, ...(nextStart < MODEL_LIST.length && { nextPageToken: String(nextStart) }) });
}

/** Waits, but gives up as soon as the client goes away. */
function delay(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.on('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

// ─── The Batch API ──────────────────────────────────────────────────────────

/** How one request of a batch is answered: like the single-call scenarios, or a per-request error. */
export type BatchItemScenario = 'image' | 'text+image' | 'blocked' | 'image-safety' | 'no-image' | 'text-only' | 'error';
export type BatchItemScenarioPicker = (index: number, request: FakeRequest, metadata: Record<string, string> | undefined) => BatchItemScenario;

export interface FakeBatch {
  /** "batches/…", as the API names it. */
  name: string;
  model: string;
  displayName: string;
  state: 'BATCH_STATE_PENDING' | 'BATCH_STATE_RUNNING' | 'BATCH_STATE_SUCCEEDED' | 'BATCH_STATE_FAILED' | 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED';
  /** Each inlined request, read like a generateContent request. */
  requests: FakeRequest[];
  metadata: Array<Record<string, string> | undefined>;
  /** The inlined responses, once finished. */
  responses?: unknown[];
  createdAt: string;
  bodyBytes: number;
}

function requestFromContents(contents: WireContent[], model: string | undefined, generationConfig: Record<string, unknown> | undefined): FakeRequest {
  const parsed = contents.map((content) => ({
    role: content.role ?? 'user',
    parts: (content.parts ?? []).map((part): FakePart => ({
      ...(part.text !== undefined && { text: part.text }),
      ...(part.inlineData && { image: { mimeType: part.inlineData.mimeType ?? '', bytes: Buffer.from(part.inlineData.data ?? '', 'base64') } }),
      ...(part.thoughtSignature !== undefined && { thoughtSignature: part.thoughtSignature }),
    })),
  }));
  const allParts = parsed.flatMap((content) => content.parts);
  return {
    method: 'POST',
    path: `/v1beta/models/${model ?? ''}:generateContent`,
    query: {},
    ...(model !== undefined && { model, action: 'generateContent' }),
    headers: {},
    apiKeySent: true,
    bodyBytes: 0,
    body: { contents },
    contents: parsed,
    partCount: allParts.length,
    imageCount: allParts.filter((part) => part.image).length,
    ...(generationConfig && { generationConfig }),
  };
}

/** A generateContent answer as a JSON body (what `answer` sends), for inlined batch responses. */
function answerBody(request: FakeRequest, parts: WirePart[], extra: { finishReason?: string } = {}): Record<string, unknown> {
  const images = parts.filter((part) => 'inlineData' in part && !part.thought).length;
  const textTokens = parts.reduce((sum, part) => sum + ('text' in part ? Math.ceil(part.text.length / 4) : 0), 0);
  const imageTokens = images * TOKENS_PER_OUTPUT_IMAGE;
  const prompt = promptTokens(request);
  const usage: FakeUsage = {
    promptTokenCount: prompt,
    candidatesTokenCount: imageTokens + textTokens,
    totalTokenCount: prompt + imageTokens + textTokens,
    candidatesTokensDetails: [
      ...(imageTokens > 0 ? [{ modality: 'IMAGE', tokenCount: imageTokens }] : []),
      ...(textTokens > 0 ? [{ modality: 'TEXT', tokenCount: textTokens }] : []),
    ],
  };
  request.answeredUsage = usage;
  return {
    candidates: [{ ...(parts.length > 0 && { content: { role: 'model', parts } }), finishReason: extra.finishReason ?? 'STOP', index: 0 }],
    usageMetadata: usage,
    modelVersion: request.model ?? 'gemini-2.5-flash-image',
  };
}

async function batchItemAnswer(scenario: BatchItemScenario, request: FakeRequest): Promise<{ response?: unknown; error?: unknown }> {
  switch (scenario) {
    case 'image':
      return { response: answerBody(request, [png(await invertedOrSolid(request))]) };
    case 'text+image':
      return { response: answerBody(request, [{ text: MODEL_TEXT }, png(await invertedOrSolid(request))]) };
    case 'text-only':
      return { response: answerBody(request, [{ text: REFUSAL_TEXT }]) };
    case 'no-image':
      return { response: answerBody(request, [], { finishReason: 'NO_IMAGE' }) };
    case 'image-safety':
      return { response: answerBody(request, [], { finishReason: 'IMAGE_SAFETY' }) };
    case 'blocked': {
      const prompt = promptTokens(request);
      return { response: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: prompt, totalTokenCount: prompt }, modelVersion: request.model } };
    }
    case 'error':
      return { error: { code: 13, message: 'Internal error while processing this request.' } };
  }
}

/** The long-running operation the API answers for a batch (create, get, list). */
function batchOperation(batch: FakeBatch): Record<string, unknown> {
  const finished = batch.state !== 'BATCH_STATE_PENDING' && batch.state !== 'BATCH_STATE_RUNNING';
  const output = batch.responses ? { inlinedResponses: { inlinedResponses: batch.responses } } : undefined;
  const metadata = {
    '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
    model: `models/${batch.model}`,
    displayName: batch.displayName,
    createTime: batch.createdAt,
    updateTime: new Date().toISOString(),
    batchStats: { requestCount: String(batch.requests.length), pendingRequestCount: String(finished ? 0 : batch.requests.length) },
    state: batch.state,
    name: batch.name,
    ...(output && { output }),
  };
  return {
    name: batch.name,
    metadata,
    ...(finished && { done: true }),
    ...(finished && output && { response: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput', ...output } }),
  };
}
