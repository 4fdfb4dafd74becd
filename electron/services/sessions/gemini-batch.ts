/**
 * The Gemini Batch API (`ai.batches`) for large cloud sessions: half the price, answers within
 * 24 hours. Requests are sent inline (`src: InlinedRequest[]`), each tagged with its item's key
 * in `metadata`; answers come back inline in the finished job (`dest.inlinedResponses`), read
 * with the same rules as a single call's answer (blocked, safety, no image).
 */
import type { GoogleGenAI, JobState, Modality } from '@google/genai';
import type { BatchJob, GenerateContentResponse, InlinedRequest } from '@google/genai';
import { actualCostUsd, modelLimits } from '../providers/gemini/models.js';
import { buildContents, causes, isApiError, loadSdk, NETWORK_CODES, readAnswerParts, SAFETY_FINISH, scrub, shorten } from '../providers/gemini/provider.js';
import { ProviderError, type EditResult } from '../providers/types.js';
import type { Prepared, StoredRequest } from '../edit/queue.js';

/** The Batch API bills this share of the list price. */
export const BATCH_PRICE_FACTOR = 0.5;
const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

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
  const contents = buildContents(
    {
      prompt: request.stored.prompt,
      image: { bytes: request.prepared.image, mimeType: 'image/png' },
      references: request.prepared.references,
      conversation: request.prepared.conversation,
    },
    limits,
  );
  return {
    contents,
    metadata: { key: request.key },
    config: {
      responseModalities: ['IMAGE' as Modality, 'TEXT' as Modality],
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
  const client: Promise<GoogleGenAI> = loadSdk().then(
    (sdk) =>
      new sdk.GoogleGenAI({
        vertexai: false,
        apiKey: options.apiKey,
        httpOptions: { baseUrl: options.baseUrl ?? DEFAULT_BASE_URL, timeout: options.timeoutMs ?? 300_000, retryOptions: { attempts: 1 } },
      }),
  );

  return {
    async create({ model, displayName, requests }, signal) {
      try {
        const job = await (await client).batches.create({
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
        job = await (await client).batches.get({ name, ...(signal && { config: { abortSignal: signal } }) });
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
        const pager = await (await client).batches.list({ config: { pageSize: 100 } });
        for await (const job of pager) if (job.displayName === displayName && job.name) return { name: job.name };
        return null;
      } catch (error) {
        throw toBatchError(error, options.apiKey);
      }
    },
    async cancel(name) {
      try {
        await (await client).batches.cancel({ name });
      } catch (error) {
        throw toBatchError(error, options.apiKey);
      }
    },
  };
}

function stateOf(state: JobState | undefined): BatchState {
  switch (state) {
    case 'JOB_STATE_SUCCEEDED':
    case 'JOB_STATE_PARTIALLY_SUCCEEDED':
      return 'succeeded';
    case 'JOB_STATE_FAILED':
      return 'failed';
    case 'JOB_STATE_CANCELLED':
    case 'JOB_STATE_CANCELLING':
      return 'cancelled';
    case 'JOB_STATE_EXPIRED':
      return 'expired';
    case 'JOB_STATE_RUNNING':
      return 'running';
    default:
      return 'pending';
  }
}

/** One inlined answer, read like a single call's answer. */
function readAnswer(response: GenerateContentResponse, model: string, costUsd: number, apiKey: string): EditResult | ProviderError {
  const usage = response.usageMetadata;
  const { images, text: raw, blockReason, finishReason } = readAnswerParts(response);
  if (blockReason) return new ProviderError('blocked', `Gemini refused the prompt for this photo (blocked: ${blockReason}). Rephrase it and retry the photo.`);
  const text = scrub(raw, apiKey);
  if (images.length > 0) {
    return { images, text, model, usage: { inputTokens: usage?.promptTokenCount ?? 0, outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0), costUsd } };
  }
  if (finishReason && SAFETY_FINISH.has(finishReason)) {
    return new ProviderError('safety', `Gemini's safety filter stopped the result for this photo (${finishReason}). Try a different prompt.`, text ? { text } : {});
  }
  return new ProviderError(
    'no-image',
    text ? `Gemini answered without an image: "${shorten(text, 300)}"` : `Gemini returned no image for this photo (${finishReason ?? 'no candidates'}).`,
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

/** What a failed batch call means for the session: wait for the network, stop, or report. */
function toBatchError(error: unknown, apiKey: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (isApiError(error)) {
    const status = error.status;
    const message = scrub(error.message, apiKey).slice(0, 300);
    if (status === 401 || status === 403 || /API key not valid/i.test(message)) return new ProviderError('auth', 'The Gemini API key was refused. Check the key in Settings.', { status });
    if (status === 429) return new ProviderError('rate-limit', 'Gemini is busy with too many batch requests; the session will try again.', { status });
    if (status >= 500) return new ProviderError('server', `Gemini had a server problem with the batch (HTTP ${status}); the session will try again.`, { status });
    return new ProviderError('bad-request', `Gemini rejected the batch (HTTP ${status}): ${message}`, { status });
  }
  const chain = causes(error);
  if (chain.some((link) => link.name === 'AbortError' || link.name === 'TimeoutError')) return new ProviderError('timeout', 'Gemini did not answer the batch request in time; the session will try again.');
  if (chain.some((link) => (link.code && NETWORK_CODES.has(link.code)) || (link.name === 'TypeError' && /fetch failed|terminated|network/i.test(link.message ?? '')))) {
    return new ProviderError('network', 'Could not reach Gemini; the batch will be sent (or checked) when the network is back.');
  }
  return new ProviderError('server', `The batch request failed: ${scrub(error instanceof Error ? error.message : String(error), apiKey).slice(0, 300)}`);
}
