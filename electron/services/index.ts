import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { ExportJob, ExportOptions, HostEvent, ImportJob, ImportSummary } from '../../shared/contract/api.js';
import { EditJobRequest as EditJobRequestSchema } from '../../shared/contract/api.js';
import { pathTo } from '../../shared/document/history.js';
import { exportProject } from './export.js';
import type { Handlers } from '../../shared/contract/dispatch.js';
import { UserFacingError } from '../../shared/contract/result.js';
import { AssetStore, isSha256, sha256Of } from './assets.js';
import { expandPaths, importSources, snapshot, type ImportSource } from './importer.js';
import { openDatabase } from './library/database.js';
import { Library } from './library/library.js';
import { Projects } from './projects.js';
import { StoredImages } from './stored-images.js';
import { EditQueue } from './edit/queue.js';
import { Characters } from './characters.js';
import type { GeminiProviderOptions } from './providers/gemini/provider.js';
import type { Provider } from './providers/types.js';
import { Sessions } from './sessions/sessions.js';
import { sessionHandlers } from './sessions/handlers.js';
import type { LocalRunner } from './sessions/local-runner.js';
import { createEngineRunner } from './sessions/engine-runner.js';
import { LocalEngine } from './local/engine.js';
import { IdentityChecks } from './local/identity.js';
import { createGeminiBatchClient } from './sessions/gemini-batch.js';
import { estimateCostUsd, MODELS } from './providers/gemini/models.js';
import { readApiKey, writeKeyFile, type KeyLookup } from './providers/key.js';

export interface ServicesOptions {
  libraryDir: string;
  host: 'electron' | 'browser' | 'cli';
  version: string;
  systemLocale: string;
  /** Electron: better-sqlite3 built for Electron's ABI. */
  nativeBinding?: string;
  openPhotosDialog?: (folders: boolean) => Promise<string[]>;
  /** The Gemini key, read when a job runs (never stored in the library). Default: env or key file. */
  geminiKey?: () => KeyLookup;
  /** Stores the key where this host keeps it (Electron: safeStorage). Default: the owner-only key file. */
  storeGeminiKey?: (key: string | null) => Promise<void>;
  /** A different Gemini host (the fake server in tests): GEMINI_BASE_URL. */
  geminiBaseUrl?: string | (() => string | undefined);
  geminiTimeoutMs?: number;
  /** Run queued edits in this process (the app hosts do; the CLI only when it edits). */
  runQueue?: boolean;
  queueTuning?: { backoffMs?: number; networkProbeMs?: number; maxAttempts?: number };
  /** How sessions run instructions on the local engine (default: the basic parametric runner). */
  localRunner?: LocalRunner;
  sessionTuning?: { batchPollMs?: number; progressIntervalMs?: number; maxBatchBytes?: number; localConcurrency?: number };
}

export interface ResolvedAsset {
  path: string;
  contentType: string;
}

/** The main-process services behind every front door (Electron, browser host, CLI). */
export interface Services {
  readonly libraryDir: string;
  readonly library: Library;
  readonly projects: Projects;
  readonly assets: AssetStore;
  readonly storedImages: StoredImages;
  /** A library photo's original or a stored output, by hash; null if unknown. */
  locateImage(sha256: string): string | null;
  readonly handlers: Partial<Handlers>;
  readonly edits: EditQueue;
  readonly characters: Characters;
  /** Faces compared before and after each edit that made new pixels (in the background). */
  readonly identity: IdentityChecks;
  /** Presets and restoration sessions. */
  readonly sessions: Sessions;
  /** The offline engine (started on first use). */
  local(): LocalEngine;
  subscribe(listener: (event: HostEvent) => void): () => void;
  /** Only known hashes resolve; anything else is null. */
  resolveAsset(sha256: string, size: 'thumb' | 'preview' | 'original'): Promise<ResolvedAsset | null>;
  /** Runs an import to the end (CLI) or in the background (the `import.start` call). */
  runImport(input: { paths?: string[]; staged?: { stagedId: string; name: string }[] }, signal?: AbortSignal): Promise<ImportJob>;
  stageUpload(): { stagedId: string; path: string };
  /** Exports one project (or a photo as it is, if `photoId` is given) to a file. */
  exportOne(target: { projectId: number } | { photoId: number }, options: ExportOptions, file: string): Promise<string>;
  runExport(projectIds: number[], options: ExportOptions, folder?: string): Promise<ExportJob>;
  /** A finished export's file, by the id handed to the renderer; nothing else resolves. */
  resolveDownload(downloadId: string): { path: string; fileName: string } | null;
  close(): void;
}

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
};

/** Opens a library folder (creating it if needed) and everything that works on it. */
export async function openServices(options: ServicesOptions): Promise<Services> {
  const libraryDir = path.resolve(options.libraryDir);
  await fs.mkdir(libraryDir, { recursive: true });
  const db = openDatabase(path.join(libraryDir, 'library.sqlite3'), { nativeBinding: options.nativeBinding });
  const library = new Library(db);
  const assets = new AssetStore(libraryDir);
  const storedImages = new StoredImages(db, assets);
  const projects = new Projects(db, library, storedImages);
  /** A library photo's original or a stored output, by hash. */
  const locateImage = (sha: string): string | null =>
    library.hasSha(sha) ? assets.originalPath(sha) : storedImages.has(sha) ? assets.storedPath(sha) : null;
  await assets.init();
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const jobs = new Map<string, { job: ImportJob; abort: AbortController }>();
  const exportJobs = new Map<string, ExportJob>();
  const downloads = new Map<string, { path: string; fileName: string }>();
  let closed = false;

  function emit(event: HostEvent): void {
    events.emit('event', event);
  }

  async function runImport(
    input: { paths?: string[]; staged?: { stagedId: string; name: string }[] },
    signal?: AbortSignal,
    jobId = newJobId(),
  ): Promise<ImportJob> {
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const summary: ImportSummary = { imported: 0, duplicates: 0, failed: [] };
    const entry = { job: snapshot(jobId, 'running', 0, 0, summary), abort };
    jobs.set(jobId, entry);
    let lastEmit = 0;
    const publish = (force = false) => {
      const now = Date.now();
      if (!force && now - lastEmit < 100) return;
      lastEmit = now;
      emit({ type: 'import.progress', job: entry.job });
    };
    try {
      const expanded = await expandPaths(input.paths ?? []);
      summary.failed.push(...expanded.failed);
      const sources: ImportSource[] = [...expanded.sources];
      for (const staged of input.staged ?? []) {
        sources.push({ file: assets.stagedPath(staged.stagedId), displayName: staged.name, sourcePath: null, removeAfter: true });
      }
      const pixelLimit = library.getSettings().pixelLimitMegapixels * 1_000_000;
      let imported = 0;
      await importSources(sources, library, assets, {
        pixelLimit,
        // One more worker than cores: a worker waiting on fsync would otherwise leave a core idle.
        concurrency: os.availableParallelism() + 1,
        signal: abort.signal,
        onProgress: (done, total) => {
          entry.job = snapshot(jobId, 'running', done, total, summary);
          if (summary.imported !== imported) {
            imported = summary.imported;
            emit({ type: 'library.changed' });
          }
          publish(done === total);
        },
      }, summary);
      entry.job = snapshot(jobId, abort.signal.aborted ? 'cancelled' : 'succeeded', entry.job.done, entry.job.total, summary);
    } catch (error) {
      summary.failed.push({ path: '(import)', reason: error instanceof Error ? error.message : String(error) });
      entry.job = snapshot(jobId, 'failed', entry.job.done, entry.job.total, summary);
    }
    if (!closed) {
      publish(true);
      emit({ type: 'library.changed' });
    }
    return entry.job;
  }

  function exportRequestFor(target: { projectId: number } | { photoId: number }) {
    if ('projectId' in target) {
      const { project, stack, steps } = projects.stackAtHead(target.projectId);
      const head = projects.state(target.projectId).head;
      return { stack, steps: pathTo({ steps: new Map(steps.map((s) => [s.id, s])) }, head), photoId: project.photoId, name: project.name };
    }
    const photo = library.get(target.photoId);
    const stack = {
      width: photo.width,
      height: photo.height,
      layers: [{ kind: 'image' as const, id: 'base', name: photo.fileName, sha256: photo.sha256, x: 0, y: 0, width: photo.width, height: photo.height, visible: true, opacity: 1, blendMode: 'normal' as const, mask: null }],
      transform: { crop: null, quarterTurns: 0, straighten: 0, flipHorizontal: false, flipVertical: false },
    };
    return { stack, steps: [], photoId: photo.id, name: photo.fileName.replace(/\.[^.]+$/, '') };
  }

  async function exportOne(target: { projectId: number } | { photoId: number }, exportOptions: ExportOptions, file: string): Promise<string> {
    const request = exportRequestFor(target);
    return exportProject({ ...request, options: exportOptions, folder: path.dirname(file), file, version: options.version }, library, locateImage);
  }

  async function runExport(projectIds: number[], exportOptions: ExportOptions, folder = path.join(libraryDir, 'exports'), jobId = newJobId('export')): Promise<ExportJob> {
    const job: ExportJob = { jobId, state: 'running', done: 0, total: projectIds.length, files: [], failed: [] };
    exportJobs.set(jobId, job);
    const publish = () => emit({ type: 'export.progress', job: { ...job, files: [...job.files], failed: [...job.failed] } });
    publish();
    for (const projectId of projectIds) {
      if (closed) break;
      try {
        const request = exportRequestFor({ projectId });
        const file = await exportProject({ ...request, options: exportOptions, folder, version: options.version }, library, locateImage);
        const downloadId = randomBytes(16).toString('hex');
        downloads.set(downloadId, { path: file, fileName: path.basename(file) });
        job.files.push({ projectId, fileName: path.basename(file), downloadId });
      } catch (error) {
        job.failed.push({ projectId, reason: error instanceof UserFacingError ? error.message : `The export failed: ${error instanceof Error ? error.message : String(error)}` });
      }
      job.done++;
      publish();
    }
    job.state = job.failed.length === projectIds.length ? 'failed' : 'succeeded';
    publish();
    return job;
  }

  const geminiKey = options.geminiKey ?? (() => readApiKey());
  const geminiBaseUrl = options.geminiBaseUrl ?? process.env.GEMINI_BASE_URL;
  const characters = new Characters(db);
  const identity = new IdentityChecks({
    db,
    projects,
    characters,
    locateImage,
    onChecked: (projectId, stepId, checked) => emit({ type: 'identity.checked', projectId, stepId, identity: checked }),
  });
  projects.onNewPixels((projectId, step) => identity.schedule(projectId, step));
  const edits = new EditQueue({
    db,
    characters,
    library,
    projects,
    storedImages,
    locateImage,
    gemini: () => {
      const lookup = geminiKey();
      if ('missing' in lookup) return { unavailable: lookup.missing };
      const baseUrl = typeof geminiBaseUrl === 'function' ? geminiBaseUrl() : geminiBaseUrl;
      return lazyGeminiProvider({ apiKey: lookup.key, baseUrl, timeoutMs: options.geminiTimeoutMs });
    },
    onChange: (job) => {
      emit({ type: 'edit.progress', job });
      if (job.state === 'succeeded') emit({ type: 'library.changed' });
    },
    ...options.queueTuning,
  });
  if (options.runQueue ?? options.host !== 'cli') edits.start();

  const sessions = new Sessions({
    db,
    library,
    projects,
    edits,
    storedImages,
    locateImage,
    // The full local engine, its commits staged so each instruction lands with the item's progress.
    local:
      options.localRunner ??
      createEngineRunner({
        projects,
        db,
        library,
        storedImages,
        makeEngine: (staging) => new LocalEngine({ projects: staging, storedImages, locateImage, library, runner: 'worker', workers: 1 }),
      }),
    batch: () => {
      const lookup = geminiKey();
      if ('missing' in lookup) return { unavailable: lookup.missing };
      const baseUrl = typeof geminiBaseUrl === 'function' ? geminiBaseUrl() : geminiBaseUrl;
      return createGeminiBatchClient({ apiKey: lookup.key, baseUrl });
    },
    subscribe: (listener) => {
      events.on('event', listener);
      return () => events.off('event', listener);
    },
    emit,
    runExport: (projectIds, exportOptions, folder) => runExport(projectIds, exportOptions, folder),
    ...options.sessionTuning,
  });
  if (options.runQueue ?? options.host !== 'cli') sessions.resumeAll();

  // The offline engine for edits and restoration asked for directly (sessions run their own, staged).
  let localEngine: LocalEngine | null = null;
  const local = (): LocalEngine =>
    (localEngine ??= new LocalEngine({
      projects,
      storedImages,
      locateImage,
      library,
      importPhoto: async (file, name) => (await handlers['import.one']!({ name, path: file })).photo.id,
    }));

  const handlers: Partial<Handlers> = {
    'app.info': () => ({
      version: options.version,
      host: options.host === 'electron' ? 'electron' : 'browser',
      platform: process.platform,
      systemLocale: options.systemLocale,
      libraryDir,
      photoCount: library.count(),
    }),
    'settings.get': () => library.getSettings(),
    'settings.set': (patch) => library.setSettings(patch),
    'photos.list': (query) => library.list(query),
    'photos.count': (query) => ({ total: library.countMatching(query) }),
    'photos.get': ({ id }) => library.get(id),
    'photos.setRating': ({ ids, rating }) => {
      library.setRating(ids, rating);
      emit({ type: 'library.changed' });
      return null;
    },
    'photos.setColorLabel': ({ ids, colorLabel }) => {
      library.setColorLabel(ids, colorLabel);
      emit({ type: 'library.changed' });
      return null;
    },
    'photos.addTags': ({ ids, tags }) => {
      library.addTags(ids, tags);
      emit({ type: 'library.changed' });
      return null;
    },
    'photos.removeTags': ({ ids, tags }) => {
      library.removeTags(ids, tags);
      emit({ type: 'library.changed' });
      return null;
    },
    'photos.trash': ({ ids }) => {
      library.trash(ids);
      emit({ type: 'library.changed' });
      return null;
    },
    'photos.restore': ({ ids }) => {
      library.restore(ids);
      emit({ type: 'library.changed' });
      return null;
    },
    'trash.empty': async () => {
      const removed = library.emptyTrash();
      // Rows first, then files: a crash in between leaves stray files, never a row without its file.
      for (const sha of removed) await assets.removeAll(sha);
      emit({ type: 'library.changed' });
      return { deleted: removed.length };
    },
    'tags.list': () => library.listTags(),
    'albums.list': () => library.listAlbums(),
    'albums.create': ({ name }) => {
      const id = library.createAlbum(name);
      emit({ type: 'library.changed' });
      return { id };
    },
    'albums.rename': ({ id, name }) => {
      library.renameAlbum(id, name);
      emit({ type: 'library.changed' });
      return null;
    },
    'albums.delete': ({ id }) => {
      library.deleteAlbum(id);
      emit({ type: 'library.changed' });
      return null;
    },
    'albums.addPhotos': ({ id, ids }) => {
      library.addToAlbum(id, ids);
      emit({ type: 'library.changed' });
      return null;
    },
    'albums.removePhotos': ({ id, ids }) => {
      library.removeFromAlbum(id, ids);
      emit({ type: 'library.changed' });
      return null;
    },
    'import.start': (input) => {
      if (options.host === 'browser' && input.paths?.length) {
        throw new UserFacingError('unsupported', 'The browser host imports uploaded files only; drop the files on the window instead.');
      }
      const jobId = newJobId();
      void runImport(input, undefined, jobId);
      return { jobId };
    },
    'import.one': async (input) => {
      if (options.host === 'browser' && input.path) {
        throw new UserFacingError('unsupported', 'The browser host imports uploaded files only.');
      }
      let file: string;
      let removeAfter = false;
      if (input.path) file = path.resolve(input.path);
      else if (input.stagedId) {
        file = assets.stagedPath(input.stagedId);
        removeAfter = true;
      } else {
        const staged = assets.newStagedId();
        file = assets.stagedPath(staged);
        await fs.writeFile(file, Buffer.from(input.base64!, 'base64'));
        removeAfter = true;
      }
      let sha: string;
      try {
        sha = sha256Of(await fs.readFile(file));
      } catch {
        if (removeAfter) await fs.rm(file, { force: true });
        throw new UserFacingError('not-found', `${input.name} could not be read.`);
      }
      const duplicate = library.hasSha(sha);
      const summary = await importSources([{ file, displayName: input.name, sourcePath: input.path ?? null, removeAfter }], library, assets, {
        pixelLimit: library.getSettings().pixelLimitMegapixels * 1_000_000,
      });
      const failure = summary.failed[0];
      if (failure) throw new UserFacingError('invalid-argument', `${failure.path}: ${failure.reason}`);
      const id = library.db.prepare('SELECT id FROM photos WHERE sha256 = ?').pluck().get(sha) as number;
      if (!duplicate) emit({ type: 'library.changed' });
      return { photo: library.get(id), duplicate };
    },
    'import.status': ({ jobId }) => {
      const entry = jobs.get(jobId);
      if (!entry) throw new UserFacingError('not-found', 'That import is not known (it may have finished before a restart).');
      return entry.job;
    },
    'import.cancel': ({ jobId }) => {
      const entry = jobs.get(jobId);
      if (!entry) throw new UserFacingError('not-found', 'That import is not known.');
      entry.abort.abort();
      return null;
    },
    'projects.create': ({ photoId, name }) => projects.create(photoId, name),
    'projects.list': ({ photoId }) => projects.list(photoId),
    'projects.open': ({ projectId }) => projects.state(projectId),
    'projects.commit': ({ projectId, parentId, op }) => projects.commit(projectId, parentId, op),
    'projects.setHead': ({ projectId, head, tip }) => projects.setHead(projectId, head, tip),
    'projects.rename': ({ projectId, name }) => {
      projects.rename(projectId, name);
      return null;
    },
    'projects.delete': ({ projectId }) => {
      projects.delete(projectId);
      return null;
    },
    'export.start': ({ projectIds, options: exportOptions, folder }) => {
      if (folder !== undefined && options.host === 'browser') {
        throw new UserFacingError('unsupported', 'The browser host exports into the library and offers the files as downloads.');
      }
      for (const id of projectIds) projects.state(id);
      const jobId = newJobId('export');
      void runExport(projectIds, exportOptions, folder, jobId);
      return { jobId };
    },
    'export.status': ({ jobId }) => {
      const job = exportJobs.get(jobId);
      if (!job) throw new UserFacingError('not-found', 'That export is not known.');
      return job;
    },
    'characters.list': () => characters.list(),
    'characters.create': ({ name, photoIds }) => characters.create(name, photoIds),
    'characters.update': ({ id, name, photoIds }) => characters.update(id, { name, photoIds }),
    'characters.delete': ({ id }) => {
      characters.delete(id);
      return null;
    },
    'edit.series': ({ photoId, prompts, ...rest }) =>
      prompts.map((prompt, index) => {
        const project = projects.create(photoId, `${prompt.slice(0, 60)} (${index + 1})`);
        return edits.submit(EditJobRequestSchema.parse({ ...rest, projectId: project.project.id, prompt }));
      }),
    'gemini.listModels': async () => {
      const lookup = geminiKey();
      const known = Object.values(MODELS).map((m) => ({ name: m.name, displayName: m.label, known: true }));
      if ('missing' in lookup) return known;
      const baseUrl = typeof geminiBaseUrl === 'function' ? geminiBaseUrl() : geminiBaseUrl;
      try {
        const { createGeminiProvider } = await import('./providers/gemini/provider.js');
        return await createGeminiProvider({ apiKey: lookup.key, baseUrl, timeoutMs: 15_000 }).listModels();
      } catch {
        return known; // offline: the table is still right about what exists
      }
    },
    'local.apply': async ({ projectId, instruction }) => {
      const result = await local().apply(projectId, instruction);
      if (result.steps.length || result.created) emit({ type: 'library.changed' });
      return {
        stepIds: result.steps.map((step) => step.id),
        refused: result.refused ? { reason: result.refused.reason.en, reasonZh: result.refused.reason.zh, cloudable: result.refused.cloudable } : null,
      };
    },
    'local.subjectMask': ({ projectId }) => local().subjectMask(projectId),
    'local.restore': async ({ projectId }) => {
      const result = await local().restore(projectId);
      emit({ type: 'library.changed' });
      return { stepIds: result.steps.map((step) => step.id) };
    },
    'gemini.setKey': async ({ key }) => {
      await (options.storeGeminiKey ?? writeKeyFile)(key);
      if (key) edits.retryWaiting();
      return null;
    },
    'edit.submit': (request) => edits.submit(request),
    'edit.status': ({ jobId }) => edits.get(jobId),
    'edit.list': ({ projectId }) => edits.list(projectId),
    'edit.cancel': ({ jobId }) => edits.cancel(jobId),
    'edit.estimate': ({ model, inputImages, promptChars, variants }) => ({
      estimateUsd: estimateCostUsd(model, { inputImages, promptChars, variants }),
      monthSpendUsd: edits.monthSpendUsd(),
      monthlyBudgetUsd: library.getSettings().monthlyBudgetUsd,
    }),
    'spend.summary': () => ({
      monthSpendUsd: edits.monthSpendUsd(),
      monthlyBudgetUsd: library.getSettings().monthlyBudgetUsd,
      byProject: db.prepare('SELECT project_id AS projectId, sum(cost_usd) AS costUsd FROM jobs GROUP BY project_id HAVING costUsd > 0').all() as {
        projectId: number;
        costUsd: number;
      }[],
    }),
    'uploads.list': () =>
      (db.prepare('SELECT job_id, model, image_count, bytes, photo_ids, prompt, sent_at FROM upload_log ORDER BY id DESC LIMIT 500').all() as {
        job_id: string;
        model: string;
        image_count: number;
        bytes: number;
        photo_ids: string;
        prompt: string;
        sent_at: string;
      }[]).map((r) => ({ jobId: r.job_id, model: r.model, imageCount: r.image_count, bytes: r.bytes, photoIds: JSON.parse(r.photo_ids) as number[], prompt: r.prompt, sentAt: r.sent_at })),
    'photos.setNeverUpload': ({ ids, neverUpload }) => {
      library.setNeverUpload(ids, neverUpload);
      emit({ type: 'library.changed' });
      return null;
    },
    'engine.status': () => {
      const lookup = geminiKey();
      return {
        gemini: 'key' in lookup ? { available: true, reason: 'A Gemini key is set.' } : { available: false, reason: lookup.missing },
        models: Object.values(MODELS).map((m) => ({
          name: m.name,
          label: m.label,
          maxReferenceImages: m.maxReferenceImages,
          priceUsdPerImage: (m.outputTokensPerImage * m.imageOutputUsdPerMillion) / 1_000_000,
        })),
      };
    },
    'dialog.openPhotos': async ({ folders }) => {
      if (!options.openPhotosDialog) throw new UserFacingError('unsupported', 'There is no file dialog here; drop files on the window.');
      return options.openPhotosDialog(folders);
    },
  };
  Object.assign(handlers, sessionHandlers(sessions));
  if (options.host === 'browser') {
    // As with export.start: a page may not choose where files are written on this machine.
    const exportAccepted = handlers['sessions.exportAccepted']!;
    handlers['sessions.exportAccepted'] = (input) => {
      if (input.folder !== undefined) {
        throw new UserFacingError('unsupported', 'The browser host exports into the library and offers the files as downloads.');
      }
      return exportAccepted(input);
    };
  }

  // Originals of a crashed import that never got their row: collect them once things are quiet.
  const collector = setTimeout(() => {
    void (async () => {
      const known = library.knownShas();
      for await (const sha of assets.strayOriginals((sha) => known.has(sha), 60 * 60 * 1000)) {
        if (closed) return;
        await assets.removeAll(sha);
      }
    })().catch(() => {});
  }, 10_000);
  collector.unref();

  return {
    libraryDir,
    library,
    projects,
    assets,
    storedImages,
    locateImage,
    handlers,
    edits,
    characters,
    identity,
    sessions,
    local,
    subscribe(listener) {
      events.on('event', listener);
      return () => events.off('event', listener);
    },
    async resolveAsset(sha256, size) {
      if (!isSha256(sha256)) return null;
      if (storedImages.has(sha256)) return { path: assets.storedPath(sha256), contentType: 'image/png' };
      const row = library.db.prepare('SELECT format FROM photos WHERE sha256 = ?').get(sha256) as { format: string } | undefined;
      if (!row) return null;
      if (size === 'original') return { path: assets.originalPath(sha256), contentType: CONTENT_TYPES[row.format] ?? 'application/octet-stream' };
      return { path: assets.thumbPath(sha256, size), contentType: 'image/webp' };
    },
    runImport: (input, signal) => runImport(input, signal),
    exportOne,
    runExport: (projectIds, exportOptions, folder) => runExport(projectIds, exportOptions, folder),
    resolveDownload: (downloadId) => downloads.get(downloadId) ?? null,
    stageUpload() {
      const stagedId = assets.newStagedId();
      return { stagedId, path: assets.stagedPath(stagedId) };
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(collector);
      sessions.close();
      void localEngine?.close();
      void identity.close();
      edits.close();
      for (const { abort } of jobs.values()) abort.abort();
      events.removeAllListeners();
      db.close();
    },
  };
}

/** The Gemini SDK takes half a second to load: it is loaded when an edit first needs it, not at start. */
function lazyGeminiProvider(options: GeminiProviderOptions): Provider {
  let provider: Promise<Provider> | null = null;
  const load = () => (provider ??= import('./providers/gemini/provider.js').then((module) => module.createGeminiProvider(options)));
  return { id: 'gemini', edit: async (request) => (await load()).edit(request) };
}

function newJobId(kind = 'import'): string {
  return `${kind}-${randomBytes(6).toString('hex')}`;
}
