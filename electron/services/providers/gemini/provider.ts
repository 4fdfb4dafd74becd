/**
 * The Gemini provider: turns an EditRequest into `models.generateContent` calls through the
 * official SDK and every failure into a ProviderError a person can read. It never retries; the
 * job queue decides that from `ProviderError.retryable`.
 */
import type { ApiError, GoogleGenAI, Modality } from '@google/genai';
import type * as GenAi from '@google/genai';
import type { Content, GenerateContentResponse, Part } from '@google/genai';
import {
  ProviderError,
  type EditRequest,
  type EditResult,
  type EditUsage,
  type Provider,
  type ProviderImage,
  type ReferenceImage,
} from '../types.js';
import { actualCostUsd, MODELS, modelLimits, type GeminiModelLimits } from './models.js';

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
const DEFAULT_TIMEOUT_MS = 180_000;
const MAX_VARIANTS = 8;
/** Gemini 3's documented value for model turns whose thought signature was not kept. */
const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export interface GeminiProviderOptions {
  apiKey: string;
  /** The API host, without the version ("http://127.0.0.1:PORT" for the fake server). */
  baseUrl?: string;
  /** Per call; also sent to the server as X-Server-Timeout. */
  timeoutMs?: number;
  /** Not supported on purpose: tests point `baseUrl` at a fake server and use the real fetch. */
  fetchImpl?: never;
}

/** An image model the key can use, for the model picker in Settings. */
export interface GeminiModelInfo {
  /** The id to put in EditRequest.model ("gemini-2.5-flash-image"). */
  name: string;
  displayName: string;
  description: string;
  /** Whether models.ts has its limits and prices. */
  known: boolean;
}

export interface GeminiProvider extends Provider {
  readonly id: 'gemini';
  /** The image-capable models this key can use; known models first. */
  listModels(options?: { signal?: AbortSignal }): Promise<GeminiModelInfo[]>;
}

/** What one generateContent call gave back; a refusal still carries its (billed) usage. */
interface CallOutcome {
  images: ProviderImage[];
  text: string;
  usage: EditUsage;
  refusal?: ProviderError;
}

/** Creates the provider. The client is built once; every call is a single HTTP attempt. */
export function createGeminiProvider(options: GeminiProviderOptions): GeminiProvider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hasKey = options.apiKey.trim() !== '';
  // The SDK takes half a second to load, so it is loaded with the first provider, not at start.
  const client: Promise<GoogleGenAI> = loadSdk().then((sdk) => new sdk.GoogleGenAI({
    // Explicit, so GOOGLE_GENAI_USE_VERTEXAI or GOOGLE_GEMINI_BASE_URL in the environment cannot
    // send the user's key somewhere else.
    vertexai: false,
    // A placeholder keeps the SDK from warning or reading GEMINI_API_KEY; no call is made without a key.
    apiKey: hasKey ? options.apiKey : 'unset',
    httpOptions: {
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      timeout: timeoutMs,
      // One attempt: the job queue owns retries and tells the user about them.
      retryOptions: { attempts: 1 },
    },
  }));
  const errorContext = { apiKey: options.apiKey, timeoutMs };

  async function callOnce(request: EditRequest, limits: GeminiModelLimits, contents: Content[], signal: AbortSignal): Promise<CallOutcome> {
    const seen: SeenResponse = {};
    let response: GenerateContentResponse;
    try {
      const ai = await client;
      response = await ai.models.generateContent({
        model: request.model,
        contents,
        config: {
          responseModalities: ['IMAGE' as Modality, 'TEXT' as Modality],
          ...(request.aspectRatio !== undefined && { imageConfig: { aspectRatio: request.aspectRatio } }),
          abortSignal: signal,
          // A CONTINUATION answer would otherwise make the SDK send (and bill) more requests.
          automaticContinuation: false,
          httpOptions: { fetch: watchingFetch(seen) },
        },
      });
    } catch (error) {
      throw toProviderError(error, { ...errorContext, model: request.model, callerAborted: request.signal?.aborted ?? false, retryAfterHeader: seen.retryAfter });
    }
    return readResponse(response, limits.name, options.apiKey);
  }

  function requireKey(): void {
    if (!hasKey) throw new ProviderError('auth', 'No Gemini API key is set. Add one in Settings.');
  }

  async function edit(request: EditRequest): Promise<EditResult> {
    requireKey();
    const limits = modelLimits(request.model);
    checkRequest(request, limits);
    if (request.signal?.aborted) throw cancelled();
    const contents = buildContents(request, limits);

    // Image models answer one candidate per call, so N variants are N calls in parallel. A
    // failure that dooms every call (bad key, quota, network) cancels the others.
    const siblings = new AbortController();
    const forwardAbort = () => siblings.abort();
    request.signal?.addEventListener('abort', forwardAbort, { once: true });
    const failed: { first?: ProviderError } = {};
    try {
      const settled = await Promise.all(
        Array.from({ length: request.variants }, () =>
          callOnce(request, limits, contents, siblings.signal).catch((error: unknown) => {
            const failure = error instanceof ProviderError ? error : toProviderError(error, { ...errorContext, model: request.model, callerAborted: request.signal?.aborted ?? false });
            if (!failed.first) {
              failed.first = failure;
              siblings.abort();
            }
            return undefined;
          }),
        ),
      );
      if (failed.first) throw request.signal?.aborted ? cancelled() : failed.first;
      const outcomes = settled.filter((outcome): outcome is CallOutcome => outcome !== undefined);
      return mergeOutcomes(outcomes, request.model);
    } finally {
      request.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  async function listModels(listOptions: { signal?: AbortSignal } = {}): Promise<GeminiModelInfo[]> {
    requireKey();
    const found: GeminiModelInfo[] = [];
    try {
      const ai = await client;
      const pager = await ai.models.list({ config: { pageSize: 100, ...(listOptions.signal && { abortSignal: listOptions.signal }) } });
      for await (const model of pager) {
        const name = (model.name ?? '').replace(/^models\//, '');
        const generates = model.supportedActions === undefined || model.supportedActions.includes('generateContent');
        // Imagen models use `predict`, not generateContent; they are not edit models.
        if (!name.includes('image') || name.startsWith('imagen') || !generates) continue;
        const known = modelLimits(name).known;
        found.push({ name, displayName: model.displayName ?? name, description: model.description ?? '', known });
      }
    } catch (error) {
      throw toProviderError(error, { ...errorContext, model: '', callerAborted: listOptions.signal?.aborted ?? false });
    }
    const order = Object.keys(MODELS);
    const rank = (info: GeminiModelInfo) => (info.known ? order.indexOf(info.name) : order.length);
    return found.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  }

  return { id: 'gemini', edit, listModels };
}

/** Refuses, before any upload, what the model is known not to take. */
function checkRequest(request: EditRequest, limits: GeminiModelLimits): void {
  if (!Number.isInteger(request.variants) || request.variants < 1 || request.variants > MAX_VARIANTS) {
    throw new ProviderError('bad-request', `Ask for between 1 and ${MAX_VARIANTS} variants (this edit asked for ${request.variants}).`);
  }
  if (request.references.length > limits.maxReferenceImages) {
    throw new ProviderError(
      'bad-request',
      `${limits.label} takes at most ${limits.maxReferenceImages} reference images; this edit has ${request.references.length}. Remove some or pick a model that takes more.`,
    );
  }
  if (request.aspectRatio !== undefined && !limits.aspectRatios.includes(request.aspectRatio)) {
    throw new ProviderError(
      'bad-request',
      `${limits.label} cannot make a ${request.aspectRatio} image; it offers ${limits.aspectRatios.join(', ')}.`,
    );
  }
  if (request.prompt.trim() === '') {
    throw new ProviderError('bad-request', 'Say what to change: the prompt is empty.');
  }
}

function inlineImage(image: ProviderImage, thoughtSignature?: string): Part {
  return {
    inlineData: { mimeType: image.mimeType, data: Buffer.from(image.bytes).toString('base64') },
    ...(thoughtSignature !== undefined && { thoughtSignature }),
  };
}

function referenceLabel(reference: ReferenceImage, number: number): string {
  const kind = reference.role === 'style' ? 'style reference' : 'reference';
  return reference.label ? `Image ${number} (${kind}: ${reference.label})` : `Image ${number} (${kind})`;
}

/**
 * Earlier turns as user (prompt) / model (its output image) pairs, then this turn: each
 * reference after a label the prompt can name, the image being edited, and the prompt last.
 * The Batch API sends the same contents (sessions/gemini-batch.ts).
 */
export function buildContents(request: Pick<EditRequest, 'prompt' | 'image' | 'references' | 'conversation'>, limits: GeminiModelLimits): Content[] {
  const contents: Content[] = [];
  const signature = limits.needsThoughtSignatures ? SKIP_THOUGHT_SIGNATURE : undefined;
  for (const turn of request.conversation) {
    contents.push({ role: 'user', parts: [{ text: turn.prompt }] });
    contents.push({ role: 'model', parts: [inlineImage(turn.output, signature)] });
  }
  const parts: Part[] = [];
  let number = request.image ? 2 : 1;
  for (const reference of request.references) {
    parts.push({ text: referenceLabel(reference, number++) }, inlineImage(reference));
  }
  if (request.image) {
    if (request.references.length > 0) parts.push({ text: 'Image 1 (the image to edit)' });
    parts.push(inlineImage(request.image));
  }
  parts.push({ text: request.prompt });
  contents.push({ role: 'user', parts });
  return contents;
}

/** Finish reasons that mean a safety filter stopped the result. */
export const SAFETY_FINISH: ReadonlySet<string> = new Set(['SAFETY', 'IMAGE_SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'RECITATION', 'IMAGE_RECITATION']);

function usageOf(response: GenerateContentResponse, model: string): EditUsage {
  const usage = response.usageMetadata;
  return {
    inputTokens: usage?.promptTokenCount ?? 0,
    outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
    costUsd: actualCostUsd(model, usage),
  };
}

/** What an answer holds: the final parts' images and text, and why it may hold none. */
export interface AnswerParts {
  images: ProviderImage[];
  /** The text parts joined, trimmed, not scrubbed. */
  text: string;
  blockReason?: string;
  finishReason?: string;
}

/**
 * Reads the first candidate's parts. `response.data` is not used: it concatenates the base64 of
 * every image part into one string. A blocked prompt has no parts to read.
 */
export function readAnswerParts(response: GenerateContentResponse): AnswerParts {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) return { images: [], text: '', blockReason };
  const candidate = response.candidates?.[0];
  const images: ProviderImage[] = [];
  const texts: string[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    // Gemini 3 shows its drafts as thought parts; only the final parts are the answer.
    if (part.thought) continue;
    if (part.text) texts.push(part.text);
    const data = part.inlineData?.data;
    if (data) {
      const bytes = new Uint8Array(Buffer.from(data, 'base64'));
      const mimeType = imageType(bytes);
      if (mimeType) images.push({ bytes, mimeType });
    }
  }
  return { images, text: texts.join('\n').trim(), ...(candidate?.finishReason !== undefined && { finishReason: candidate.finishReason }) };
}

function readResponse(response: GenerateContentResponse, model: string, apiKey: string): CallOutcome {
  const usage = usageOf(response, model);
  const { images, text, blockReason, finishReason } = readAnswerParts(response);
  if (blockReason) {
    return {
      images: [],
      text: '',
      usage,
      refusal: new ProviderError('blocked', `Gemini refused the prompt (blocked: ${blockReason}). Rephrase it, or try a different image, and run the edit again.`),
    };
  }
  if (images.length > 0) return { images, text, usage };

  if (finishReason && SAFETY_FINISH.has(finishReason)) {
    return {
      images: [],
      text,
      usage,
      refusal: new ProviderError('safety', `Gemini's safety filter stopped the result (${finishReason}). Try a different prompt or image.`, text ? { text: scrub(text, apiKey) } : {}),
    };
  }
  const message = text
    ? `Gemini answered without an image: "${shorten(scrub(text, apiKey), 300)}"`
    : `Gemini returned no image (${finishReason ?? 'no candidates'}). Rephrase the prompt and try again.`;
  return { images: [], text, usage, refusal: new ProviderError('no-image', message, { text: scrub(text, apiKey) }) };
}

/** The type from the bytes themselves: the API's mimeType label is not always the format. */
function imageType(bytes: Uint8Array): ProviderImage['mimeType'] | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

/** All variants' images in call order; usage summed, refused calls included (they are billed). */
function mergeOutcomes(outcomes: CallOutcome[], model: string): EditResult {
  const images = outcomes.flatMap((outcome) => outcome.images);
  const usage: EditUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const outcome of outcomes) {
    usage.inputTokens += outcome.usage.inputTokens;
    usage.outputTokens += outcome.usage.outputTokens;
    usage.costUsd += outcome.usage.costUsd;
  }
  if (images.length === 0) {
    const refusal = outcomes.find((outcome) => outcome.refusal)?.refusal;
    throw refusal ?? new ProviderError('no-image', 'Gemini returned no image. Rephrase the prompt and try again.');
  }
  const text = [...new Set(outcomes.map((outcome) => outcome.text).filter((part) => part !== ''))].join('\n\n');
  return { images, text, usage, model };
}

// ─── Failures ───────────────────────────────────────────────────────────────

interface SeenResponse {
  retryAfter?: string | null;
}

/**
 * The SDK's ApiError keeps only the status and the body, so the Retry-After header is read
 * here, on the way through.
 */
function watchingFetch(seen: SeenResponse): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.ok) seen.retryAfter = response.headers.get('retry-after');
    return response;
  };
}

interface ErrorContext {
  apiKey: string;
  timeoutMs: number;
  model: string;
  callerAborted: boolean;
  retryAfterHeader?: string | null | undefined;
}

interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown>>;
}

function cancelled(): ProviderError {
  return new ProviderError('cancelled', 'The edit was cancelled.');
}

export const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The error and its causes, outermost first. */
export function causes(error: unknown): Array<{ name?: string; message?: string; code?: string }> {
  const chain: Array<{ name?: string; message?: string; code?: string }> = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 8) {
    chain.push(current as { name?: string; message?: string; code?: string });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** Maps whatever the SDK or fetch threw to a ProviderError whose message never holds the key. */
function toProviderError(error: unknown, context: ErrorContext): ProviderError {
  const failure = classify(error, context);
  const clean = new ProviderError(failure.kind, scrub(failure.message, context.apiKey), {
    ...failure.details,
    ...(failure.details.text !== undefined && { text: scrub(failure.details.text, context.apiKey) }),
  });
  return clean;
}

function classify(error: unknown, context: ErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  if (context.callerAborted) return cancelled();
  if (isApiError(error)) {
    return fromHttpError((error as ApiError).status, error.message, context);
  }
  const chain = causes(error);
  if (chain.some((link) => link.name === 'AbortError' || link.name === 'TimeoutError')) {
    return new ProviderError('timeout', `Gemini did not answer within ${Math.round(context.timeoutMs / 1000)} s. Try again, or try a smaller image.`);
  }
  const codes = chain.map((link) => link.code).filter((code): code is string => typeof code === 'string');
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new ProviderError('timeout', `Gemini did not answer in time. Try again.`);
  }
  const networkCode = codes.find((code) => NETWORK_CODES.has(code));
  if (networkCode || chain.some((link) => link.name === 'TypeError' && /fetch failed|terminated|network/i.test(link.message ?? ''))) {
    return new ProviderError('network', `Could not reach Gemini${networkCode ? ` (${networkCode})` : ''}. Check the internet connection; the edit can run when it is back.`);
  }
  if (error instanceof SyntaxError) {
    return new ProviderError('server', 'Gemini sent an answer that could not be read. Trying again usually helps.');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('server', `The Gemini request failed: ${shorten(message, 300)}`);
}

function parseErrorBody(message: string): GoogleErrorBody {
  try {
    const parsed = JSON.parse(message) as { error?: GoogleErrorBody } | Array<{ error?: GoogleErrorBody }>;
    const body = Array.isArray(parsed) ? parsed[0]?.error : parsed.error;
    if (body && typeof body === 'object') return body;
  } catch {
    // Not JSON (an HTML page from a proxy): the text itself is the message.
  }
  return { message };
}

function detailOfType(body: GoogleErrorBody, type: string): Record<string, unknown> | undefined {
  return body.details?.find((detail) => typeof detail['@type'] === 'string' && detail['@type'].endsWith(type));
}

/** The server's own words, first line only, shortened. */
function serverWords(body: GoogleErrorBody): string {
  const line = (body.message ?? '').split('\n')[0]?.trim() ?? '';
  return shorten(line, 200);
}

function fromHttpError(status: number, rawMessage: string, context: ErrorContext): ProviderError {
  const body = parseErrorBody(rawMessage);
  const words = serverWords(body);
  const said = words ? ` (${words})` : '';
  const reason = detailOfType(body, 'google.rpc.ErrorInfo')?.['reason'];
  if (status === 401 || status === 403 || reason === 'API_KEY_INVALID' || /API key not valid/i.test(body.message ?? '')) {
    return new ProviderError('auth', `The Gemini API key was refused${said}. Check the key in Settings.`, { status });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(context.retryAfterHeader) ?? retryDelayOf(body);
    if (isQuotaExhausted(body, retryAfterMs)) {
      return new ProviderError('quota', `Your Gemini quota is used up${said}. Wait for it to reset, or check your plan and billing.`, { status });
    }
    const wait = retryAfterMs !== undefined ? ` in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s` : ' in a minute';
    return new ProviderError('rate-limit', `Gemini is getting too many requests; try again${wait}.`, {
      status,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });
  }
  if (status === 408) {
    return new ProviderError('timeout', `Gemini did not answer in time (HTTP 408). Try again.`, { status });
  }
  if (status >= 500) {
    return new ProviderError('server', `Gemini had a server problem (HTTP ${status}${words ? `: ${words}` : ''}). Trying again usually helps.`, { status });
  }
  if (status === 404 && context.model) {
    return new ProviderError('bad-request', `Gemini does not offer the model "${context.model}"${said}. Pick another model in Settings.`, { status });
  }
  return new ProviderError('bad-request', `Gemini rejected the request${said}.`, { status });
}

/**
 * Gemini answers 429 RESOURCE_EXHAUSTED both for "too many per minute" and "none left today".
 * Only a daily (or zero) limit is worth reporting as quota: waiting a minute will not help.
 */
function isQuotaExhausted(body: GoogleErrorBody, retryAfterMs: number | undefined): boolean {
  const violations = detailOfType(body, 'google.rpc.QuotaFailure')?.['violations'];
  const list = Array.isArray(violations) ? (violations as Array<Record<string, unknown>>) : [];
  const daily = list.some((violation) => {
    const id = `${String(violation['quotaId'] ?? '')} ${String(violation['quotaMetric'] ?? '')}`;
    return /per\s*day/i.test(id) || String(violation['quotaValue'] ?? '') === '0';
  });
  if (daily || /\blimit: 0\b/.test(body.message ?? '')) return true;
  // Without details, only the explicit "exceeded your current quota" with no hint of when to
  // retry; the generic "Resource has been exhausted (e.g. check quota)" is a rate limit.
  return list.length === 0 && retryAfterMs === undefined && /exceeded your current quota/i.test(body.message ?? '');
}

/** `Retry-After: 12` or an HTTP date. */
function parseRetryAfter(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** google.rpc.RetryInfo's `retryDelay`, a protobuf Duration such as "13s" or "0.5s". */
function retryDelayOf(body: GoogleErrorBody): number | undefined {
  const delay = detailOfType(body, 'google.rpc.RetryInfo')?.['retryDelay'];
  if (typeof delay === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
    if (match?.[1]) return Math.round(Number(match[1]) * 1000);
  }
  if (delay && typeof delay === 'object') {
    const { seconds, nanos } = delay as { seconds?: number | string; nanos?: number };
    return Math.round(Number(seconds ?? 0) * 1000 + Number(nanos ?? 0) / 1e6);
  }
  return undefined;
}

/** The text with the API key blanked out. */
export function scrub(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[API key]') : text;
}

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

type GenAiSdk = typeof GenAi;
let sdk: Promise<GenAiSdk> | null = null;

/** The SDK module, loaded once on first use. */
export function loadSdk(): Promise<GenAiSdk> {
  return (sdk ??= import('@google/genai'));
}

/** The SDK's ApiError, recognised without loading the SDK (it carries its name and HTTP status). */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof Error && error.name === 'ApiError' && typeof (error as { status?: unknown }).status === 'number';
}
