/**
 * AI edits on a 24-megapixel photo against a fake Gemini on 127.0.0.1 (fake-gemini.ts), through
 * the real job queue (`services.edits`) and the real provider (the @google/genai SDK). For each
 * edit: what was uploaded, how long preparing took (submit → request at the server), and the
 * figure with a target: the answer's last byte leaving the server → the job 'succeeded' (its
 * layer composited, stored and committed). Then the repeated edit, which the cache must serve
 * with no call at all. Afterwards the steps of "answer → committed" are re-enacted one by one
 * on the same inputs to say where that time goes. Prints one JSON line.
 *
 *   node dist/node/bench/edit-child.js FILE LIB RUNS
 */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { EditJobInfo, EditJobRequest } from '../shared/contract/api.js';
import { EditJobRequest as EditJobRequestSchema } from '../shared/contract/api.js';
import { stackAt } from '../shared/document/history.js';
import { rasterizeMask } from '../shared/document/render.js';
import { renderFull } from '../electron/services/export.js';
import { openServices } from '../electron/services/index.js';
import { compositeAnswer, decodeAnswer, encodeForUpload, type Region } from '../electron/services/edit/region.js';
import { resourceFigures } from './common.js';
import { startFakeGemini, type FakeCall } from './fake-gemini.js';

type Kind = 'unmasked' | 'masked' | 'cached';

interface PutTiming {
  startedAt: number;
  ms: number;
  width: number;
  height: number;
}

export interface EditFigure {
  kind: Kind;
  prompt: string;
  state: string;
  error: string | null;
  costUsd: number;
  region: Region | null;
  /** Calls the fake server got for this edit. */
  calls: number;
  upload: { bodyBytes: number; images: FakeCall['images'] } | null;
  /** submit → the request at the server (render of the composite, mask, crop, resize, PNG). */
  prepareMs: number | null;
  /** The answer's last byte sent → the job 'succeeded' (null when no call was made). */
  answerToCommitMs: number | null;
  submitToDoneMs: number;
  /** putRgba calls made after the answer left the server: the raw answer and the layer. */
  puts: PutTiming[];
}

export interface EditChildResult {
  originalBytes: number;
  width: number;
  height: number;
  workingEdge: number;
  edits: EditFigure[];
  /** The steps between the answer and the commit, re-enacted on the same inputs (ms). */
  steps: Record<'unmasked' | 'masked', Record<string, number>>;
  /** The answer's size, the region's, and the layer's PNG, for the same two edits. */
  sizes: Record<'unmasked' | 'masked', { answer: string; region: string; layerPngBytes: number }>;
  peakRssKB: number;
  userCpuMs: number;
  systemCpuMs: number;
}

const MASK_STROKE = { points: [{ x: 2800, y: 1800 }, { x: 3000, y: 1850 }, { x: 3200, y: 1900 }], size: 150, hardness: 0.8, erase: false };
const MASK: EditJobRequest['mask'] = { strokes: [MASK_STROKE], feather: 8, inverted: false };

async function main(): Promise<void> {
  const [file, libraryDir, runsArg] = process.argv.slice(2);
  if (!file || !libraryDir) throw new Error('usage: edit-child.js FILE LIB RUNS');
  const runs = Math.max(1, Number(runsArg) || 3);
  const fake = await startFakeGemini();
  const services = await openServices({
    libraryDir,
    host: 'cli',
    version: 'bench',
    systemLocale: 'en',
    runQueue: true,
    geminiKey: () => ({ key: 'bench-key-not-a-real-one' }),
    geminiBaseUrl: () => fake.baseUrl,
    geminiTimeoutMs: 120_000,
    queueTuning: { backoffMs: 50, networkProbeMs: 60_000, maxAttempts: 1 },
  });
  try {
    const job = await services.runImport({ paths: [file] });
    if (job.summary.imported !== 1) throw new Error(`import failed: ${JSON.stringify(job.summary)}`);
    const photo = services.library.list({ limit: 1 }).items[0]!;

    // Every putRgba (PNG encode + hash + atomic write with fsync), timed where the queue calls it.
    const puts: PutTiming[] = [];
    const store = services.storedImages;
    const putRgba = store.putRgba.bind(store);
    store.putRgba = async (pixels, kind) => {
      const startedAt = performance.now();
      const sha = await putRgba(pixels, kind);
      puts.push({ startedAt, ms: performance.now() - startedAt, width: pixels.width, height: pixels.height });
      return sha;
    };

    // When each job reached each state, from the queue's own events.
    const seen = new Map<string, Map<string, number>>();
    const waiters = new Map<string, (job: EditJobInfo) => void>();
    services.subscribe((event) => {
      if (event.type !== 'edit.progress') return;
      const states = seen.get(event.job.jobId) ?? new Map<string, number>();
      if (!states.has(event.job.state)) states.set(event.job.state, performance.now());
      seen.set(event.job.jobId, states);
      if (['succeeded', 'failed', 'cancelled', 'waiting-network'].includes(event.job.state)) waiters.get(event.job.jobId)?.(event.job);
    });

    const edit = async (kind: Kind, prompt: string): Promise<EditFigure> => {
      const { project } = services.projects.create(photo.id, `${kind}: ${prompt}`);
      const callsBefore = fake.calls.length;
      const putsBefore = puts.length;
      const submittedAt = performance.now();
      const request = EditJobRequestSchema.parse({ projectId: project.id, prompt, ...(kind === 'masked' ? { mask: MASK } : {}) });
      const info = services.edits.submit(request);
      const done = await new Promise<EditJobInfo>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`edit ${info.jobId} did not finish: ${JSON.stringify(services.edits.get(info.jobId))}`)), 300_000);
        waiters.set(info.jobId, (job) => {
          clearTimeout(timer);
          resolve(job);
        });
        const now = services.edits.get(info.jobId);
        if (['succeeded', 'failed', 'cancelled', 'waiting-network'].includes(now.state)) waiters.get(info.jobId)!(now);
      });
      const doneAt = seen.get(info.jobId)?.get(done.state) ?? performance.now();
      const calls = fake.calls.slice(callsBefore);
      const call = calls.at(-1) ?? null;
      const stack = services.projects.stackAtHead(project.id).stack;
      const layer = stack.layers.at(-1);
      const region = layer && layer.kind === 'image' && layer.generated ? { x: layer.x, y: layer.y, width: layer.width, height: layer.height } : null;
      const figure: EditFigure = {
        kind,
        prompt,
        state: done.state,
        error: done.error,
        costUsd: done.costUsd,
        region,
        calls: calls.length,
        upload: call ? { bodyBytes: call.bodyBytes, images: call.images } : null,
        prepareMs: call ? call.receivedAt - submittedAt : null,
        answerToCommitMs: call?.answerSentAt != null ? doneAt - call.answerSentAt : null,
        submitToDoneMs: doneAt - submittedAt,
        puts: puts.slice(putsBefore).filter((p) => call?.answerSentAt == null || p.startedAt >= call.answerSentAt),
      };
      if (call) callOf.set(figure, call);
      return figure;
    };

    const callOf = new Map<EditFigure, FakeCall>();
    const edits: EditFigure[] = [];
    const prompts = Array.from({ length: runs }, (_, i) => `make the sky more dramatic, take ${i + 1}`);
    for (const prompt of prompts) edits.push(await edit('unmasked', prompt));
    for (const [i] of prompts.entries()) edits.push(await edit('masked', `remove the lamp post, take ${i + 1}`));
    // The same edits again on the same pixels: the cache must answer, with no call.
    for (const prompt of prompts) edits.push(await edit('cached', prompt));

    // ---- the steps between the answer and the commit, re-enacted on the same inputs --------------
    const { project } = services.projects.create(photo.id, 'breakdown');
    const state = services.projects.state(project.id);
    const baseStack = stackAt({ steps: new Map(state.steps.map((s) => [s.id, s])) }, project.width, project.height, state.head);
    const { image: composite } = await renderFull(baseStack, (sha) => services.locateImage(sha));
    const mask = rasterizeMask({ strokes: [MASK_STROKE], inverted: false, feather: 8 }, project.width, project.height, 1);
    const steps = {} as EditChildResult['steps'];
    const sizes = {} as EditChildResult['sizes'];
    for (const kind of ['unmasked', 'masked'] as const) {
      const figure = edits.filter((e) => e.kind === kind && e.region && callOf.has(e)).at(-1);
      const call = figure && callOf.get(figure);
      if (!figure?.region || !call?.answerPng) continue;
      const region = figure.region;
      const png = call.answerPng;
      const answerJson = JSON.stringify({ candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: png.toString('base64') } }] } }] });
      const timings: Record<string, number> = {};
      const timed = async <T>(name: string, body: () => Promise<T> | T): Promise<T> => {
        const started = performance.now();
        const value = await body();
        timings[name] = performance.now() - started;
        return value;
      };
      // In the order the queue does them once the answer is in.
      const parsed = await timed('answer: JSON.parse + base64 decode (SDK side)', () => {
        const json = JSON.parse(answerJson) as { candidates: { content: { parts: { inlineData: { data: string } }[] } }[] };
        return Buffer.from(json.candidates[0]!.content.parts[0]!.inlineData.data, 'base64');
      });
      const raw = await timed('storeRaw: decode the answer to RGBA (sharp)', () => sharp(parsed).ensureAlpha().raw().toBuffer({ resolveWithObject: true }));
      // putRgba as the real job ran it: PNG encode + sha256 + write + fsync.
      const rawPut = figure.puts.find((p) => p.width === raw.info.width && p.height === raw.info.height);
      const layerPut = figure.puts.find((p) => p.width === region.width && p.height === region.height && p !== rawPut);
      timings['storeRaw: putRgba(answer), as run'] = rawPut?.ms ?? Number.NaN;
      const answer = await timed('finish: decodeAnswer, answer → region size (sharp, lanczos3)', () => decodeAnswer(png, region));
      const layerPixels = await timed('finish: compositeAnswer at region size (JS)', () => compositeAnswer(answer, composite, region, kind === 'masked' ? mask : null));
      timings['finish: putRgba(layer), as run'] = layerPut?.ms ?? Number.NaN;
      const layerPng = await timed('  of which the PNG encode (re-enacted)', () =>
        sharp(Buffer.from(layerPixels.data.buffer, layerPixels.data.byteOffset, layerPixels.data.byteLength), { raw: { width: layerPixels.width, height: layerPixels.height, channels: 4 } })
          .png({ compressionLevel: 6 })
          .toBuffer(),
      );
      sizes[kind] = { answer: `${raw.info.width}×${raw.info.height}`, region: `${region.width}×${region.height}`, layerPngBytes: layerPng.byteLength };
      // What preparing costs, for the same edit (before the upload; not in the target).
      await timed('before the upload: renderFull of the composite (decode + renderStack)', () => renderFull(baseStack, (sha) => services.locateImage(sha)));
      if (kind === 'masked') {
        await timed('before the upload: rasterizeMask at full size', () => rasterizeMask({ strokes: [MASK_STROKE], inverted: false, feather: 8 }, project.width, project.height, 1));
      }
      await timed('before the upload: encodeForUpload (crop, resize, PNG)', () => encodeForUpload(composite, region, 1024));
      steps[kind] = timings;
    }

    const { size } = await stat(file);
    const result: EditChildResult = { originalBytes: size, width: photo.width, height: photo.height, workingEdge: 1024, edits, steps, sizes, ...pickResources(resourceFigures()) };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    services.close();
    await fake.close();
  }
}

function pickResources(r: ReturnType<typeof resourceFigures>): { peakRssKB: number; userCpuMs: number; systemCpuMs: number } {
  return { peakRssKB: r.peakRssKB, userCpuMs: r.userCpuMs, systemCpuMs: r.systemCpuMs };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
