/**
 * The Gemini Batch API (`ai.batches`) for large cloud sessions: half the price, answers within
 * 24 hours. Requests are sent inline (`src: InlinedRequest[]`), each tagged with its item's key
 * in `metadata`; answers come back inline in the finished job (`dest.inlinedResponses`), read
 * with the same rules as a single call's answer (blocked, safety, no image).
 */
import { ApiError, GoogleGenAI, JobState, Modality } from '@google/genai';
import type { BatchJob, Content, GenerateContentResponse, InlinedRequest, Part } from '@google/genai';
import { actualCostUsd, modelLimits } from '../providers/gemini/models.js';
import { ProviderError, type EditResult, type ProviderImage } from '../providers/types.js';
import type { Prepared, StoredRequest } from '../edit/queue.js';

/** The Batch API bills this share of the list price. */
export const BATCH_PRICE_FACTOR = 0.5;
const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export type BatchState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** One answer of a finished batch: the images, or why there are none. */
export interface BatchAnswer {
  key: string | null;
  index: number;
  result: EditResult | ProviderError;
  /** What the answer cost (refusals are billed too). */
  costUsd: number;
}

export interface BatchStatus {
  name: string;
  state: BatchState;
  /** Set once the job has succeeded. */
  answers?: BatchAnswer[];
}

export interface BatchRequest {
  key: string;
  stored: StoredRequest;
  prepared: Pick<Prepared, 'image' | 'references' | 'conversation' | 'aspectRatio' | 'photoIds'>;
}

export interface BatchClient {
  create(input: { model: string; displayName: string; requests: BatchRequest[] }, signal?: AbortSignal): Promise<{ name: string }>;
  get(name: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** A batch this app created earlier under `displayName` (after a crash between sending and recording it). */
  findByDisplayName(displayName: string): Promise<{ name: string } | null>;
  cancel(name: string): Promise<void>;
}

export interface BatchClientOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs?: number;
}

/** The request a job would send, as an inlined batch request (same parts, same order). */
export function inlinedRequest(request: BatchRequest): InlinedRequest {
  const limits = modelLimits(request.stored.model);
  const signature = limits.needsThoughtSignatures ? SKIP_THOUGHT_SIGNATURE : undefined;
  const contents: Content[] = [];
  for (const turn of request.prepared.conversation) {
    contents.push({ role: 'user', parts: [{ text: turn.prompt }] });
    contents.push({ role: 'model', parts: [inline(turn.output, signature)] });
  }
  const parts: Part[] = [];
  let number = 2;
  for (const reference of request.prepared.references) {
    const kind = reference.role === 'style' ? 'style reference' : 'reference';
    parts.push({ text: reference.label ? `Image ${number++} (${kind}: ${reference.label})` : `Image ${number++} (${kind})` }, inline(reference));
  }
  if (request.prepared.references.length > 0) parts.push({ text: 'Image 1 (the image to edit)' });
  parts.push(inline({ bytes: request.prepared.image, mimeType: 'image/png' }));
  parts.push({ text: request.stored.prompt });
  contents.push({ role: 'user', parts });
  return {
    contents,
    metadata: { key: request.key },
    config: {
      responseModalities: [Modality.IMAGE, Modality.TEXT],
      ...(limits.aspectRatios.includes(request.prepared.aspectRatio) && { imageConfig: { aspectRatio: request.prepared.aspectRatio } }),
    },
  };
}

/** Bytes an inlined request adds to the batch body (base64 images and text). */
export function requestBytes(request: BatchRequest): number {
  const images = request.prepared.image.byteLength + request.prepared.references.reduce((n, r) => n + r.bytes.byteLength, 0) + request.prepared.conversation.reduce((n, t) => n + t.output.bytes.byteLength, 0);
  return Math.ceil((images * 4) / 3) + request.stored.prompt.length + 512;
}

export function createGeminiBatchClient(options: BatchClientOptions): BatchClient {
  const ai = new GoogleGenAI({
    vertexai: false,
    apiKey: options.apiKey,
    httpOptions: { baseUrl: options.baseUrl ?? DEFAULT_BASE_URL, timeout: options.timeoutMs ?? 300_000, retryOptions: { attempts: 1 } },
  });

  return {
    async create({ model, displayName, requests }, signal) {
      try {
        const job = await ai.batches.create({
          model,
          src: requests.map(inlinedRequest),
          config: { displayName, ...(signal && { abortSignal: signal }) },
        });
        if (!job.name) throw new ProviderError('server', 'Gemini accepted the batch but gave it no name.');
        return { name: job.name };
      } catch (error) {
        throw toBatchError(error, options.apiKey);
      }
    },
    async get(name, signal) {
      let job: BatchJob;
      try {
        job = await ai.batches.get({ name, ...(signal && { config: { abortSignal: signal } }) });
      } catch (error) {
        throw toBatchError(error, options.apiKey);
      }
      const state = stateOf(job.state);
      if (state !== 'succeeded') return { name, state };
      const model = (job.model ?? '').replace(/^models\//, '');
      const answers = (job.dest?.inlinedResponses ?? []).map((inlined, index): BatchAnswer => {
        const key = inlined.metadata?.['key'] ?? null;
        if (inlined.error || !inlined.response) {
          return { key, index, result: itemError(inlined.error), costUsd: 0 };
        }
        const costUsd = actualCostUsd(model || 'gemini-2.5-flash-image', inlined.response.usageMetadata) * BATCH_PRICE_FACTOR;
        return { key, index, result: readAnswer(inlined.response, model, costUsd, options.apiKey), costUsd };
      });
      return { name, state, answers };
    },
    async findByDisplayName(displayName) {
      try {
        const pager = await ai.batches.list({ config: { pageSize: 100 } });
        for await (const job of pager) if (job.displayName === displayName && job.name) return { name: job.name };
        return null;
      } catch (error) {
        throw toBatchError(error, options.apiKey);
      }
    },
    async cancel(name) {
      try {
        await ai.batches.cancel({ name });
      } catch (error) {
        throw toBatchError(error, options.apiKey);
      }
    },
  };
}

function inline(image: ProviderImage, thoughtSignature?: string): Part {
  return { inlineData: { mimeType: image.mimeType, data: Buffer.from(image.bytes).toString('base64') }, ...(thoughtSignature !== undefined && { thoughtSignature }) };
}

function stateOf(state: JobState | undefined): BatchState {
  switch (state) {
    case JobState.JOB_STATE_SUCCEEDED:
    case JobState.JOB_STATE_PARTIALLY_SUCCEEDED:
      return 'succeeded';
    case JobState.JOB_STATE_FAILED:
      return 'failed';
    case JobState.JOB_STATE_CANCELLED:
    case JobState.JOB_STATE_CANCELLING:
      return 'cancelled';
    case JobState.JOB_STATE_EXPIRED:
      return 'expired';
    case JobState.JOB_STATE_RUNNING:
      return 'running';
    default:
      return 'pending';
  }
}

const SAFETY_FINISH = new Set(['SAFETY', 'IMAGE_SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'RECITATION', 'IMAGE_RECITATION']);

/** One inlined answer, read like a single call's answer. */
function readAnswer(response: GenerateContentResponse, model: string, costUsd: number, apiKey: string): EditResult | ProviderError {
  const usage = response.usageMetadata;
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) return new ProviderError('blocked', `Gemini refused the prompt for this photo (blocked: ${blockReason}). Rephrase it and retry the photo.`);
  const candidate = response.candidates?.[0];
  const images: ProviderImage[] = [];
  const texts: string[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.thought) continue;
    if (part.text) texts.push(part.text);
    const data = part.inlineData?.data;
    if (data) {
      const bytes = new Uint8Array(Buffer.from(data, 'base64'));
      const mimeType = imageType(bytes);
      if (mimeType) images.push({ bytes, mimeType });
    }
  }
  const text = scrub(texts.join('\n').trim(), apiKey);
  if (images.length > 0) {
    return { images, text, model, usage: { inputTokens: usage?.promptTokenCount ?? 0, outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0), costUsd } };
  }
  const finishReason = candidate?.finishReason;
  if (finishReason && SAFETY_FINISH.has(finishReason)) {
    return new ProviderError('safety', `Gemini's safety filter stopped the result for this photo (${finishReason}). Try a different prompt.`, text ? { text } : {});
  }
  return new ProviderError(
    'no-image',
    text ? `Gemini answered without an image: "${text.length > 300 ? `${text.slice(0, 299)}…` : text}"` : `Gemini returned no image for this photo (${finishReason ?? 'no candidates'}).`,
    { text },
  );
}

function itemError(error: { code?: number; message?: string } | undefined): ProviderError {
  const code = error?.code;
  const words = (error?.message ?? '').split('\n')[0]?.slice(0, 200) ?? '';
  const said = words ? `: ${words}` : '';
  if (code === 3 || code === 400) return new ProviderError('bad-request', `Gemini rejected this photo's request in the batch${said}.`);
  if (code === 8 || code === 429) return new ProviderError('quota', `Gemini ran out of quota for this photo in the batch${said}. Retry it later.`);
  return new ProviderError('server', `Gemini could not process this photo in the batch${said}. Retry it.`);
}

function imageType(bytes: Uint8Array): ProviderImage['mimeType'] | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

/** What a failed batch call means for the session: wait for the network, stop, or report. */
function toBatchError(error: unknown, apiKey: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof ApiError || (error instanceof Error && error.name === 'ApiError' && typeof (error as { status?: unknown }).status === 'number')) {
    const status = (error as ApiError).status;
    const message = scrub(error.message, apiKey).slice(0, 300);
    if (status === 401 || status === 403 || /API key not valid/i.test(message)) return new ProviderError('auth', 'The Gemini API key was refused. Check the key in Settings.', { status });
    if (status === 429) return new ProviderError('rate-limit', 'Gemini is busy with too many batch requests; the session will try again.', { status });
    if (status >= 500) return new ProviderError('server', `Gemini had a server problem with the batch (HTTP ${status}); the session will try again.`, { status });
    return new ProviderError('bad-request', `Gemini rejected the batch (HTTP ${status}): ${message}`, { status });
  }
  const chain: Array<{ name?: string; message?: string; code?: string }> = [];
  for (let current: unknown = error; current && typeof current === 'object' && chain.length < 8; current = (current as { cause?: unknown }).cause) {
    chain.push(current as { name?: string; message?: string; code?: string });
  }
  if (chain.some((link) => link.name === 'AbortError' || link.name === 'TimeoutError')) return new ProviderError('timeout', 'Gemini did not answer the batch request in time; the session will try again.');
  if (chain.some((link) => (link.code && NETWORK_CODES.has(link.code)) || (link.name === 'TypeError' && /fetch failed|terminated|network/i.test(link.message ?? '')))) {
    return new ProviderError('network', 'Could not reach Gemini; the batch will be sent (or checked) when the network is back.');
  }
  return new ProviderError('server', `The batch request failed: ${scrub(error instanceof Error ? error.message : String(error), apiKey).slice(0, 300)}`);
}

function scrub(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[API key]') : text;
}
