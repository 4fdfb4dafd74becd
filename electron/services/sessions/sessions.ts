/**
 * Restoration sessions: one recipe over many photos, one project per photo, run through the edit
 * queue (Gemini, one job per step), the Gemini Batch API (large cloud sessions) or the local
 * engine, then reviewed photo by photo.
 *
 * Crash safety rests on three rules. (1) An item's progress (`steps_done`) moves in the same
 * transaction as the step it counts: local steps are committed together with it, batch answers
 * through `EditQueue.completeExternal`'s transaction. (2) A queued edit is recorded on its item
 * (`current_job_id`) in the transaction that creates the job, and a restart asks the job row
 * what happened instead of sending it again. (3) A remote batch is recorded under its display
 * name before it is sent, so a crash in between finds it again rather than paying twice.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type {
  EditJobInfo,
  EngineName,
  ExportJob,
  ExportOptions,
  HostEvent,
  SessionDetail,
  SessionItem,
  SessionProgress,
  SessionSettings,
  SessionSummary,
} from '../../../shared/contract/api.js';
import { EditJobRequest as EditJobRequestSchema, SessionSettings as SessionSettingsSchema } from '../../../shared/contract/api.js';
import { UserFacingError } from '../../../shared/contract/result.js';
import { applyOperation, InvalidOperation, type LayerStack } from '../../../shared/document/model.js';
import { renderStack } from '../../../shared/document/render.js';
import type { RgbaImage } from '../../../shared/imaging/types.js';
import type { EditQueue, Prepared, StoredRequest } from '../edit/queue.js';
import type { ImageLocator } from '../export.js';
import type { Db } from '../library/database.js';
import type { Library } from '../library/library.js';
import type { Projects } from '../projects.js';
import { estimateCostUsd } from '../providers/gemini/models.js';
import { ProviderError } from '../providers/types.js';
import type { StoredImages } from '../stored-images.js';
import { BATCH_PRICE_FACTOR, requestBytes, type BatchClient, type BatchRequest, type BatchStatus } from './gemini-batch.js';
import type { LocalRunner, LocalStep } from './local-runner.js';
import { Presets } from './presets.js';
import { engineFor, recipeFromPrompt, type Recipe, type RecipeStepSpec } from './recipe.js';

export interface SessionsOptions {
  db: Db;
  library: Library;
  projects: Projects;
  edits: EditQueue;
  storedImages: StoredImages;
  locateImage: ImageLocator;
  local: LocalRunner;
  /** A Batch API client, or why there is none (no key). */
  batch: () => BatchClient | { unavailable: string };
  subscribe(listener: (event: HostEvent) => void): () => void;
  emit(event: HostEvent): void;
  runExport(projectIds: number[], options: ExportOptions, folder?: string): Promise<ExportJob>;
  /** Cloud steps in flight at once: the edit queue's concurrency (2). */
  cloudConcurrency?: number;
  /** Local steps in flight at once, overriding the runner's own `concurrency` (the bench runs 1 or 2 to compare like with like). */
  localConcurrency?: number;
  /** How often a submitted batch is asked about (default 30 s). */
  batchPollMs?: number;
  /** Inlined requests per remote batch stay under this many bytes (the API takes 20 MB inline). */
  maxBatchBytes?: number;
  /** Progress events at most this often (default 200 ms). */
  progressIntervalMs?: number;
}

interface SessionRow {
  id: number;
  name: string;
  recipe_json: string;
  engine: EngineName;
  model: string;
  mode: 'direct' | 'batch';
  state: SessionSummary['state'];
  pause_reason: string | null;
  message: string | null;
  budget_usd: number | null;
  album_id: number | null;
  created_at: string;
  updated_at: string;
}

interface ItemRow {
  id: number;
  session_id: number;
  position: number;
  photo_id: number;
  project_id: number | null;
  state: SessionItem['state'];
  steps_done: number;
  current_job_id: string | null;
  batch_name: string | null;
  base_head: string | null;
  tweak_prompt: string | null;
  job_ids: string;
  cost_usd: number;
  error: string | null;
  preview_sha256: string | null;
  preview_head: string | null;
  finished_at: string | null;
  updated_at: string;
}

interface BatchRow {
  display_name: string;
  name: string | null;
  session_id: number;
  model: string;
  state: 'submitting' | 'submitted' | 'imported' | 'failed' | 'cancelled';
  requests_json: string;
  remote_state: string | null;
}

/** One request of a remote batch, as recorded before it is sent. */
interface BatchEntry {
  itemId: number;
  key: string;
  stored: StoredRequest;
  estimateUsd: number;
}

/** A session being run in this process. */
interface ActiveRun {
  sessionId: number;
  startedAt: number;
  finishedAtStart: number;
  abort: AbortController;
  inFlight: Map<number, Promise<void>>;
  wakeUp: () => void;
  wakeSignal: Promise<void>;
  done: Promise<SessionSummary>;
}

const FINISHED = ['done', 'failed', 'accepted', 'rejected'] as const;
const DEFAULT_SETTINGS: SessionSettings = { batchThreshold: 50 };
const BUDGET_WORDS = /budget/i;

export class Sessions {
  readonly presets: Presets;
  private readonly runs = new Map<number, ActiveRun>();
  /** Items some run is working on, across runs (a resumed session must not pick them twice). */
  private readonly busy = new Set<number>();
  private readonly lastPublish = new Map<number, number>();
  private readonly trailing = new Map<number, NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private readonly jobWaiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly options: SessionsOptions) {
    this.presets = new Presets(options.db);
    this.unsubscribe = options.subscribe((event) => {
      if (event.type !== 'edit.progress') return;
      for (const wake of this.jobWaiters.get(event.job.jobId) ?? []) wake();
    });
  }

  // ─── Settings ────────────────────────────────────────────────────────────

  getSettings(): SessionSettings {
    const rows = this.options.db.prepare('SELECT key, value FROM session_settings').all() as { key: string; value: string }[];
    return SessionSettingsSchema.parse({ ...DEFAULT_SETTINGS, ...Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown])) });
  }

  setSettings(patch: Partial<SessionSettings>): SessionSettings {
    const next = SessionSettingsSchema.parse({ ...this.getSettings(), ...patch });
    const { db } = this.options;
    db.transaction(() => {
      for (const [key, value] of Object.entries(next)) {
        db.prepare('INSERT INTO session_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
      }
    })();
    return next;
  }

  // ─── Creating and reading ────────────────────────────────────────────────

  /** Creates the session, its items and one project per photo, in one transaction. */
  create(input: {
    photoIds?: number[];
    albumId?: number;
    recipe: { presetId: number } | { prompt: string };
    engine?: EngineName;
    model?: string;
    name?: string;
    budgetUsd?: number | null;
    start?: boolean;
  }): SessionSummary {
    const { db, library, projects } = this.options;
    let photoIds = input.photoIds ?? [];
    if (input.albumId !== undefined) {
      photoIds = [];
      for (let offset = 0; ; offset += 1000) {
        const page = library.list({ albumId: input.albumId, sort: 'takenAt', order: 'asc', offset, limit: 1000 });
        photoIds.push(...page.items.map((photo) => photo.id));
        if (page.items.length < 1000) break;
      }
    }
    photoIds = [...new Set(photoIds)];
    if (photoIds.length === 0) throw new UserFacingError('invalid-argument', 'Choose at least one photo for the session.');
    let recipe: Recipe;
    let preferred: EngineName = 'gemini';
    if ('presetId' in input.recipe) {
      const preset = this.presets.get(input.recipe.presetId);
      recipe = { label: preset.nameEn, presetId: preset.id, steps: preset.steps };
      preferred = preset.engine;
    } else {
      recipe = recipeFromPrompt(input.recipe.prompt);
    }
    const engine = input.engine ?? preferred;
    const model = input.model ?? library.getSettings().model;
    const usesCloud = recipe.steps.some((step) => engineFor(step, engine) === 'gemini');
    const mode = usesCloud && photoIds.length >= this.getSettings().batchThreshold ? 'batch' : 'direct';
    const photos = photoIds.map((id) => library.get(id));
    const now = new Date().toISOString();
    const sessionId = db.transaction(() => {
      const id = Number(
        db
          .prepare(
            `INSERT INTO sessions (name, recipe_json, engine, model, mode, state, budget_usd, created_at, updated_at)
             VALUES ('', ?, ?, ?, ?, 'ready', ?, ?, ?)`,
          )
          .run(JSON.stringify(recipe), engine, model, mode, input.budgetUsd ?? null, now, now).lastInsertRowid,
      );
      db.prepare('UPDATE sessions SET name = ? WHERE id = ?').run(input.name ?? `Session ${id} — ${recipe.label}`, id);
      const insert = db.prepare(
        `INSERT INTO session_items (session_id, position, photo_id, project_id, state, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)`,
      );
      photos.forEach((photo, position) => {
        const project = projects.create(photo.id, `${photo.fileName.replace(/\.[^.]+$/, '')} — ${recipe.label}`.slice(0, 200));
        insert.run(id, position, photo.id, project.project.id, now);
      });
      return id;
    })();
    if (input.start) this.start(sessionId);
    return this.summary(sessionId);
  }

  list(): SessionSummary[] {
    const ids = this.options.db.prepare('SELECT id FROM sessions ORDER BY id DESC').pluck().all() as number[];
    return ids.map((id) => this.summary(id));
  }

  summary(sessionId: number): SessionSummary {
    const session = this.sessionRow(sessionId);
    const recipe = JSON.parse(session.recipe_json) as Recipe;
    return {
      ...this.progress(sessionId),
      name: session.name,
      engine: session.engine,
      model: session.model,
      recipe,
      budgetUsd: session.budget_usd,
      albumId: session.album_id,
      createdAt: session.created_at,
    };
  }

  detail(sessionId: number): SessionDetail {
    const rows = this.options.db
      .prepare(
        `SELECT i.*, p.sha256 AS photo_sha256, p.file_name FROM session_items i JOIN photos p ON p.id = i.photo_id
         WHERE i.session_id = ? ORDER BY i.position`,
      )
      .all(sessionId) as (ItemRow & { photo_sha256: string; file_name: string })[];
    return { ...this.summary(sessionId), items: rows.map(toItem) };
  }

  item(sessionId: number, itemId: number): SessionItem {
    const row = this.options.db
      .prepare('SELECT i.*, p.sha256 AS photo_sha256, p.file_name FROM session_items i JOIN photos p ON p.id = i.photo_id WHERE i.id = ? AND i.session_id = ?')
      .get(itemId, sessionId) as (ItemRow & { photo_sha256: string; file_name: string }) | undefined;
    if (!row) throw new UserFacingError('not-found', `Session ${sessionId} has no photo with item id ${itemId}.`);
    return toItem(row);
  }

  /** Counts, cost, what the rest should cost and when it should end. */
  progress(sessionId: number): SessionProgress {
    const { db } = this.options;
    const session = this.sessionRow(sessionId);
    const recipe = JSON.parse(session.recipe_json) as Recipe;
    const counts = Object.fromEntries(
      (db.prepare('SELECT state, count(*) AS n FROM session_items WHERE session_id = ? GROUP BY state').all(sessionId) as { state: string; n: number }[]).map((r) => [r.state, r.n]),
    ) as Partial<Record<SessionItem['state'], number>>;
    const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    const costUsd = db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM session_items WHERE session_id = ?').pluck().get(sessionId) as number;
    // What is left: the cloud steps each unfinished item still has to run.
    const left = db
      .prepare(`SELECT steps_done, tweak_prompt IS NOT NULL AS tweak, count(*) AS n FROM session_items WHERE session_id = ? AND state IN ('pending', 'running') GROUP BY steps_done, tweak`)
      .all(sessionId) as { steps_done: number; tweak: number; n: number }[];
    const factor = session.mode === 'batch' ? BATCH_PRICE_FACTOR : 1;
    let estimateRestUsd = 0;
    for (const group of left) {
      const steps: RecipeStepSpec[] = recipe.steps.slice(group.steps_done);
      if (group.tweak) steps.push({ prompt: 'a follow-up', engine: null });
      for (const step of steps) {
        if (engineFor(step, session.engine) !== 'gemini') continue;
        estimateRestUsd += group.n * factor * estimateCostUsd(session.model, { inputImages: 1, promptChars: step.prompt.length, variants: 1 });
      }
    }
    const run = this.runs.get(sessionId);
    const finished = FINISHED.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
    const remaining = (counts.pending ?? 0) + (counts.running ?? 0);
    let etaSeconds: number | null = null;
    if (run && session.state === 'running' && finished > run.finishedAtStart) {
      etaSeconds = Math.round(((Date.now() - run.startedAt) / 1000 / (finished - run.finishedAtStart)) * remaining);
    }
    if (remaining === 0) etaSeconds = 0;
    const batchesPending = db.prepare("SELECT count(*) FROM session_batches WHERE session_id = ? AND state IN ('submitting', 'submitted')").pluck().get(sessionId) as number;
    return {
      sessionId,
      state: session.state,
      pauseReason: session.pause_reason,
      message: session.message,
      mode: session.mode,
      total,
      done: (counts.done ?? 0) + (counts.accepted ?? 0) + (counts.rejected ?? 0),
      failed: counts.failed ?? 0,
      running: counts.running ?? 0,
      pending: counts.pending ?? 0,
      accepted: counts.accepted ?? 0,
      rejected: counts.rejected ?? 0,
      costUsd,
      estimateRestUsd,
      etaSeconds,
      batchesPending,
    };
  }

  // ─── Running ─────────────────────────────────────────────────────────────

  /** Runs (or resumes) a session in the background. */
  start(sessionId: number): SessionSummary {
    const session = this.sessionRow(sessionId);
    if (session.state === 'cancelled') throw new UserFacingError('conflict', 'This session was cancelled; start a new one (or retry single photos).');
    if (session.state !== 'running') {
      const hasWork = this.options.db.prepare("SELECT 1 FROM session_items WHERE session_id = ? AND state IN ('pending', 'running') LIMIT 1").get(sessionId) !== undefined;
      if (!hasWork && session.state === 'done') return this.summary(sessionId);
      this.setSession(sessionId, { state: 'running', pause_reason: null, message: null });
    }
    void this.ensureRun(sessionId);
    this.publish(sessionId, true);
    return this.summary(sessionId);
  }

  /** Runs a session to the end, or until it is paused or cancelled (the CLI). */
  async run(sessionId: number): Promise<SessionSummary> {
    this.start(sessionId);
    const run = this.runs.get(sessionId);
    return run ? run.done : this.summary(sessionId);
  }

  /** Stops sending new work; steps already sent finish and are kept. */
  pause(sessionId: number, reason = 'user', message: string | null = null): SessionSummary {
    const session = this.sessionRow(sessionId);
    if (session.state === 'running' || session.state === 'ready') {
      this.setSession(sessionId, { state: 'paused', pause_reason: reason, message });
      this.runs.get(sessionId)?.wakeUp();
    }
    this.publish(sessionId, true);
    return this.summary(sessionId);
  }

  /** Stops the session: queued edits and remote batches are cancelled, finished results stay. */
  async cancel(sessionId: number): Promise<SessionSummary> {
    const { db, edits } = this.options;
    const session = this.sessionRow(sessionId);
    if (session.state === 'done' || session.state === 'cancelled') return this.summary(sessionId);
    this.setSession(sessionId, { state: 'cancelled', pause_reason: null, message: null });
    const run = this.runs.get(sessionId);
    run?.abort.abort();
    for (const jobId of db.prepare('SELECT current_job_id FROM session_items WHERE session_id = ? AND current_job_id IS NOT NULL').pluck().all(sessionId) as string[]) {
      edits.cancel(jobId);
    }
    const batches = db.prepare("SELECT * FROM session_batches WHERE session_id = ? AND state IN ('submitting', 'submitted')").all(sessionId) as BatchRow[];
    const client = batches.length > 0 ? this.options.batch() : null;
    for (const batch of batches) {
      if (batch.name && client && !('unavailable' in client)) await client.cancel(batch.name).catch(() => {});
      db.transaction(() => {
        db.prepare("UPDATE session_batches SET state = 'cancelled', updated_at = ? WHERE display_name = ?").run(now(), batch.display_name);
        db.prepare("UPDATE session_items SET batch_name = NULL, state = 'pending', updated_at = ? WHERE batch_name = ?").run(now(), batch.display_name);
      })();
    }
    run?.wakeUp();
    this.publish(sessionId, true);
    return this.summary(sessionId);
  }

  /** Resolves when this process has stopped working on the session (after a pause or cancel, once steps in flight are in). */
  async settled(sessionId: number): Promise<void> {
    await this.runs.get(sessionId)?.done;
  }

  delete(sessionId: number): void {
    const session = this.sessionRow(sessionId);
    if (session.state === 'running' || this.runs.has(sessionId)) throw new UserFacingError('conflict', 'Pause or cancel the session before deleting it.');
    // The projects stay: they are the person's work.
    this.options.db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
  }

  /** Sessions left running by the last run of the app (a crash, a quit) carry on. */
  resumeAll(): void {
    const ids = this.options.db.prepare("SELECT id FROM sessions WHERE state = 'running'").pluck().all() as number[];
    for (const id of ids) void this.ensureRun(id);
  }

  close(): void {
    this.closed = true;
    for (const run of this.runs.values()) run.wakeUp();
    for (const wakers of this.jobWaiters.values()) for (const wake of wakers) wake();
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.unsubscribe();
    void this.options.local.close?.().catch(() => {});
  }

  // ─── Review ──────────────────────────────────────────────────────────────

  /** Accept (the photo joins “Session N — accepted”), reject, or take the decision back. */
  review(sessionId: number, itemId: number, decision: 'accept' | 'reject' | 'undecided'): SessionItem {
    const { db, library } = this.options;
    const item = this.itemRow(itemId, sessionId);
    if (!['done', 'accepted', 'rejected'].includes(item.state)) {
      throw new UserFacingError('conflict', item.state === 'failed' ? 'This photo failed; retry it before accepting.' : 'This photo is not finished yet.');
    }
    db.transaction(() => {
      const albumId = this.acceptedAlbum(sessionId);
      if (decision === 'accept') library.addToAlbum(albumId, [item.photo_id]);
      else if (item.state === 'accepted') library.removeFromAlbum(albumId, [item.photo_id]);
      const state = decision === 'accept' ? 'accepted' : decision === 'reject' ? 'rejected' : 'done';
      db.prepare('UPDATE session_items SET state = ?, updated_at = ? WHERE id = ?').run(state, now(), itemId);
    })();
    this.options.emit({ type: 'library.changed' });
    this.publish(sessionId, true);
    return this.item(sessionId, itemId);
  }

  /**
   * Retry: without a prompt, a failed photo runs the rest of its recipe again; with one, a
   * follow-up step on its project (continuing the AI layer's conversation on Gemini).
   */
  retry(sessionId: number, itemId: number, prompt?: string): SessionItem {
    const { db, library } = this.options;
    const session = this.sessionRow(sessionId);
    const item = this.itemRow(itemId, sessionId);
    if (item.state === 'pending' || item.state === 'running') throw new UserFacingError('conflict', 'This photo is still being worked on.');
    if (!prompt && item.state !== 'failed') throw new UserFacingError('invalid-argument', 'Say what to change: a finished photo is retried with a follow-up instruction.');
    db.transaction(() => {
      if (item.state === 'accepted' && session.album_id !== null) library.removeFromAlbum(session.album_id, [item.photo_id]);
      const tweak = prompt?.trim() || null;
      db.prepare("UPDATE session_items SET state = 'pending', error = NULL, tweak_prompt = ?, updated_at = ? WHERE id = ?").run(tweak, now(), itemId);
      if (session.state !== 'running' && session.state !== 'paused') {
        db.prepare("UPDATE sessions SET state = 'running', pause_reason = NULL, message = NULL, updated_at = ? WHERE id = ?").run(now(), sessionId);
      }
    })();
    if (this.sessionRow(sessionId).state === 'running') void this.ensureRun(sessionId);
    this.publish(sessionId, true);
    return this.item(sessionId, itemId);
  }

  /** The before (the photo) and after (a small render of the project, stored by hash) for the review grid. */
  async preview(sessionId: number, itemId: number, maxEdge = 1024): Promise<{ beforeSha256: string; afterSha256: string | null }> {
    const { db, projects, library, storedImages } = this.options;
    const item = this.itemRow(itemId, sessionId);
    const photo = library.get(item.photo_id);
    if (item.project_id === null) return { beforeSha256: photo.sha256, afterSha256: null };
    const state = projects.state(item.project_id);
    if (state.steps.length <= 1 && item.steps_done === 0) return { beforeSha256: photo.sha256, afterSha256: null };
    const key = `${state.head}@${maxEdge}`;
    if (item.preview_head === key && item.preview_sha256 && storedImages.has(item.preview_sha256)) {
      return { beforeSha256: photo.sha256, afterSha256: item.preview_sha256 };
    }
    const { stack } = projects.stackAtHead(item.project_id);
    const image = await this.renderSmall(stack, maxEdge);
    const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
      .png({ compressionLevel: 6 })
      .toBuffer();
    // A preview is pixels made here from the project; kept by hash like other local output.
    const sha = await storedImages.putPng(png, image.width, image.height, 'local-output');
    db.prepare('UPDATE session_items SET preview_sha256 = ?, preview_head = ? WHERE id = ?').run(sha, key, itemId);
    return { beforeSha256: photo.sha256, afterSha256: sha };
  }

  /**
   * Exports every accepted result (XMP provenance included by default) as one export job;
   * `which: 'finished'` takes every result not rejected (the command line, where nothing is reviewed).
   */
  async exportAccepted(sessionId: number, exportOptions: ExportOptions, folder?: string, which: 'accepted' | 'finished' = 'accepted'): Promise<{ job: ExportJob; count: number }> {
    this.sessionRow(sessionId);
    const states = which === 'accepted' ? "('accepted')" : "('accepted', 'done')";
    const projectIds = this.options.db
      .prepare(`SELECT project_id FROM session_items WHERE session_id = ? AND state IN ${states} AND project_id IS NOT NULL ORDER BY position`)
      .pluck()
      .all(sessionId) as number[];
    if (projectIds.length === 0) {
      throw new UserFacingError('invalid-argument', which === 'accepted' ? 'No result of this session is accepted yet: accept some first.' : 'This session has no finished result to export yet.');
    }
    const job = await this.options.runExport(projectIds, exportOptions, folder);
    return { job, count: projectIds.length };
  }

  // ─── The run loop ────────────────────────────────────────────────────────

  private ensureRun(sessionId: number): Promise<SessionSummary> {
    const existing = this.runs.get(sessionId);
    if (existing) {
      existing.wakeUp();
      return existing.done;
    }
    const run: ActiveRun = {
      sessionId,
      startedAt: Date.now(),
      finishedAtStart: 0,
      abort: new AbortController(),
      inFlight: new Map(),
      wakeUp: () => {},
      wakeSignal: Promise.resolve(),
      done: Promise.resolve(null as unknown as SessionSummary),
    };
    this.rearm(run);
    const progress = this.progress(sessionId);
    run.finishedAtStart = progress.done + progress.failed;
    this.runs.set(sessionId, run);
    run.done = (async () => {
      try {
        await this.drive(run);
      } finally {
        this.runs.delete(sessionId);
      }
      if (!this.closed) this.publish(sessionId, true);
      return this.closed ? (null as unknown as SessionSummary) : this.summary(sessionId);
    })();
    return run.done;
  }

  private rearm(run: ActiveRun): void {
    run.wakeSignal = new Promise<void>((resolve) => {
      run.wakeUp = () => {
        resolve();
      };
    });
  }

  private async drive(run: ActiveRun): Promise<void> {
    for (;;) {
      try {
        await this.loop(run);
      } catch (error) {
        if (!this.closed) this.pause(run.sessionId, 'error', `The session stopped: ${messageOf(error)}`);
      }
      await Promise.allSettled([...run.inFlight.values()]);
      if (this.closed || this.sessionRow(run.sessionId).state !== 'running') return;
    }
  }

  private async loop(run: ActiveRun): Promise<void> {
    const { sessionId } = run;
    for (;;) {
      if (this.closed) return;
      const session = this.sessionRow(sessionId);
      if (session.state !== 'running') return;
      const recipe = JSON.parse(session.recipe_json) as Recipe;
      // In a batch session, Gemini steps wait for the batch unless too few are left to make one.
      const directCloud = session.mode === 'direct' || this.waitingForBatch(session, recipe).length < this.getSettings().batchThreshold;
      const limit = this.slotLimit(session, recipe);
      if (run.inFlight.size < limit) {
        for (const itemId of this.runnable(session, recipe, directCloud, limit - run.inFlight.size)) {
          this.busy.add(itemId);
          const task = this.runItem(run, itemId, directCloud).finally(() => {
            run.inFlight.delete(itemId);
            this.busy.delete(itemId);
            run.wakeUp();
          });
          run.inFlight.set(itemId, task);
        }
      }
      if (session.mode === 'batch' && run.inFlight.size === 0) {
        const outcome = await this.batchPhase(run, session, recipe, directCloud);
        if (outcome === 'worked') continue;
        if (outcome === 'waiting') {
          await this.sleep(run, this.options.batchPollMs ?? 30_000);
          continue;
        }
      }
      if (run.inFlight.size === 0) {
        const left = this.options.db.prepare("SELECT count(*) FROM session_items WHERE session_id = ? AND state IN ('pending', 'running')").pluck().get(sessionId) as number;
        if (left === 0) {
          this.setSession(sessionId, { state: 'done', pause_reason: null, message: null });
          return;
        }
        // Work left that nothing here can start (busy in a run that is winding down): look again shortly.
        await this.sleep(run, 100);
        continue;
      }
      await Promise.race([run.wakeSignal, ...run.inFlight.values()]);
      this.rearm(run);
    }
  }

  private slotLimit(session: SessionRow, recipe: Recipe): number {
    const cloud = this.options.cloudConcurrency ?? 2;
    const local = Math.max(1, this.options.localConcurrency ?? this.options.local.concurrency ?? 2);
    const cloudSteps = recipe.steps.some((step) => engineFor(step, session.engine) === 'gemini');
    const localSteps = recipe.steps.some((step) => engineFor(step, session.engine) === 'local');
    if (cloudSteps && !localSteps) return cloud;
    if (!cloudSteps) return local;
    return Math.max(cloud, local);
  }

  /** Items this process can work on now, in order. */
  private runnable(session: SessionRow, recipe: Recipe, directCloud: boolean, room: number): number[] {
    if (room <= 0) return [];
    const rows = this.options.db
      .prepare(
        `SELECT id, steps_done, current_job_id, base_head, tweak_prompt FROM session_items
         WHERE session_id = ? AND state IN ('pending', 'running') AND batch_name IS NULL ORDER BY position`,
      )
      .all(session.id) as Pick<ItemRow, 'id' | 'steps_done' | 'current_job_id' | 'base_head' | 'tweak_prompt'>[];
    const chosen: number[] = [];
    for (const row of rows) {
      if (chosen.length >= room) break;
      if (this.busy.has(row.id)) continue;
      const step = recipe.steps[row.steps_done];
      const waitsForBatch =
        !directCloud && row.current_job_id === null && row.base_head === null && row.tweak_prompt === null && step !== undefined && engineFor(step, session.engine) === 'gemini';
      if (!waitsForBatch) chosen.push(row.id);
    }
    return chosen;
  }

  /** Runs one item's steps until it is done, fails, or the session stops. */
  private async runItem(run: ActiveRun, itemId: number, directCloud: boolean): Promise<void> {
    try {
      for (;;) {
        // Let timers, IPC and I/O in between steps: a fast engine must not starve the process.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.closed) return;
        const session = this.sessionRow(run.sessionId);
        const recipe = JSON.parse(session.recipe_json) as Recipe;
        const item = this.itemRow(itemId);
        if (item.state !== 'pending' && item.state !== 'running') return;
        if (item.project_id === null) {
          this.failItem(item.id, 'The project of this photo was deleted.');
          return;
        }
        // A step already sent is seen through first, even when pausing: it is paid for.
        if (item.current_job_id) {
          if (!(await this.finishCloudStep(run, session, recipe, item))) return;
          continue;
        }
        if (item.base_head !== null) {
          this.recoverLocalStep(item, recipe);
          continue;
        }
        const tweak = item.tweak_prompt;
        if (tweak === null && item.steps_done >= recipe.steps.length) {
          this.setItem(item.id, { state: 'done', finished_at: now() });
          this.publish(run.sessionId);
          return;
        }
        if (session.state !== 'running' || run.abort.signal.aborted) {
          this.setItem(item.id, { state: 'pending' });
          return;
        }
        const step: RecipeStepSpec = tweak !== null ? { prompt: tweak, engine: null } : recipe.steps[item.steps_done]!;
        const engine = engineFor(step, session.engine);
        if (engine === 'gemini' && tweak === null && !directCloud) {
          this.setItem(item.id, { state: 'pending' });
          return;
        }
        if (item.state !== 'running') this.setItem(item.id, { state: 'running' });
        this.publish(run.sessionId);
        const carryOn = engine === 'local' ? await this.localStep(run, item, step.prompt, tweak !== null, recipe) : this.submitCloudStep(session, item, step.prompt, tweak !== null);
        if (!carryOn) return;
      }
    } catch (error) {
      if (!this.closed) this.failItem(itemId, messageOf(error));
    } finally {
      if (!this.closed) this.publish(run.sessionId);
    }
  }

  /** One instruction on the local engine; its steps and the item's progress land in one transaction. */
  private async localStep(run: ActiveRun, item: ItemRow, prompt: string, tweak: boolean, recipe: Recipe): Promise<boolean> {
    const { db, projects, local } = this.options;
    const projectId = item.project_id!;
    const base = projects.state(projectId).head;
    this.setItem(item.id, { base_head: base ?? '' });
    let outcome;
    try {
      outcome = await local.apply(projectId, prompt, run.abort.signal);
    } catch (error) {
      outcome = { refused: `The local engine failed: ${messageOf(error)}` };
    }
    if ('refused' in outcome) {
      if (run.abort.signal.aborted) {
        this.setItem(item.id, { base_head: null, state: 'pending' });
        return false;
      }
      db.transaction(() => {
        this.setItem(item.id, { base_head: null });
        this.failItem(item.id, outcome.refused, tweak);
      })();
      return false;
    }
    if ('stepIds' in outcome) {
      this.advance(item.id, recipe, tweak, { base_head: null });
      return true;
    }
    if (run.abort.signal.aborted) {
      this.setItem(item.id, { base_head: null, state: 'pending' });
      return false;
    }
    // Checked on a copy first: a commit can then not fail half-way through the transaction.
    let stack: LayerStack = projects.stackAtHead(projectId).stack;
    for (const { op } of outcome.steps) {
      try {
        stack = applyOperation(stack, op);
      } catch (error) {
        if (error instanceof InvalidOperation) {
          db.transaction(() => {
            this.setItem(item.id, { base_head: null });
            this.failItem(item.id, `The local engine proposed an invalid step: ${error.message}`, tweak);
          })();
          return false;
        }
        throw error;
      }
    }
    db.transaction(() => {
      let head = projects.state(projectId).head;
      for (const step of outcome.steps) head = commitStep(projects, projectId, head, step);
      this.advance(item.id, recipe, tweak, { base_head: null });
    })();
    return true;
  }

  /** A local step interrupted by a crash: if the project moved on, the engine had committed it. */
  private recoverLocalStep(item: ItemRow, recipe: Recipe): void {
    const head = this.options.projects.state(item.project_id!).head ?? '';
    if (head === item.base_head) this.setItem(item.id, { base_head: null });
    else this.advance(item.id, recipe, item.tweak_prompt !== null && item.steps_done >= recipe.steps.length, { base_head: null });
  }

  /** Sends one cloud step to the edit queue, recorded on the item in the same transaction; false if the session paused or the item failed. */
  private submitCloudStep(session: SessionRow, item: ItemRow, prompt: string, tweak: boolean): boolean {
    const { db, edits, projects } = this.options;
    const projectId = item.project_id!;
    const estimate = estimateCostUsd(session.model, { inputImages: 1, promptChars: prompt.length, variants: 1 });
    const over = this.overBudget(session, estimate);
    if (over) {
      this.setItem(item.id, { state: 'pending' });
      this.pause(session.id, 'budget', over);
      return false;
    }
    let continueLayerId: string | null = null;
    if (tweak) {
      const layers = projects.stackAtHead(projectId).stack.layers;
      const ai = [...layers].reverse().find((layer) => layer.kind === 'image' && layer.generated);
      continueLayerId = ai?.id ?? null;
    }
    const request = EditJobRequestSchema.parse({ projectId, prompt, provider: 'gemini', model: session.model, continueLayerId });
    try {
      db.transaction(() => {
        const job = edits.submit(request);
        const jobIds = [...(JSON.parse(item.job_ids) as string[]), job.jobId];
        this.setItem(item.id, { current_job_id: job.jobId, job_ids: JSON.stringify(jobIds), state: 'running' });
      })();
    } catch (error) {
      const message = messageOf(error);
      if (error instanceof UserFacingError && BUDGET_WORDS.test(message)) {
        this.setItem(item.id, { state: 'pending' });
        this.pause(session.id, 'budget', message);
      } else {
        this.failItem(item.id, message, tweak);
      }
      return false;
    }
    return true;
  }

  /** Waits for the item's queued edit and counts its result; false when the item stops here. */
  private async finishCloudStep(run: ActiveRun, session: SessionRow, recipe: Recipe, item: ItemRow): Promise<boolean> {
    const job = await this.waitForJob(item.current_job_id!, run);
    if (!job) return false;
    const tweak = item.steps_done >= recipe.steps.length;
    const { db } = this.options;
    if (job.state === 'succeeded') {
      this.advance(item.id, recipe, tweak, { current_job_id: null }, job.costUsd);
      return true;
    }
    if (job.state === 'failed' && job.error && BUDGET_WORDS.test(job.error) && job.errorKind === 'internal') {
      this.setItem(item.id, { current_job_id: null, state: 'pending' });
      this.pause(session.id, 'budget', job.error);
      return false;
    }
    if (job.state === 'failed') {
      db.transaction(() => {
        this.setItem(item.id, { current_job_id: null, cost_usd: item.cost_usd + job.costUsd });
        this.failItem(item.id, job.error ?? 'The edit failed.', tweak);
      })();
      return false;
    }
    // Cancelled (the session was cancelled, or the job by hand): not done, not failed.
    this.setItem(item.id, tweak ? { current_job_id: null, tweak_prompt: null, state: 'done' } : { current_job_id: null, state: 'pending' });
    return false;
  }

  /** Resolves when the job has finished one way or another; null if Promptroom is closing. */
  private waitForJob(jobId: string, run: ActiveRun): Promise<EditJobInfo | null> {
    return new Promise((resolve) => {
      let settled = false;
      const wakers = this.jobWaiters.get(jobId) ?? new Set<() => void>();
      this.jobWaiters.set(jobId, wakers);
      const check = () => {
        if (settled) return;
        if (this.closed) return finish(null);
        let job: EditJobInfo;
        try {
          job = this.options.edits.get(jobId);
        } catch {
          return finish({ jobId, state: 'failed', error: 'The edit job is gone.', costUsd: 0 } as EditJobInfo);
        }
        if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') return finish(job);
        if (job.state === 'waiting-network' && job.error) this.noteWaiting(run.sessionId, job.error);
      };
      const timer = setInterval(check, 1000);
      timer.unref?.();
      const finish = (job: EditJobInfo | null) => {
        settled = true;
        clearInterval(timer);
        wakers.delete(check);
        if (wakers.size === 0) this.jobWaiters.delete(jobId);
        resolve(job);
      };
      wakers.add(check);
      check();
    });
  }

  private noteWaiting(sessionId: number, message: string): void {
    const session = this.sessionRow(sessionId);
    if (session.message !== message) {
      this.setSession(sessionId, { message });
      this.publish(sessionId);
    }
  }

  /** Why one more cloud step of `estimate` would pass the session's or the month's budget, or null. */
  private overBudget(session: SessionRow, estimate: number): string | null {
    const { db, edits, library } = this.options;
    const reservedJobs = (sessionOnly: boolean) =>
      db
        .prepare(
          `SELECT coalesce(sum(j.estimate_usd), 0) FROM jobs j WHERE j.state IN ('queued', 'running', 'waiting-network')
           ${sessionOnly ? 'AND j.id IN (SELECT current_job_id FROM session_items WHERE session_id = @id AND current_job_id IS NOT NULL)' : ''}`,
        )
        .pluck()
        .get(sessionOnly ? { id: session.id } : {}) as number;
    const reservedBatches = (sessionOnly: boolean) =>
      (db.prepare(`SELECT requests_json FROM session_batches WHERE state IN ('submitting', 'submitted') ${sessionOnly ? 'AND session_id = ?' : ''}`).pluck().all(...(sessionOnly ? [session.id] : [])) as string[])
        .flatMap((json) => JSON.parse(json) as BatchEntry[])
        .reduce((sum, entry) => sum + entry.estimateUsd, 0);
    if (session.budget_usd !== null) {
      const spent = db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM session_items WHERE session_id = ?').pluck().get(session.id) as number;
      const committed = spent + reservedJobs(true) + reservedBatches(true);
      if (committed + estimate > session.budget_usd + 1e-9) {
        return `The session's budget of $${session.budget_usd.toFixed(2)} is reached ($${committed.toFixed(3)} spent or on its way). Raise it, or resume to carry on.`;
      }
    }
    const monthly = library.getSettings().monthlyBudgetUsd;
    if (monthly !== null) {
      const committed = edits.monthSpendUsd() + reservedJobs(false) + reservedBatches(false);
      if (committed + estimate > monthly + 1e-9) {
        return `The monthly budget of $${monthly.toFixed(2)} is reached ($${committed.toFixed(3)} spent or on its way this month). Raise it in Settings, then resume the session.`;
      }
    }
    return null;
  }

  // ─── Batches ─────────────────────────────────────────────────────────────

  /** Items whose next step waits for a remote batch. */
  private waitingForBatch(session: SessionRow, recipe: Recipe): ItemRow[] {
    const cloudIndexes = recipe.steps.map((step, index) => (engineFor(step, session.engine) === 'gemini' ? index : -1)).filter((index) => index >= 0);
    if (cloudIndexes.length === 0) return [];
    return this.options.db
      .prepare(
        `SELECT * FROM session_items WHERE session_id = ? AND state IN ('pending', 'running') AND batch_name IS NULL
           AND current_job_id IS NULL AND base_head IS NULL AND tweak_prompt IS NULL AND steps_done IN (${cloudIndexes.join(',')})
         ORDER BY position`,
      )
      .all(session.id) as ItemRow[];
  }

  /** Sends what waits for a batch, checks on batches sent, and imports finished ones. */
  private async batchPhase(run: ActiveRun, session: SessionRow, recipe: Recipe, directCloud: boolean): Promise<'worked' | 'waiting' | 'idle'> {
    const { db } = this.options;
    const open = db.prepare("SELECT * FROM session_batches WHERE session_id = ? AND state IN ('submitting', 'submitted')").all(session.id) as BatchRow[];
    const waiting = directCloud ? [] : this.waitingForBatch(session, recipe);
    if (open.length === 0 && waiting.length === 0) return 'idle';
    const client = this.options.batch();
    if ('unavailable' in client) {
      this.pause(session.id, 'network', client.unavailable);
      return 'worked';
    }
    let worked = false;
    for (const batch of open) {
      if (this.closed || this.sessionRow(session.id).state !== 'running') return 'worked';
      try {
        if (batch.state === 'submitting') {
          await this.adopt(batch, client);
          worked = true;
          continue;
        }
        const status = await client.get(batch.name!, run.abort.signal);
        if (status.state !== batch.remote_state) db.prepare('UPDATE session_batches SET remote_state = ?, updated_at = ? WHERE display_name = ?').run(status.state, now(), batch.display_name);
        if (status.state === 'pending' || status.state === 'running') continue;
        await this.importBatch(run, batch, status, recipe);
        worked = true;
      } catch (error) {
        if (!this.handleBatchError(session.id, error)) return 'worked';
      }
    }
    if (waiting.length > 0 && this.sessionRow(session.id).state === 'running') {
      try {
        await this.submitBatches(run, session, waiting, client);
      } catch (error) {
        if (!this.handleBatchError(session.id, error)) return 'worked';
      }
      return 'worked';
    }
    return worked ? 'worked' : 'waiting';
  }

  /** Network trouble waits and tries again (true); a refused key pauses the session (false). */
  private handleBatchError(sessionId: number, error: unknown): boolean {
    if (error instanceof ProviderError && (error.kind === 'auth' || error.kind === 'quota' || error.kind === 'bad-request')) {
      this.pause(sessionId, error.kind === 'auth' ? 'auth' : 'error', error.message);
      return false;
    }
    this.noteWaiting(sessionId, messageOf(error));
    return true;
  }

  /** A batch recorded but maybe never sent (a crash in between): find it remotely, or free its items to send again. */
  private async adopt(batch: BatchRow, client: BatchClient): Promise<void> {
    const { db } = this.options;
    const found = await client.findByDisplayName(batch.display_name);
    db.transaction(() => {
      if (found) {
        db.prepare("UPDATE session_batches SET name = ?, state = 'submitted', updated_at = ? WHERE display_name = ?").run(found.name, now(), batch.display_name);
      } else {
        db.prepare('DELETE FROM session_batches WHERE display_name = ?').run(batch.display_name);
        db.prepare("UPDATE session_items SET batch_name = NULL, state = 'pending', updated_at = ? WHERE batch_name = ?").run(now(), batch.display_name);
      }
    })();
  }

  /** Prepares every waiting item like a queued edit would be, then sends them in batches under the inline size limit. */
  private async submitBatches(run: ActiveRun, session: SessionRow, items: ItemRow[], client: BatchClient): Promise<void> {
    const { edits } = this.options;
    const recipe = JSON.parse(session.recipe_json) as Recipe;
    const maxBytes = this.options.maxBatchBytes ?? 18_000_000;
    let chunk: { entry: BatchEntry; request: BatchRequest }[] = [];
    let chunkBytes = 0;
    let reserved = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const sending = chunk;
      chunk = [];
      chunkBytes = 0;
      await this.sendBatch(session, sending, client);
    };
    for (const item of items) {
      if (this.closed || run.abort.signal.aborted || this.sessionRow(session.id).state !== 'running') break;
      const prompt = recipe.steps[item.steps_done]!.prompt;
      let prepared;
      try {
        prepared = await edits.prepareExternal(EditJobRequestSchema.parse({ projectId: item.project_id, prompt, provider: 'gemini', model: session.model }), BATCH_PRICE_FACTOR);
      } catch (error) {
        const message = messageOf(error);
        if (error instanceof UserFacingError && BUDGET_WORDS.test(message)) {
          await flush();
          this.pause(session.id, 'budget', message);
          return;
        }
        this.failItem(item.id, message);
        continue;
      }
      if (prepared.cached) {
        // Never pay twice: the same edit was answered before.
        await edits.completeExternal({
          stored: prepared.stored,
          estimateUsd: 0,
          prepared: prepared.prepared,
          answer: { cached: prepared.cached },
          within: (jobId) => this.advance(item.id, recipe, false, { job_ids: JSON.stringify([...(JSON.parse(item.job_ids) as string[]), jobId]) }),
        });
        continue;
      }
      const over = this.overBudget(session, reserved + prepared.estimateUsd);
      if (over) {
        await flush();
        this.pause(session.id, 'budget', over);
        return;
      }
      const slim = slimPrepared(prepared.prepared);
      const request: BatchRequest = { key: `item-${item.id}`, stored: prepared.stored, prepared: slim };
      const bytes = requestBytes(request);
      if (chunk.length > 0 && chunkBytes + bytes > maxBytes) await flush();
      chunk.push({ entry: { itemId: item.id, key: request.key, stored: prepared.stored, estimateUsd: prepared.estimateUsd }, request });
      chunkBytes += bytes;
      reserved += prepared.estimateUsd;
    }
    await flush();
  }

  /** Records the batch, sends it, then records its remote name and what was uploaded. */
  private async sendBatch(session: SessionRow, chunk: { entry: BatchEntry; request: BatchRequest }[], client: BatchClient): Promise<void> {
    const { db, edits } = this.options;
    const displayName = `promptroom-session-${session.id}-${randomBytes(6).toString('hex')}`;
    db.transaction(() => {
      db.prepare(
        `INSERT INTO session_batches (display_name, session_id, model, state, requests_json, created_at, updated_at) VALUES (?, ?, ?, 'submitting', ?, ?, ?)`,
      ).run(displayName, session.id, session.model, JSON.stringify(chunk.map((c) => c.entry)), now(), now());
      for (const { entry } of chunk) this.setItem(entry.itemId, { batch_name: displayName, state: 'running' });
    })();
    this.publish(session.id, true);
    let name: string;
    try {
      ({ name } = await client.create({ model: session.model, displayName, requests: chunk.map((c) => c.request) }));
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'bad-request') {
        // Refused outright: nothing was created; these photos fail with the reason.
        db.transaction(() => {
          db.prepare("UPDATE session_batches SET state = 'failed', updated_at = ? WHERE display_name = ?").run(now(), displayName);
          for (const { entry } of chunk) {
            this.setItem(entry.itemId, { batch_name: null });
            this.failItem(entry.itemId, error.message);
          }
        })();
        return;
      }
      // Maybe sent, maybe not: the 'submitting' row is looked up by its display name next time.
      throw error;
    }
    db.transaction(() => {
      db.prepare("UPDATE session_batches SET name = ?, state = 'submitted', updated_at = ? WHERE display_name = ?").run(name, now(), displayName);
      for (const { entry, request } of chunk) edits.logExternalUpload(`${name}/${entry.key}`, entry.stored, request.prepared);
    })();
  }

  /** Brings a finished batch's answers into their projects; what failed is marked, the rest imported. */
  private async importBatch(run: ActiveRun, batch: BatchRow, status: BatchStatus, recipe: Recipe): Promise<void> {
    const { db, edits } = this.options;
    const entries = JSON.parse(batch.requests_json) as BatchEntry[];
    if (status.state !== 'succeeded') {
      const reason =
        status.state === 'expired'
          ? 'Gemini did not finish the batch within 24 hours; retry this photo.'
          : status.state === 'cancelled'
            ? 'The batch was cancelled at Gemini; retry this photo.'
            : 'The batch failed at Gemini; retry this photo.';
      db.transaction(() => {
        for (const entry of entries) {
          if (this.itemRow(entry.itemId).batch_name !== batch.display_name) continue;
          this.setItem(entry.itemId, { batch_name: null });
          this.failItem(entry.itemId, reason);
        }
        db.prepare('UPDATE session_batches SET state = ?, updated_at = ? WHERE display_name = ?').run(status.state === 'cancelled' ? 'cancelled' : 'failed', now(), batch.display_name);
      })();
      return;
    }
    const answers = status.answers ?? [];
    const byKey = new Map(answers.filter((a) => a.key !== null).map((a) => [a.key!, a]));
    for (const [index, entry] of entries.entries()) {
      if (this.closed) return;
      const item = this.itemRow(entry.itemId);
      if (item.batch_name !== batch.display_name) continue; // imported before a restart
      const answer = byKey.get(entry.key) ?? (byKey.size === 0 ? answers[index] : undefined);
      try {
        if (!answer) throw new ProviderError('no-image', 'Gemini returned no answer for this photo in the batch; retry it.');
        if (answer.result instanceof ProviderError) {
          const failure = answer.result;
          db.transaction(() => {
            this.setItem(item.id, { batch_name: null, cost_usd: item.cost_usd + answer.costUsd });
            this.failItem(item.id, failure.message);
          })();
          continue;
        }
        const result = answer.result;
        const prepared = await edits.prepareAgain(entry.stored);
        await edits.completeExternal({
          stored: entry.stored,
          estimateUsd: entry.estimateUsd,
          prepared,
          answer: result,
          within: (jobId) => {
            const jobIds = [...(JSON.parse(item.job_ids) as string[]), jobId];
            this.advance(item.id, recipe, false, { batch_name: null, job_ids: JSON.stringify(jobIds) }, result.usage.costUsd);
          },
        });
      } catch (error) {
        db.transaction(() => {
          this.setItem(item.id, { batch_name: null });
          this.failItem(item.id, messageOf(error));
        })();
      }
      this.publish(run.sessionId);
    }
    db.prepare("UPDATE session_batches SET state = 'imported', updated_at = ? WHERE display_name = ?").run(now(), batch.display_name);
  }

  // ─── Bookkeeping ─────────────────────────────────────────────────────────

  /** Counts a finished step (in the caller's transaction, if any): the next one, or done. */
  private advance(itemId: number, recipe: Recipe, tweak: boolean, extra: Partial<ItemRow>, costUsd = 0): void {
    const item = this.itemRow(itemId);
    const stepsDone = tweak ? item.steps_done : item.steps_done + 1;
    const finished = tweak || stepsDone >= recipe.steps.length;
    this.setItem(itemId, {
      ...extra,
      steps_done: stepsDone,
      cost_usd: item.cost_usd + costUsd,
      error: null,
      ...(tweak ? { tweak_prompt: null } : {}),
      ...(finished ? { state: 'done', finished_at: now() } : { state: 'running' }),
    });
  }

  private failItem(itemId: number, error: string, tweak = false): void {
    this.setItem(itemId, { state: 'failed', error, finished_at: now(), ...(tweak ? { tweak_prompt: null } : {}) });
  }

  private setItem(itemId: number, fields: Partial<ItemRow>): void {
    const entries = Object.entries({ ...fields, updated_at: now() });
    this.options.db.prepare(`UPDATE session_items SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...entries.map(([, v]) => v as unknown), itemId);
  }

  private setSession(sessionId: number, fields: Partial<SessionRow>): void {
    const entries = Object.entries({ ...fields, updated_at: now() });
    this.options.db.prepare(`UPDATE sessions SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...entries.map(([, v]) => v as unknown), sessionId);
  }

  private sessionRow(sessionId: number): SessionRow {
    const row = this.options.db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as SessionRow | undefined;
    if (!row) throw new UserFacingError('not-found', `There is no session with id ${sessionId}.`);
    return row;
  }

  private itemRow(itemId: number, sessionId?: number): ItemRow {
    const row = this.options.db.prepare('SELECT * FROM session_items WHERE id = ?').get(itemId) as ItemRow | undefined;
    if (!row || (sessionId !== undefined && row.session_id !== sessionId)) throw new UserFacingError('not-found', `That photo is not in session ${sessionId ?? ''}.`);
    return row;
  }

  /** “Session N — accepted”, made on the first accept. */
  private acceptedAlbum(sessionId: number): number {
    const { db, library } = this.options;
    const session = this.sessionRow(sessionId);
    if (session.album_id !== null && db.prepare('SELECT 1 FROM albums WHERE id = ?').get(session.album_id)) return session.album_id;
    const name = `Session ${sessionId} — accepted`;
    const existing = db.prepare('SELECT id FROM albums WHERE name = ?').pluck().get(name) as number | undefined;
    const albumId = existing ?? library.createAlbum(name);
    this.setSession(sessionId, { album_id: albumId });
    return albumId;
  }

  private publish(sessionId: number, force = false): void {
    if (this.closed) return;
    const interval = this.options.progressIntervalMs ?? 200;
    const last = this.lastPublish.get(sessionId) ?? 0;
    const wait = last + interval - Date.now();
    if (!force && wait > 0) {
      if (!this.trailing.has(sessionId)) {
        const timer = setTimeout(() => {
          this.trailing.delete(sessionId);
          this.publish(sessionId, true);
        }, wait);
        timer.unref?.();
        this.trailing.set(sessionId, timer);
      }
      return;
    }
    this.lastPublish.set(sessionId, Date.now());
    try {
      this.options.emit({ type: 'session.progress', progress: this.progress(sessionId) });
    } catch {
      // The session was deleted meanwhile: nothing to tell.
    }
  }

  private sleep(run: ActiveRun, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      void run.wakeSignal.then(done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => this.rearm(run));
  }

  /** The project at a small size, with the same kernels as export (sources decoded already scaled). */
  private async renderSmall(stack: LayerStack, maxEdge: number): Promise<RgbaImage> {
    const scale = Math.min(1, maxEdge / Math.max(stack.width, stack.height));
    const sources = new Map<string, RgbaImage>();
    for (const layer of stack.layers) {
      if (layer.kind !== 'image' || sources.has(layer.sha256)) continue;
      const file = this.options.locateImage(layer.sha256);
      if (!file) continue;
      try {
        const { data, info } = await sharp(file)
          .rotate()
          .resize(Math.max(1, Math.round(layer.width * scale)), Math.max(1, Math.round(layer.height * scale)), { fit: 'fill' })
          .toColorspace('srgb')
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        sources.set(layer.sha256, { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) });
      } catch {
        // Drawn as a broken layer.
      }
    }
    return renderStack(stack, (sha) => sources.get(sha), { scale }).image;
  }
}

/** Commits a step the local engine worked out; raster steps (stored pixels) go in as the engine's own. */
function commitStep(projects: Projects, projectId: number, head: string | null, step: LocalStep): string | null {
  if (step.op.type === 'aiEdit') return projects.commitInternal(projectId, head, step.op, step.outputSha256).head;
  return projects.commit(projectId, head, step.op).head;
}

/** What a batch request keeps of a prepared edit: the upload, not the full-size composite. */
function slimPrepared(prepared: Prepared): BatchRequest['prepared'] {
  return { image: prepared.image, references: prepared.references, conversation: prepared.conversation, aspectRatio: prepared.aspectRatio, photoIds: prepared.photoIds };
}

function toItem(row: ItemRow & { photo_sha256: string; file_name: string }): SessionItem {
  return {
    id: row.id,
    photoId: row.photo_id,
    photoSha256: row.photo_sha256,
    fileName: row.file_name,
    projectId: row.project_id,
    state: row.state,
    stepsDone: row.steps_done,
    costUsd: row.cost_usd,
    error: row.error,
    jobIds: JSON.parse(row.job_ids) as string[],
  };
}

function messageOf(error: unknown): string {
  if (error instanceof UserFacingError || error instanceof ProviderError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function now(): string {
  return new Date().toISOString();
}
