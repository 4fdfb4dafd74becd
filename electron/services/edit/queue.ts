/**
 * The job queue for edits by words. Every cloud (or local-engine) edit is a row in `jobs`:
 * queued → running → succeeded | failed | cancelled, or waiting-network when the network (or the
 * key) is missing; it resumes by itself, also after a restart. A finished job's step is committed
 * in the same transaction as the job's completion, so a job is never half-applied.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { EditJobInfo, EditJobRequest } from '../../../shared/contract/api.js';
import { UserFacingError } from '../../../shared/contract/result.js';
import { stackAt } from '../../../shared/document/history.js';
import type { LayerMask, MaskStroke } from '../../../shared/document/model.js';
import { rasterizeMask } from '../../../shared/document/render.js';
import type { Mask } from '../../../shared/imaging/types.js';
import { renderFull, type ImageLocator } from '../export.js';
import type { Db } from '../library/database.js';
import type { Library } from '../library/library.js';
import type { Projects } from '../projects.js';
import { estimateCostUsd, modelLimits } from '../providers/gemini/models.js';
import { ProviderError, type ConversationTurn, type EditResult, type Provider, type ReferenceImage } from '../providers/types.js';
import type { StoredImages } from '../stored-images.js';
import type { Characters } from '../characters.js';
import { compositeAnswer, decodeAnswer, encodeForUpload, maskBounds, nearestAspectRatio, padRegion, type Region } from './region.js';

export interface QueueOptions {
  db: Db;
  characters: Characters;
  library: Library;
  projects: Projects;
  storedImages: StoredImages;
  locateImage: ImageLocator;
  /** The cloud provider, or a reason it is not available (no key). */
  gemini: () => Provider | { unavailable: string };
  local?: () => Provider | { unavailable: string };
  onChange: (job: EditJobInfo) => void;
  /** Backoff base in ms (tests make it small). */
  backoffMs?: number;
  maxAttempts?: number;
  /** How often a job waiting for the network tries again. */
  networkProbeMs?: number;
  concurrency?: number;
  random?: () => number;
}

interface JobRow {
  id: string;
  state: EditJobInfo['state'];
  project_id: number;
  provider: 'gemini' | 'local';
  model: string;
  request_json: string;
  attempts: number;
  next_attempt_at: string | null;
  estimate_usd: number;
  cost_usd: number;
  cache_key: string | null;
  step_id: string | null;
  error_kind: string | null;
  error: string | null;
  answer_text: string | null;
  created_at: string;
  updated_at: string;
}

/** What the provider is sent, plus what is needed to bring the answer back. */
export interface Prepared {
  region: Region;
  mask: Mask | null;
  aspectRatio: string;
  image: Buffer;
  references: ReferenceImage[];
  referenceShas: string[];
  conversation: ConversationTurn[];
  conversationShas: { prompt: string; outputSha: string }[];
  composite: Awaited<ReturnType<typeof renderFull>>['image'];
  cacheKey: string;
  photoIds: number[];
}

/** A request as a job stores it. */
export interface StoredRequest extends EditJobRequest {
  /** The head when the edit was asked for: the answer is computed from that composite. */
  baseStepId: string | null;
}

const ACTIVE = new Set(['queued', 'running', 'waiting-network']);

export class EditQueue {
  private readonly running = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private probe: NodeJS.Timeout | null = null;
  private closed = false;
  private pumping = false;

  constructor(private readonly options: QueueOptions) {
    // A crash while running: the answer never got committed, so run it again.
    options.db.prepare("UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'running'").run(now());
  }

  start(): void {
    this.schedule(0);
    const probeMs = this.options.networkProbeMs ?? 15_000;
    this.probe = setInterval(() => this.retryWaiting(), probeMs);
    this.probe.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.probe) clearInterval(this.probe);
    for (const abort of this.running.values()) abort.abort();
  }

  /** Queues an edit; refuses up front what can never run (never-upload photos, the budget). */
  submit(asked: EditJobRequest): EditJobInfo {
    const { db } = this.options;
    const { request, estimate, stored } = this.checkRequest(asked);
    const id = `job-${randomBytes(8).toString('hex')}`;
    const time = now();
    db.prepare(
      `INSERT INTO jobs (id, kind, state, project_id, provider, model, request_json, estimate_usd, created_at, updated_at)
       VALUES (?, 'edit', 'queued', ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, request.projectId, request.provider, request.model, JSON.stringify(stored), estimate, time, time);
    const info = this.get(id);
    this.options.onChange(info);
    this.schedule(0);
    return info;
  }

  /**
   * For edits sent another way (a session's Gemini Batch API job): the same checks as `submit`
   * and the same preparation as a queued job, so the upload, the cache key and the composite match.
   * Nothing is written; `completeExternal` records the answer.
   */
  async prepareExternal(
    asked: EditJobRequest,
    /** The Batch API bills half the list price. */
    priceFactor = 1,
  ): Promise<{ stored: StoredRequest; estimateUsd: number; prepared: Prepared; cached: { rawShas: string[]; text: string } | undefined }> {
    const { estimate, stored } = this.checkRequest(asked, priceFactor);
    const prepared = await this.prepare(stored, stored.provider);
    return { stored, estimateUsd: estimate, prepared, cached: stored.fresh ? undefined : this.cached(prepared.cacheKey) };
  }

  /** Renders the inputs again for a request prepared earlier (answers of a batch arrive much later). */
  async prepareAgain(stored: StoredRequest): Promise<Prepared> {
    return this.prepare(stored, stored.provider);
  }

  /**
   * Records an answer obtained outside the queue as a finished job: stores the raw images (and
   * the cache entry), then inserts the job row, commits the step and runs `within` in one
   * transaction, so the answer, the job and the caller's own bookkeeping land together or not at all.
   */
  async completeExternal(input: {
    stored: StoredRequest;
    estimateUsd: number;
    prepared: Prepared;
    answer: EditResult | { cached: { rawShas: string[]; text: string } };
    within?: (jobId: string, stepId: string) => void;
  }): Promise<EditJobInfo> {
    const { stored, prepared } = input;
    const result = 'cached' in input.answer ? { ...input.answer.cached, costUsd: 0 } : await this.storeRaw(input.answer, prepared.cacheKey);
    const id = `job-${randomBytes(8).toString('hex')}`;
    const insert = () => {
      const time = now();
      this.options.db
        .prepare(
          `INSERT INTO jobs (id, kind, state, project_id, provider, model, request_json, attempts, estimate_usd, created_at, updated_at)
           VALUES (?, 'edit', 'running', ?, ?, ?, ?, 1, ?, ?, ?)`,
        )
        .run(id, stored.projectId, stored.provider, stored.model, JSON.stringify(stored), input.estimateUsd, time, time);
    };
    await this.finish(id, { provider: stored.provider, model: stored.model }, stored, prepared, result, { before: insert, within: input.within });
    return this.get(id);
  }

  /** Logs what a batch sent, like a job's upload (`jobId` names the batch request). */
  logExternalUpload(jobId: string, stored: StoredRequest, prepared: Pick<Prepared, 'image' | 'references' | 'conversation' | 'photoIds'>): void {
    this.logUpload(jobId, stored.model, stored.prompt, prepared);
  }

  /** Refuses an edit the way `submit` would, without queueing it. */
  private checkRequest(asked: EditJobRequest, priceFactor = 1): { request: EditJobRequest; estimate: number; stored: StoredRequest } {
    let request = asked;
    const { projects, library } = this.options;
    const state = projects.state(request.projectId);
    const prompt = request.prompt.trim();
    if (!prompt) throw new UserFacingError('invalid-argument', 'Say what to change: the prompt is empty.');
    const limits = modelLimits(request.model);
    // @Name brings the character's reference photos, within what the model takes.
    const room = Math.max(0, limits.maxReferenceImages - request.referencePhotoIds.length - (request.stylePhotoId ? 1 : 0));
    const mentioned = this.options.characters.referencesFor(prompt, room);
    request = { ...request, referencePhotoIds: [...new Set([...request.referencePhotoIds, ...mentioned.photoIds])] };
    const refCount = request.referencePhotoIds.length + (request.stylePhotoId ? 1 : 0);
    if (request.provider === 'gemini' && refCount > limits.maxReferenceImages) {
      throw new UserFacingError('invalid-argument', `${limits.label} takes at most ${limits.maxReferenceImages} reference images; this edit has ${refCount}.`);
    }
    if (request.provider === 'gemini') this.assertUploadAllowed(request, state.project.photoId);
    const estimate = request.provider === 'gemini' ? priceFactor * estimateCostUsd(request.model, { inputImages: 1 + refCount, promptChars: prompt.length, variants: request.variants }) : 0;
    this.assertBudget(estimate);
    for (const id of request.referencePhotoIds) library.get(id);
    const stored: StoredRequest = { ...request, prompt, baseStepId: state.head };
    return { request, estimate, stored };
  }

  get(id: string): EditJobInfo {
    const row = this.options.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new UserFacingError('not-found', 'That job is not known.');
    return toInfo(row);
  }

  list(projectId?: number): EditJobInfo[] {
    const rows = this.options.db
      .prepare(`SELECT * FROM jobs ${projectId === undefined ? '' : 'WHERE project_id = @projectId'} ORDER BY created_at DESC LIMIT 200`)
      .all(projectId === undefined ? {} : { projectId }) as JobRow[];
    return rows.map(toInfo);
  }

  cancel(id: string): EditJobInfo {
    const job = this.get(id);
    if (!ACTIVE.has(job.state)) return job;
    this.running.get(id)?.abort();
    this.update(id, { state: 'cancelled', error: 'Cancelled.', error_kind: 'cancelled' });
    return this.get(id);
  }

  /** Money spent on cloud edits this calendar month (UTC). */
  monthSpendUsd(): number {
    const month = new Date().toISOString().slice(0, 7);
    return this.options.db.prepare("SELECT coalesce(sum(cost_usd), 0) FROM jobs WHERE substr(updated_at, 1, 7) = ?").pluck().get(month) as number;
  }

  /** Wakes jobs waiting for the network: one probe decides for all. */
  retryWaiting(): void {
    if (this.closed) return;
    const changed = this.options.db.prepare("UPDATE jobs SET state = 'queued', next_attempt_at = NULL, updated_at = ? WHERE state = 'waiting-network'").run(now());
    if (changed.changes > 0) this.schedule(0);
  }

  private assertUploadAllowed(request: EditJobRequest, projectPhotoId: number): void {
    const ids = [projectPhotoId, ...request.referencePhotoIds, ...(request.stylePhotoId ? [request.stylePhotoId] : [])];
    const blocked = this.options.db
      .prepare(`SELECT file_name FROM photos WHERE never_upload = 1 AND id IN (${ids.map(() => '?').join(',')})`)
      .pluck()
      .all(...ids) as string[];
    if (blocked.length) {
      throw new UserFacingError('invalid-argument', `${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} marked “never upload”; use the local engine or clear the flag.`);
    }
  }

  private assertBudget(estimate: number): void {
    const budget = this.options.library.getSettings().monthlyBudgetUsd;
    if (budget === null || estimate === 0) return;
    const spent = this.monthSpendUsd();
    if (spent + estimate > budget + 1e-9) {
      throw new UserFacingError(
        'invalid-argument',
        `This edit (about $${estimate.toFixed(3)}) would pass the monthly budget of $${budget.toFixed(2)} ($${spent.toFixed(3)} spent so far). Raise the budget in Settings to send it.`,
      );
    }
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), Math.max(0, delayMs));
    this.timer.unref?.();
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      const limit = this.options.concurrency ?? 2;
      for (;;) {
        if (this.running.size >= limit) break;
        const row = this.options.db
          .prepare("SELECT * FROM jobs WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT 1")
          .get(now()) as JobRow | undefined;
        if (!row) break;
        this.update(row.id, { state: 'running', attempts: row.attempts + 1 });
        const abort = new AbortController();
        this.running.set(row.id, abort);
        void this.run(row.id, abort.signal).finally(() => {
          this.running.delete(row.id);
          this.schedule(0);
        });
      }
      const next = this.options.db
        .prepare("SELECT min(next_attempt_at) FROM jobs WHERE state = 'queued' AND next_attempt_at IS NOT NULL")
        .pluck()
        .get() as string | null;
      if (next) this.schedule(Date.parse(next) - Date.now());
    } finally {
      this.pumping = false;
    }
  }

  private async run(id: string, signal: AbortSignal): Promise<void> {
    const row = this.options.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow;
    const request = JSON.parse(row.request_json) as StoredRequest;
    try {
      const providerOrReason = (row.provider === 'gemini' ? this.options.gemini : (this.options.local ?? (() => ({ unavailable: 'The local engine is not available.' }))))();
      if ('unavailable' in providerOrReason) {
        this.update(id, { state: 'waiting-network', error: providerOrReason.unavailable, error_kind: 'network' });
        return;
      }
      const prepared = await this.prepare(request, row.provider);
      if (signal.aborted) return;
      const cached = request.fresh ? undefined : this.cached(prepared.cacheKey);
      let result: { rawShas: string[]; text: string; costUsd: number };
      if (cached) {
        result = { ...cached, costUsd: 0 };
      } else {
        if (row.provider === 'gemini') this.assertBudget(row.estimate_usd);
        if (row.provider === 'gemini') this.logUpload(id, row.model, request.prompt, prepared);
        const answer = await providerOrReason.edit({
          prompt: request.prompt,
          model: row.model,
          image: { bytes: prepared.image, mimeType: 'image/png' },
          references: prepared.references,
          conversation: prepared.conversation,
          variants: request.variants,
          aspectRatio: prepared.aspectRatio,
          signal,
        });
        result = await this.storeRaw(answer, prepared.cacheKey);
      }
      if (signal.aborted) return;
      await this.finish(id, row, request, prepared, result);
    } catch (error) {
      if (signal.aborted || this.closed) return;
      this.fail(id, row, error);
    }
  }

  /** Renders the composite at the base step and cuts out what the provider needs. */
  private async prepare(request: StoredRequest, provider: 'gemini' | 'local'): Promise<Prepared> {
    const { projects, library, storedImages, locateImage } = this.options;
    const { project, steps } = projects.stackAtHead(request.projectId);
    const tree = { steps: new Map(steps.map((s) => [s.id, s])) };
    const stack = stackAt(tree, project.width, project.height, request.baseStepId);
    const { image: composite } = await renderFull(stack, locateImage);
    const mask = await this.maskFor(request, project.width, project.height);
    const bounds = mask ? maskBounds(mask) : null;
    if (mask && !bounds) throw new UserFacingError('invalid-argument', 'The mask is empty: paint the region to change first.');
    const region = bounds ? padRegion(bounds, project.width, project.height) : { x: 0, y: 0, width: project.width, height: project.height };
    const limits = modelLimits(request.model);
    const workingEdge = provider === 'gemini' ? limits.workingEdge : Math.max(region.width, region.height);
    const image = await encodeForUpload(composite, region, workingEdge);
    const references: ReferenceImage[] = [];
    const referenceShas: string[] = [];
    const photoIds = [project.photoId];
    const refIds = [...request.referencePhotoIds.map((id) => ({ id, role: 'reference' as const })), ...(request.stylePhotoId ? [{ id: request.stylePhotoId, role: 'style' as const }] : [])];
    for (const [index, ref] of refIds.entries()) {
      const photo = library.get(ref.id);
      photoIds.push(ref.id);
      referenceShas.push(photo.sha256);
      // Re-encoded from pixels: no EXIF, no GPS leaves the machine.
      const bytes = await sharp(locateImage(photo.sha256)!)
        .rotate()
        .resize(workingEdge, workingEdge, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 90 })
        .toBuffer();
      references.push({ bytes, mimeType: 'image/jpeg', role: ref.role, label: ref.role === 'style' ? 'Style reference' : `Image ${index + 2}` });
    }
    const conversationShas = request.continueLayerId ? this.conversationOf(request.projectId, request.continueLayerId) : [];
    const conversation: ConversationTurn[] = [];
    for (const turn of conversationShas) {
      const file = storedImages.has(turn.outputSha) ? locateImage(turn.outputSha) : null;
      if (file) conversation.push({ prompt: turn.prompt, output: { bytes: await readFile(file), mimeType: 'image/png' } });
    }
    const cacheKey = createHash('sha256')
      .update(
        JSON.stringify({
          provider,
          model: request.model,
          prompt: request.prompt,
          image: createHash('sha256').update(image).digest('hex'),
          references: referenceShas,
          style: request.stylePhotoId ?? null,
          variants: request.variants,
          conversation: conversationShas,
        }),
      )
      .digest('hex');
    return { region, mask, aspectRatio: nearestAspectRatio(region.width, region.height), image, references, referenceShas, conversation, conversationShas, composite, cacheKey, photoIds };
  }

  private async maskFor(request: StoredRequest, width: number, height: number): Promise<Mask | null> {
    const mask = request.mask;
    if (!mask) return null;
    if ('sha256' in mask) {
      const file = this.options.locateImage(mask.sha256);
      if (!file) throw new UserFacingError('not-found', 'The mask image is missing.');
      const { data, info } = await sharp(file).resize(width, height, { fit: 'fill' }).greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
    }
    const layerMask: LayerMask = { strokes: mask.strokes as MaskStroke[], inverted: mask.inverted, feather: mask.feather };
    return rasterizeMask(layerMask, width, height, 1);
  }

  /** The prompts and raw answers of the AI layer being continued, oldest first. */
  private conversationOf(projectId: number, layerId: string): { prompt: string; outputSha: string }[] {
    const { stack } = this.options.projects.stackAtHead(projectId);
    const layer = stack.layers.find((l) => l.id === layerId);
    if (!layer || layer.kind !== 'image' || !layer.generated) {
      throw new UserFacingError('invalid-argument', 'Only a layer an AI edit made can be continued.');
    }
    const row = this.options.db.prepare('SELECT request_json, answer_text, cache_key FROM jobs WHERE id = ?').get(layer.generated.jobId) as
      | { request_json: string; cache_key: string | null }
      | undefined;
    if (!row || !row.cache_key) return [];
    const previous = JSON.parse(row.request_json) as StoredRequest & { conversation?: { prompt: string; outputSha: string }[] };
    const cached = this.cached(row.cache_key);
    const variantIndex = Math.max(0, layer.generated.variants.indexOf(layer.sha256));
    const raw = cached?.rawShas[variantIndex];
    const earlier = previous.continueLayerId ? this.safeConversation(projectId, previous.continueLayerId) : [];
    return raw ? [...earlier, { prompt: previous.prompt, outputSha: raw }] : earlier;
  }

  private safeConversation(projectId: number, layerId: string): { prompt: string; outputSha: string }[] {
    try {
      return this.conversationOf(projectId, layerId);
    } catch {
      return [];
    }
  }

  private cached(cacheKey: string): { rawShas: string[]; text: string } | undefined {
    const row = this.options.db.prepare('SELECT outputs_json, text FROM edit_cache WHERE cache_key = ?').get(cacheKey) as
      | { outputs_json: string; text: string }
      | undefined;
    return row ? { rawShas: JSON.parse(row.outputs_json) as string[], text: row.text } : undefined;
  }

  /** Keeps the raw answers by hash and remembers them under the cache key: paid for once. */
  private async storeRaw(answer: EditResult, cacheKey: string): Promise<{ rawShas: string[]; text: string; costUsd: number }> {
    if (answer.images.length === 0) {
      throw new ProviderError('no-image', answer.text ? `The model answered with text but no image: “${answer.text}”` : 'The model answered with no image.', { text: answer.text });
    }
    const rawShas: string[] = [];
    for (const image of answer.images) {
      const { data, info } = await sharp(image.bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      rawShas.push(await this.options.storedImages.putRgba({ width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) }, 'ai-output'));
    }
    this.options.db
      .prepare('INSERT OR REPLACE INTO edit_cache (cache_key, outputs_json, text, cost_usd, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(cacheKey, JSON.stringify(rawShas), answer.text, answer.usage.costUsd, now());
    return { rawShas, text: answer.text, costUsd: answer.usage.costUsd };
  }

  /** Composites every variant into a layer image, then commits the step and the job together. */
  private async finish(
    id: string,
    row: Pick<JobRow, 'provider' | 'model'>,
    request: StoredRequest,
    prepared: Prepared,
    result: { rawShas: string[]; text: string; costUsd: number },
    hooks: { before?: () => void; within?: (jobId: string, stepId: string) => void } = {},
  ): Promise<void> {
    const { storedImages, locateImage, projects, db } = this.options;
    const variants: string[] = [];
    // Identical answers are one variant.
    for (const raw of new Set(result.rawShas)) {
      if (!prepared.mask) {
        // The whole image changes: the answer itself is the layer, scaled to the document when it
        // is drawn, so nothing is upscaled, composited or re-encoded at full resolution here.
        variants.push(raw);
        continue;
      }
      const answer = await decodeAnswer(await readFile(locateImage(raw)!), prepared.region);
      const layer = compositeAnswer(answer, prepared.composite, prepared.region, prepared.mask);
      variants.push(await storedImages.putRgba(layer, 'ai-output'));
    }
    const chosen = variants[0]!;
    const layerId = `ai${randomBytes(4).toString('hex')}`;
    db.transaction(() => {
      hooks.before?.();
      const current = projects.state(request.projectId).head;
      const { step } = projects.commitInternal(
        request.projectId,
        current,
        {
          type: 'aiEdit',
          layerId,
          name: request.prompt.length > 40 ? `${request.prompt.slice(0, 39)}…` : request.prompt,
          sha256: chosen,
          ...prepared.region,
          generated: {
            provider: row.provider,
            model: row.model,
            prompt: request.prompt,
            variants,
            references: prepared.referenceShas,
            costUsd: result.costUsd,
            jobId: id,
          },
        },
        chosen,
      );
      this.update(id, { state: 'succeeded', step_id: step.id, cost_usd: result.costUsd, cache_key: prepared.cacheKey, answer_text: result.text || null, error: null, error_kind: null });
      hooks.within?.(id, step.id);
    })();
  }

  private fail(id: string, row: JobRow, error: unknown): void {
    const attempts = (this.options.db.prepare('SELECT attempts FROM jobs WHERE id = ?').pluck().get(id) as number) ?? row.attempts;
    if (error instanceof ProviderError) {
      if (error.kind === 'network') {
        this.update(id, { state: 'waiting-network', error: 'Waiting for the network: the edit will be sent when Promptroom is back online.', error_kind: 'network' });
        return;
      }
      if (error.retryable && attempts < (this.options.maxAttempts ?? 5)) {
        const base = this.options.backoffMs ?? 1000;
        const random = this.options.random ?? Math.random;
        const backoff = Math.min(60_000, base * 2 ** (attempts - 1)) * (0.5 + random());
        const delay = Math.max(backoff, error.details.retryAfterMs ?? 0);
        this.update(id, { state: 'queued', next_attempt_at: new Date(Date.now() + delay).toISOString(), error: `${error.message} Trying again.`, error_kind: error.kind });
        return;
      }
      this.update(id, { state: 'failed', error: error.message, error_kind: error.kind, answer_text: error.details.text ?? null });
      return;
    }
    const message = error instanceof UserFacingError ? error.message : `The edit failed: ${error instanceof Error ? error.message : String(error)}`;
    this.update(id, { state: 'failed', error: message, error_kind: 'internal' });
  }

  private logUpload(jobId: string, model: string, prompt: string, prepared: Pick<Prepared, 'image' | 'references' | 'conversation' | 'photoIds'>): void {
    const bytes = prepared.image.byteLength + prepared.references.reduce((n, r) => n + r.bytes.byteLength, 0) + prepared.conversation.reduce((n, t) => n + t.output.bytes.byteLength, 0);
    this.options.db
      .prepare('INSERT INTO upload_log (job_id, provider, model, image_count, bytes, photo_ids, prompt, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(jobId, 'gemini', model, 1 + prepared.references.length + prepared.conversation.length, bytes, JSON.stringify(prepared.photoIds), prompt, now());
  }

  private update(id: string, fields: Partial<Omit<JobRow, 'id'>>): void {
    const entries = Object.entries({ ...fields, updated_at: now() });
    this.options.db.prepare(`UPDATE jobs SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...entries.map(([, v]) => v), id);
    if (!this.closed) this.options.onChange(this.get(id));
  }
}

function now(): string {
  return new Date().toISOString();
}

function toInfo(row: JobRow): EditJobInfo {
  const request = JSON.parse(row.request_json) as StoredRequest;
  return {
    jobId: row.id,
    projectId: row.project_id,
    state: row.state,
    provider: row.provider,
    model: row.model,
    prompt: request.prompt,
    attempts: row.attempts,
    estimateUsd: row.estimate_usd,
    costUsd: row.cost_usd,
    stepId: row.step_id,
    error: row.error,
    errorKind: row.error_kind,
    answerText: row.answer_text,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

