import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actualCostUsd, DEFAULT_MODEL, estimateCostUsd, MODELS, modelLimits, WORKING_EDGE } from '../../../electron/services/providers/gemini/models.js';
import { createGeminiProvider, type GeminiProvider } from '../../../electron/services/providers/gemini/provider.js';
import { ProviderError, type EditRequest, type ProviderImage } from '../../../electron/services/providers/types.js';
import {
  hugeImage,
  MODEL_TEXT,
  RED_RGB,
  REFUSAL_TEXT,
  sendJson,
  startFakeGemini,
  TOKENS_PER_OUTPUT_IMAGE,
  type FakeGemini,
} from '../../fakes/gemini-server.js';

const API_KEY = 'AIzaSyFAKE-promptroom-test-key-0123456789';
const INPUT_RGB = { r: 200, g: 100, b: 40 };

/** A small PNG in one colour, the way the job queue hands images to a provider. */
async function solidImage(colour: { r: number; g: number; b: number }, width = 32, height = 24): Promise<ProviderImage> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
  return { bytes: new Uint8Array(bytes), mimeType: 'image/png' };
}

async function pixelAt(image: ProviderImage, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(image.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

let input: ProviderImage;
function editRequest(overrides: Partial<EditRequest> = {}): EditRequest {
  return { prompt: 'Invert the colours', model: DEFAULT_MODEL, image: input, references: [], conversation: [], variants: 1, ...overrides };
}

/** Every ProviderError seen in this file, to check none of them ever shows the key. */
const seenErrors: ProviderError[] = [];
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    seenErrors.push(error as ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the edit to fail');
}

describe('Gemini provider against the fake Gemini server', () => {
  let fake: FakeGemini;
  let gemini: GeminiProvider;

  beforeAll(async () => {
    input = await solidImage(INPUT_RGB);
  });
  // A server per test: a request a test cancelled can still land late, and must not take the
  // next test's scenario.
  beforeEach(async () => {
    fake = await startFakeGemini();
    gemini = createGeminiProvider({ apiKey: API_KEY, baseUrl: fake.baseUrl, timeoutMs: 10_000 });
  });
  afterEach(() => fake.close());

  describe('answers with images', () => {
    it('returns the edited image with its real pixels, usage and cost', async () => {
      fake.enqueue('image');
      const result = await gemini.edit(editRequest());

      expect(result.images).toHaveLength(1);
      expect(result.images[0]!.mimeType).toBe('image/png');
      expect(await pixelAt(result.images[0]!, 5, 5)).toEqual([255 - INPUT_RGB.r, 255 - INPUT_RGB.g, 255 - INPUT_RGB.b]);
      const meta = await sharp(result.images[0]!.bytes).metadata();
      expect([meta.width, meta.height]).toEqual([32, 24]);
      expect(result.text).toBe('');
      expect(result.model).toBe(DEFAULT_MODEL);

      const usage = fake.requests[0]!.answeredUsage!;
      expect(result.usage.inputTokens).toBe(usage.promptTokenCount);
      expect(result.usage.outputTokens).toBe(TOKENS_PER_OUTPUT_IMAGE);
      // 1290 image tokens at $30 / 1M, plus the prompt at $0.30 / 1M.
      expect(result.usage.costUsd).toBeCloseTo(0.0387 + (usage.promptTokenCount * 0.3) / 1e6, 10);
      expect(result.usage.costUsd).toBeCloseTo(actualCostUsd(DEFAULT_MODEL, usage), 12);
    });

    it('sends one request with the image, the prompt, the key header and the image modalities', async () => {
      await gemini.edit(editRequest({ aspectRatio: '16:9' }));

      expect(fake.requests).toHaveLength(1);
      const sent = fake.requests[0]!;
      expect(sent.method).toBe('POST');
      expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
      expect(sent.apiKeySent).toBe(true);
      expect(JSON.stringify(sent.headers) + JSON.stringify(sent.query)).not.toContain(API_KEY);
      expect(sent.headers['x-server-timeout']).toBe('10');
      expect(sent.contents).toHaveLength(1);
      expect(sent.contents[0]!.role).toBe('user');
      expect(sent.partCount).toBe(2);
      expect(sent.contents[0]!.parts[0]!.image!.bytes.equals(Buffer.from(input.bytes))).toBe(true);
      expect(sent.contents[0]!.parts[1]!.text).toBe('Invert the colours');
      expect(sent.generationConfig).toEqual({ responseModalities: ['IMAGE', 'TEXT'], imageConfig: { aspectRatio: '16:9' } });
    });

    it('puts the conversation first, then labelled references, the image to edit and the prompt', async () => {
      const earlierOutput = await solidImage({ r: 1, g: 2, b: 3 });
      const milo = await solidImage({ r: 9, g: 9, b: 9 });
      const style = await solidImage({ r: 7, g: 7, b: 7 });
      await gemini.edit(
        editRequest({
          prompt: 'Put @Milo on the sofa in the style of image 3',
          references: [
            { ...milo, role: 'reference', label: '@Milo' },
            { ...style, role: 'style' },
          ],
          conversation: [{ prompt: 'Make it warmer', output: earlierOutput }],
        }),
      );

      const { contents } = fake.requests[0]!;
      expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
      expect(contents[0]!.parts).toEqual([{ text: 'Make it warmer' }]);
      expect(contents[1]!.parts[0]!.image!.bytes.equals(Buffer.from(earlierOutput.bytes))).toBe(true);
      // Gemini 2.5 does not check thought signatures, so none is sent.
      expect(contents[1]!.parts[0]!.thoughtSignature).toBeUndefined();
      const turn = contents[2]!.parts;
      expect(turn.map((part) => part.text ?? `<${part.image!.bytes.length} bytes>`)).toEqual([
        'Image 2 (reference: @Milo)',
        `<${milo.bytes.length} bytes>`,
        'Image 3 (style reference)',
        `<${style.bytes.length} bytes>`,
        'Image 1 (the image to edit)',
        `<${input.bytes.length} bytes>`,
        'Put @Milo on the sofa in the style of image 3',
      ]);
      expect(turn[5]!.image!.bytes.equals(Buffer.from(input.bytes))).toBe(true);
      expect(fake.requests[0]!.imageCount).toBe(4);
    });

    it('marks earlier model turns with the bypass thought signature for Gemini 3', async () => {
      await gemini.edit(
        editRequest({ model: 'gemini-3-pro-image-preview', conversation: [{ prompt: 'Warmer', output: await solidImage({ r: 1, g: 2, b: 3 }) }] }),
      );
      const { contents, model } = fake.requests[0]!;
      expect(model).toBe('gemini-3-pro-image-preview');
      expect(contents[1]!.parts[0]!.thoughtSignature).toBe('skip_thought_signature_validator');
    });

    it('returns the text the model wrote alongside the image', async () => {
      fake.enqueue('text+image');
      const result = await gemini.edit(editRequest());
      expect(result.text).toBe(MODEL_TEXT);
      expect(result.images).toHaveLength(1);
    });

    it('returns every image part of one answer, in order', async () => {
      fake.enqueue('two-images');
      const result = await gemini.edit(editRequest());
      expect(result.images).toHaveLength(2);
      expect(await pixelAt(result.images[0]!, 0, 0)).toEqual([55, 155, 215]);
      expect(await pixelAt(result.images[1]!, 0, 0)).toEqual([RED_RGB.r, RED_RGB.g, RED_RGB.b]);
      expect(result.usage.outputTokens).toBe(2 * TOKENS_PER_OUTPUT_IMAGE);
    });

    it('leaves out thought parts (Gemini 3 drafts) and keeps the final image', async () => {
      fake.enqueue('with-thoughts');
      const result = await gemini.edit(editRequest({ model: 'gemini-3-pro-image-preview' }));
      expect(result.images).toHaveLength(1);
      expect(await pixelAt(result.images[0]!, 0, 0)).toEqual([55, 155, 215]);
      expect(result.text).toBe('');
    });

    it('makes one call per variant in parallel and sums their usage', async () => {
      const result = await gemini.edit(editRequest({ variants: 3 }));
      expect(fake.requests).toHaveLength(3);
      expect(result.images).toHaveLength(3);
      const total = fake.requests.reduce((sum, request) => sum + actualCostUsd(DEFAULT_MODEL, request.answeredUsage), 0);
      expect(result.usage.costUsd).toBeCloseTo(total, 12);
      expect(result.usage.outputTokens).toBe(3 * TOKENS_PER_OUTPUT_IMAGE);
      expect(result.usage.inputTokens).toBe(fake.requests.reduce((sum, request) => sum + request.answeredUsage!.promptTokenCount, 0));
    });

    it('keeps the images of the variants that worked when another was refused, and counts the refused one', async () => {
      fake.enqueue('image', 'image-safety');
      const result = await gemini.edit(editRequest({ variants: 2 }));
      expect(fake.requests).toHaveLength(2);
      expect(result.images).toHaveLength(1);
      const total = fake.requests.reduce((sum, request) => sum + actualCostUsd(DEFAULT_MODEL, request.answeredUsage), 0);
      expect(result.usage.costUsd).toBeCloseTo(total, 12);
    });

    it('passes a 20 MB answer through intact', async () => {
      fake.enqueue('huge');
      const result = await gemini.edit(editRequest());
      const expected = await hugeImage();
      expect(expected.length).toBeGreaterThan(20_000_000);
      expect(Buffer.from(result.images[0]!.bytes).equals(expected)).toBe(true);
      const meta = await sharp(result.images[0]!.bytes).metadata();
      expect([meta.width, meta.height]).toEqual([2600, 2600]);
      expect(await pixelAt(result.images[0]!, 300, 700)).toEqual([300 % 256, 700 % 256, 1000 % 256]);
    }, 60_000);

    it('lists only the image models the key can use, known ones first, across pages', async () => {
      const models = await gemini.listModels();
      expect(models.map((model) => model.name)).toEqual([
        'gemini-2.5-flash-image',
        'gemini-3-pro-image-preview',
        'gemini-3.1-flash-image-preview',
        'gemini-2.0-flash-preview-image-generation',
      ]);
      expect(models[0]).toEqual({ name: 'gemini-2.5-flash-image', displayName: 'Nano Banana', description: 'Nano Banana.', known: true });
      expect(models[3]!.known).toBe(false);
      expect(fake.requests.map((request) => request.action)).toEqual(['list', 'list', 'list']);
    });
  });

  describe('refusals become ProviderErrors a person can read', () => {
    it('a blocked prompt', async () => {
      fake.enqueue('blocked');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('blocked');
      expect(error.message).toMatch(/^Gemini refused the prompt \(blocked: SAFETY\)\. Rephrase it/);
      expect(error.retryable).toBe(false);
    });

    it('an image stopped by the safety filter', async () => {
      fake.enqueue('image-safety');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('safety');
      expect(error.message).toContain('IMAGE_SAFETY');
    });

    it('NO_IMAGE', async () => {
      fake.enqueue('no-image');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('no-image');
      expect(error.message).toContain('NO_IMAGE');
      expect(error.details.text).toBe('');
    });

    it('an answer in words only, quoted in the message', async () => {
      fake.enqueue('text-only');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('no-image');
      expect(error.details.text).toBe(REFUSAL_TEXT);
      expect(error.message).toBe(`Gemini answered without an image: "${REFUSAL_TEXT}"`);
    });

    it('every variant refused: the refusal, not an empty result', async () => {
      fake.use('image-safety');
      const error = await failure(gemini.edit(editRequest({ variants: 2 })));
      expect(error.kind).toBe('safety');
      expect(fake.requests).toHaveLength(2);
    });

    it('a request the model cannot take is refused before anything is uploaded', async () => {
      const reference = { ...(await solidImage({ r: 0, g: 0, b: 0 })), role: 'reference' as const };
      const tooMany = await failure(gemini.edit(editRequest({ references: [reference, reference, reference, reference] })));
      expect(tooMany.kind).toBe('bad-request');
      expect(tooMany.message).toContain('at most 3 reference images');
      const ratio = await failure(gemini.edit(editRequest({ aspectRatio: '7:3' })));
      expect(ratio.kind).toBe('bad-request');
      expect(ratio.message).toContain('7:3');
      expect((await failure(gemini.edit(editRequest({ variants: 0 })))).kind).toBe('bad-request');
      expect(fake.requests).toHaveLength(0);
      // Gemini 3 Pro takes up to 14.
      await gemini.edit(editRequest({ model: 'gemini-3-pro-image-preview', references: [reference, reference, reference, reference] }));
      expect(fake.requests).toHaveLength(1);
    });
  });

  describe('HTTP and transport failures', () => {
    it('401: the key was refused', async () => {
      fake.enqueue('401');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('auth');
      expect(error.message).toMatch(/^The Gemini API key was refused/);
      expect(error.details.status).toBe(401);
      expect(error.retryable).toBe(false);
    });

    it("400 API_KEY_INVALID (what Gemini really answers for a wrong key) is also 'auth'", async () => {
      fake.enqueue('bad-key');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('auth');
      expect(error.details.status).toBe(400);
    });

    it('no key: refused before anything is sent', async () => {
      const keyless = createGeminiProvider({ apiKey: ' ', baseUrl: fake.baseUrl });
      const error = await failure(keyless.edit(editRequest()));
      expect(error.kind).toBe('auth');
      expect(error.message).toBe('No Gemini API key is set. Add one in Settings.');
      expect((await failure(keyless.listModels())).kind).toBe('auth');
      expect(fake.requests).toHaveLength(0);
    });

    it('a key the server does not accept, end to end', async () => {
      const strict = await startFakeGemini({ apiKey: 'the-right-key-000' });
      try {
        const wrong = createGeminiProvider({ apiKey: API_KEY, baseUrl: strict.baseUrl });
        expect((await failure(wrong.edit(editRequest()))).kind).toBe('auth');
        expect((await failure(wrong.listModels())).kind).toBe('auth');
        const right = createGeminiProvider({ apiKey: 'the-right-key-000', baseUrl: strict.baseUrl });
        expect((await right.edit(editRequest())).images).toHaveLength(1);
      } finally {
        await strict.close();
      }
    });

    it('429 then success: rate-limit with Retry-After, and the SDK did not retry by itself', async () => {
      fake.enqueue('429-then-ok');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('rate-limit');
      expect(error.retryable).toBe(true);
      expect(error.details).toEqual({ status: 429, retryAfterMs: 1000 });
      expect(error.message).toBe('Gemini is getting too many requests; try again in 1 s.');
      expect(fake.requests).toHaveLength(1);

      // The job queue's retry.
      const result = await gemini.edit(editRequest());
      expect(result.images).toHaveLength(1);
      expect(fake.requests).toHaveLength(2);
    });

    it("429 without Retry-After: the wait comes from the body's RetryInfo", async () => {
      fake.enqueue((_request, res) =>
        sendJson(res, 429, {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: 'Resource has been exhausted (e.g. check quota).',
            details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '13s' }],
          },
        }),
      );
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('rate-limit');
      expect(error.details.retryAfterMs).toBe(13_000);
    });

    it('a bare 429 is a rate limit with no known wait; "exceeded your current quota" alone is quota', async () => {
      fake.enqueue(
        (_request, res) => sendJson(res, 429, { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }),
        (_request, res) => sendJson(res, 429, { error: { code: 429, message: 'You exceeded your current quota, please check your plan and billing details.', status: 'RESOURCE_EXHAUSTED' } }),
      );
      const bare = await failure(gemini.edit(editRequest()));
      expect(bare.kind).toBe('rate-limit');
      expect(bare.details).toEqual({ status: 429 });
      expect(bare.message).toBe('Gemini is getting too many requests; try again in a minute.');
      expect((await failure(gemini.edit(editRequest()))).kind).toBe('quota');
    });

    it('429 for a used-up daily quota', async () => {
      fake.enqueue('429-quota');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('quota');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/^Your Gemini quota is used up \(You exceeded your current quota/);
      expect(fake.requests).toHaveLength(1);
    });

    it('500, every time: one request, no SDK retry', async () => {
      fake.use('500');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('server');
      expect(error.retryable).toBe(true);
      expect(error.details.status).toBe(500);
      expect(error.message).toMatch(/^Gemini had a server problem \(HTTP 500/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.requests).toHaveLength(1);
    });

    it.each([502, 503, 504])('%i is a server error', async (status) => {
      fake.enqueue((_request, res) => sendJson(res, status, { error: { code: status, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }));
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('server');
      expect(error.details.status).toBe(status);
      expect(fake.requests).toHaveLength(1);
    });

    it('a 502 HTML page from a proxy is a server error too', async () => {
      fake.enqueue((_request, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
      });
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('server');
    });

    it('400: a bad request, with the server’s reason', async () => {
      fake.enqueue('400');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('bad-request');
      expect(error.message).toBe('Gemini rejected the request (Request contains an invalid argument.).');
      expect(error.retryable).toBe(false);
    });

    it('404: a model Gemini does not offer', async () => {
      fake.enqueue((request, res) => sendJson(res, 404, { error: { code: 404, message: `models/${request.model} is not found for API version v1beta`, status: 'NOT_FOUND' } }));
      const error = await failure(gemini.edit(editRequest({ model: 'gemini-9-image' })));
      expect(error.kind).toBe('bad-request');
      expect(error.message).toContain('"gemini-9-image"');
    });

    it('a malformed JSON answer is a server error', async () => {
      fake.enqueue('malformed');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('server');
      expect(error.message).toMatch(/could not be read/);
    });

    it('the timeout fires on a slow answer, after one request', async () => {
      const impatient = createGeminiProvider({ apiKey: API_KEY, baseUrl: fake.baseUrl, timeoutMs: 300 });
      fake.enqueue('slow');
      const started = Date.now();
      const error = await failure(impatient.edit(editRequest()));
      const elapsed = Date.now() - started;
      expect(error.kind).toBe('timeout');
      expect(error.retryable).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2_000);
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]!.headers['x-server-timeout']).toBe('1');
    });

    it('a slow answer within the timeout is fine', async () => {
      fake.enqueue({ name: 'slow', delayMs: 200 });
      const result = await gemini.edit(editRequest());
      expect(result.images).toHaveLength(1);
    });

    it('cancelling through the AbortSignal', async () => {
      fake.use('slow');
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      const error = await failure(gemini.edit(editRequest({ variants: 2, signal: controller.signal })));
      expect(error.kind).toBe('cancelled');
      expect(error.retryable).toBe(false);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(fake.requests).toHaveLength(2);
    });

    it('an already cancelled edit sends nothing', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await failure(gemini.edit(editRequest({ signal: controller.signal })));
      expect(error.kind).toBe('cancelled');
      expect(fake.requests).toHaveLength(0);
    });

    it('one variant failing for good (bad key) cancels the others at once', async () => {
      fake.enqueue('401', 'slow');
      const started = Date.now();
      const error = await failure(gemini.edit(editRequest({ variants: 2 })));
      expect(error.kind).toBe('auth');
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('the connection dropped mid-request is a network failure, not retried', async () => {
      fake.enqueue('drop');
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('network');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/^Could not reach Gemini/);
      expect(fake.requests).toHaveLength(1);
    });

    it('nobody listening (ECONNREFUSED) is a network failure', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      const offline = createGeminiProvider({ apiKey: API_KEY, baseUrl: `http://127.0.0.1:${port}` });
      const error = await failure(offline.edit(editRequest()));
      expect(error.kind).toBe('network');
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('a server message that echoes the key is shown without it', async () => {
      fake.enqueue((_request, res) => sendJson(res, 400, { error: { code: 400, message: `Invalid value for key ${API_KEY}`, status: 'INVALID_ARGUMENT' } }));
      const error = await failure(gemini.edit(editRequest()));
      expect(error.kind).toBe('bad-request');
      expect(error.message).toBe('Gemini rejected the request (Invalid value for key [API key]).');
    });

    it('no error message or detail ever holds the API key', () => {
      expect(seenErrors.length).toBeGreaterThan(20);
      for (const error of seenErrors) {
        expect(error.message).not.toContain(API_KEY);
        expect(JSON.stringify(error.details)).not.toContain(API_KEY);
        expect(String(error.stack)).not.toContain(API_KEY);
      }
    });
  });
});

describe('Gemini model table and costs', () => {
  it('has the limits of each model', () => {
    expect(DEFAULT_MODEL).toBe('gemini-2.5-flash-image');
    expect(modelLimits('gemini-2.5-flash-image').maxReferenceImages).toBe(3);
    expect(modelLimits('models/gemini-3-pro-image-preview').maxReferenceImages).toBe(14);
    expect(modelLimits('gemini-3.1-flash-image-preview').maxReferenceImages).toBe(14);
    expect(MODELS['gemini-2.5-flash-image'].aspectRatios).toEqual(['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9']);
    expect(WORKING_EDGE['gemini-2.5-flash-image']).toBe(1024);
    expect(WORKING_EDGE['gemini-3-pro-image-preview']).toBe(2048);
    expect(modelLimits('gemini-2.5-flash-image').workingEdge).toBe(1024);
  });

  it('an unknown model gets cautious limits and the highest prices', () => {
    const unknown = modelLimits('gemini-4-image');
    expect(unknown.known).toBe(false);
    expect(unknown.maxReferenceImages).toBe(3);
    expect(unknown.workingEdge).toBe(1024);
    expect(estimateCostUsd('gemini-4-image', { inputImages: 0, promptChars: 0, variants: 1 })).toBeCloseTo(
      estimateCostUsd('gemini-3-pro-image-preview', { inputImages: 0, promptChars: 0, variants: 1 }),
      12,
    );
  });

  it('estimates an output image at $0.039 on 2.5 Flash Image and $0.134 on 3 Pro Image', () => {
    expect(estimateCostUsd('gemini-2.5-flash-image', { inputImages: 0, promptChars: 0, variants: 1 })).toBeCloseTo(0.0387, 10);
    expect(estimateCostUsd('gemini-3-pro-image-preview', { inputImages: 0, promptChars: 0, variants: 1 })).toBeCloseTo(0.1344, 10);
  });

  it('estimates inputs per variant, since every variant uploads them again', () => {
    // Two 1024 px images (4 tiles × 258 tokens each) and 400 characters (100 tokens) at $0.30 / 1M.
    const one = 0.0387 + ((2 * 1032 + 100) * 0.3) / 1e6;
    expect(estimateCostUsd('gemini-2.5-flash-image', { inputImages: 2, promptChars: 400, variants: 1 })).toBeCloseTo(one, 12);
    expect(estimateCostUsd('gemini-2.5-flash-image', { inputImages: 2, promptChars: 400, variants: 3 })).toBeCloseTo(3 * one, 12);
    expect(estimateCostUsd('gemini-3-pro-image-preview', { inputImages: 1, promptChars: 0, variants: 2 })).toBeCloseTo(2 * (0.1344 + (1120 * 2) / 1e6), 12);
  });

  it('computes the actual cost from the usage metadata', () => {
    // Image output tokens are reported in candidatesTokenCount.
    expect(actualCostUsd('gemini-2.5-flash-image', { promptTokenCount: 1000, candidatesTokenCount: 1290 })).toBeCloseTo(0.0003 + 0.0387, 12);
    expect(actualCostUsd('gemini-3-pro-image-preview', { promptTokenCount: 500, candidatesTokenCount: 1120 })).toBeCloseTo(0.001 + 0.1344, 12);
    // With the per-modality breakdown, text is billed at the text rate ($2.50 / 1M on 2.5 Flash Image).
    expect(
      actualCostUsd('gemini-2.5-flash-image', {
        promptTokenCount: 0,
        candidatesTokenCount: 1390,
        candidatesTokensDetails: [
          { modality: 'IMAGE', tokenCount: 1290 },
          { modality: 'TEXT', tokenCount: 100 },
        ],
      }),
    ).toBeCloseTo(0.0387 + 0.00025, 12);
    // Thinking is billed as text output ($12 / 1M on 3 Pro Image).
    expect(actualCostUsd('gemini-3-pro-image-preview', { promptTokenCount: 0, candidatesTokenCount: 0, thoughtsTokenCount: 1000 })).toBeCloseTo(0.012, 12);
    expect(actualCostUsd('gemini-2.5-flash-image', undefined)).toBe(0);
  });
});
