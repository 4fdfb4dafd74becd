/**
 * The one API between the renderer and the main-process services. Every host (Electron IPC,
 * the browser host over HTTP) registers handlers from this map and validates both directions
 * with these schemas, so the renderer cannot tell the hosts apart.
 */
import { z } from 'zod';
import { OperationSchema, ProjectState, StepIdentitySchema, StepSchema } from './document.js';

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits');
export const PhotoIdSchema = z.number().int().positive();
export const AlbumIdSchema = z.number().int().positive();
export const JobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const ColorLabel = z.enum(['red', 'yellow', 'green', 'blue', 'purple']);
export const SortKey = z.enum(['takenAt', 'importedAt', 'fileName']);
export const Locale = z.enum(['en', 'zh-CN']);

const TagName = z.string().trim().min(1).max(100);
const AlbumName = z.string().trim().min(1).max(200);
const IdList = z.array(PhotoIdSchema).min(1).max(100_000);

export const PhotoSummary = z.object({
  id: PhotoIdSchema,
  sha256: Sha256,
  fileName: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  takenAt: z.string().nullable(),
  importedAt: z.string(),
  rating: z.number().int().min(0).max(5),
  colorLabel: ColorLabel.nullable(),
  trashedAt: z.string().nullable(),
});

export const PhotoExif = z.object({
  cameraMake: z.string().nullable(),
  cameraModel: z.string().nullable(),
  lens: z.string().nullable(),
  iso: z.number().nullable(),
  exposureTime: z.number().nullable(),
  fNumber: z.number().nullable(),
  focalLength: z.number().nullable(),
  orientation: z.number().int(),
  gpsLatitude: z.number().nullable(),
  gpsLongitude: z.number().nullable(),
});

export const PhotoDetail = PhotoSummary.extend({
  format: z.string(),
  byteSize: z.number().int(),
  sourcePath: z.string().nullable(),
  /** Never sent to a cloud model. */
  neverUpload: z.boolean(),
  exif: PhotoExif,
  tags: z.array(z.string()),
  albums: z.array(z.object({ id: AlbumIdSchema, name: z.string() })),
});

export const PhotoQuery = z.object({
  sort: SortKey.default('takenAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
  minRating: z.number().int().min(0).max(5).optional(),
  colorLabel: ColorLabel.optional(),
  tag: TagName.optional(),
  albumId: AlbumIdSchema.optional(),
  search: z.string().max(500).optional(),
  trashed: z.boolean().default(false),
});

/** A page of a photo query. A broad search estimates `total` (`estimated`); `photos.count` gives the exact number. */
export const PhotoPage = z.object({
  total: z.number().int(),
  items: z.array(PhotoSummary),
  estimated: z.boolean().optional(),
});

export const ImportFailure = z.object({ path: z.string(), reason: z.string() });
export const ImportSummary = z.object({
  imported: z.number().int(),
  duplicates: z.number().int(),
  failed: z.array(ImportFailure),
});

export const JobState = z.enum(['running', 'succeeded', 'failed', 'cancelled']);
export const ImportJob = z.object({
  jobId: JobIdSchema,
  state: JobState,
  done: z.number().int(),
  total: z.number().int(),
  summary: ImportSummary,
});

export const Settings = z.object({
  locale: Locale.nullable(),
  pixelLimitMegapixels: z.number().int().min(1).max(10_000),
  /** The Gemini model edits use unless one is chosen. */
  model: z.string().min(1).max(100),
  /** Refuse to send cloud edits past this much spend in a calendar month; null = no cap. */
  monthlyBudgetUsd: z.number().min(0).max(100_000).nullable(),
});

export const MaskStrokeInput = z
  .object({
    points: z.array(z.object({ x: z.number().min(-1e6).max(1e6), y: z.number().min(-1e6).max(1e6) }).strict()).min(1).max(10_000),
    size: z.number().min(1).max(5000),
    hardness: z.number().min(0).max(1),
    erase: z.boolean(),
  })
  .strict();

export const EditJobRequest = z
  .object({
    projectId: z.number().int().positive(),
    prompt: z.string().max(20_000, 'The prompt is too long (20,000 characters at most).'),
    provider: z.enum(['gemini', 'local']).default('gemini'),
    model: z.string().min(1).max(100).default('gemini-2.5-flash-image'),
    /** The region to change: painted strokes (document pixels) or a stored greyscale mask. Null = the whole image. */
    mask: z
      .union([
        z.object({ strokes: z.array(MaskStrokeInput).min(1).max(1000), feather: z.number().min(0).max(1000).default(8), inverted: z.boolean().default(false) }).strict(),
        z.object({ sha256: Sha256 }).strict(),
      ])
      .nullable()
      .default(null),
    referencePhotoIds: z.array(PhotoIdSchema).max(14).default([]),
    stylePhotoId: PhotoIdSchema.nullable().default(null),
    variants: z.number().int().min(1).max(4).default(1),
    /** Ask again even if the same edit is cached (a fresh variant costs a call). */
    fresh: z.boolean().default(false),
    /** Continue the conversation of this AI layer ("now make it evening"). */
    continueLayerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).nullable().default(null),
  })
  .strict();

export const Character = z.object({ id: z.number().int(), name: z.string(), photoIds: z.array(PhotoIdSchema) });

export const EditJobState = z.enum(['queued', 'running', 'waiting-network', 'succeeded', 'failed', 'cancelled']);
export const EditJobInfo = z.object({
  jobId: JobIdSchema,
  projectId: z.number().int(),
  state: EditJobState,
  provider: z.enum(['gemini', 'local']),
  model: z.string(),
  prompt: z.string(),
  attempts: z.number().int(),
  estimateUsd: z.number(),
  costUsd: z.number(),
  stepId: z.string().nullable(),
  error: z.string().nullable(),
  errorKind: z.string().nullable(),
  answerText: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ProjectIdSchema = z.number().int().positive();
const StepIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const ProjectSummary = z.object({
  id: ProjectIdSchema,
  name: z.string(),
  photoId: PhotoIdSchema,
  photoSha256: Sha256,
  stepCount: z.number().int(),
  updatedAt: z.string(),
});

export const ExportFormat = z.enum(['jpeg', 'png', 'webp', 'tiff']);
export const ExportOptions = z
  .object({
    format: ExportFormat.default('jpeg'),
    quality: z.number().int().min(1).max(100).default(90),
    /** Longest edge in pixels; omitted = full resolution. */
    maxEdge: z.number().int().min(16).max(100_000).optional(),
    /** Output sharpening, 0 (none) to 100. */
    sharpen: z.number().min(0).max(100).default(0),
    keepExif: z.boolean().default(true),
    stripGps: z.boolean().default(true),
    writeXmp: z.boolean().default(true),
  })
  .strict();

export const ExportJob = z.object({
  jobId: JobIdSchema,
  state: JobState,
  done: z.number().int(),
  total: z.number().int(),
  files: z.array(z.object({ projectId: ProjectIdSchema, fileName: z.string(), downloadId: z.string() })),
  failed: z.array(z.object({ projectId: ProjectIdSchema, reason: z.string() })),
});

// ─── Presets and restoration sessions ───────────────────────────────────────

export const EngineName = z.enum(['local', 'gemini']);

/** One step of a recipe: an instruction, optionally pinned to an engine (null = the session's). */
export const RecipeStep = z
  .object({
    prompt: z.string().trim().min(1, 'A recipe step needs an instruction.').max(4000),
    engine: EngineName.nullable().default(null),
  })
  .strict();

/** A preset as it is written and exchanged (JSON files). */
export const PresetInput = z
  .object({
    nameEn: z.string().trim().min(1).max(200),
    nameZh: z.string().trim().min(1).max(200),
    steps: z.array(RecipeStep).min(1).max(10),
    /** The engine the preset prefers when a session does not choose one. */
    engine: EngineName,
  })
  .strict();

export const Preset = z.object({
  id: z.number().int().positive(),
  nameEn: z.string(),
  nameZh: z.string(),
  steps: z.array(z.object({ prompt: z.string(), engine: EngineName.nullable() })),
  engine: EngineName,
  builtin: z.boolean(),
  updatedAt: z.string(),
});

/** The file presets are exported to and imported from. */
export const PresetsFile = z.object({
  format: z.literal('promptroom-presets'),
  version: z.literal(1),
  presets: z.array(PresetInput).max(1000),
});

export const SessionIdSchema = z.number().int().positive();
export const SessionState = z.enum(['ready', 'running', 'paused', 'done', 'cancelled']);
export const SessionItemState = z.enum(['pending', 'running', 'done', 'failed', 'accepted', 'rejected']);

export const SessionItem = z.object({
  id: z.number().int().positive(),
  photoId: PhotoIdSchema,
  photoSha256: Sha256,
  fileName: z.string(),
  projectId: z.number().int().nullable(),
  state: SessionItemState,
  /** Recipe steps already in the project's history. */
  stepsDone: z.number().int(),
  costUsd: z.number(),
  error: z.string().nullable(),
  jobIds: z.array(z.string()),
});

/** Where a session stands: what the progress bar, the ETA and the cost line show. */
export const SessionProgress = z.object({
  sessionId: SessionIdSchema,
  state: SessionState,
  /** Why it is paused: 'user', 'budget' (with the reason in `message`), 'network'. */
  pauseReason: z.string().nullable(),
  message: z.string().nullable(),
  mode: z.enum(['direct', 'batch']),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  running: z.number().int(),
  pending: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  costUsd: z.number(),
  /** What the items still to run should cost (cloud; 0 for the local engine). */
  estimateRestUsd: z.number(),
  /** Seconds until the end at the pace of this run; null before there is a pace. */
  etaSeconds: z.number().nullable(),
  /** Remote batches submitted and not yet imported. */
  batchesPending: z.number().int(),
});

export const SessionSummary = SessionProgress.extend({
  name: z.string(),
  engine: EngineName,
  model: z.string(),
  recipe: z.object({ label: z.string(), presetId: z.number().int().nullable(), steps: z.array(z.object({ prompt: z.string(), engine: EngineName.nullable() })) }),
  budgetUsd: z.number().nullable(),
  albumId: z.number().int().nullable(),
  createdAt: z.string(),
});

export const SessionDetail = SessionSummary.extend({ items: z.array(SessionItem) });

export const SessionSettings = z.object({
  /** Cloud sessions of at least this many photos go through the Gemini Batch API (half price, within 24 h). */
  batchThreshold: z.number().int().min(1).max(100_000),
});

const Empty = z.object({}).strict();
const Nothing = z.null();

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

/** The contract: one entry per call. Inputs are validated on the main side, always. */
export const api = {
  'app.info': call(
    Empty,
    z.object({
      version: z.string(),
      host: z.enum(['electron', 'browser']),
      platform: z.string(),
      systemLocale: z.string(),
      libraryDir: z.string(),
      photoCount: z.number().int(),
    }),
  ),
  'settings.get': call(Empty, Settings),
  'settings.set': call(Settings.partial().strict(), Settings),

  'photos.list': call(PhotoQuery, PhotoPage),
  /** The exact number of photos a query matches (its paging ignored). */
  'photos.count': call(PhotoQuery, z.object({ total: z.number().int() })),
  'photos.get': call(z.object({ id: PhotoIdSchema }).strict(), PhotoDetail),
  'photos.setRating': call(z.object({ ids: IdList, rating: z.number().int().min(0).max(5) }).strict(), Nothing),
  'photos.setColorLabel': call(z.object({ ids: IdList, colorLabel: ColorLabel.nullable() }).strict(), Nothing),
  'photos.addTags': call(z.object({ ids: IdList, tags: z.array(TagName).min(1).max(100) }).strict(), Nothing),
  'photos.removeTags': call(z.object({ ids: IdList, tags: z.array(TagName).min(1).max(100) }).strict(), Nothing),
  'photos.trash': call(z.object({ ids: IdList }).strict(), Nothing),
  'photos.restore': call(z.object({ ids: IdList }).strict(), Nothing),
  'trash.empty': call(Empty, z.object({ deleted: z.number().int() })),

  'tags.list': call(Empty, z.array(z.object({ name: z.string(), count: z.number().int() }))),
  'albums.list': call(Empty, z.array(z.object({ id: AlbumIdSchema, name: z.string(), count: z.number().int() }))),
  'albums.create': call(z.object({ name: AlbumName }).strict(), z.object({ id: AlbumIdSchema })),
  'albums.rename': call(z.object({ id: AlbumIdSchema, name: AlbumName }).strict(), Nothing),
  'albums.delete': call(z.object({ id: AlbumIdSchema }).strict(), Nothing),
  'albums.addPhotos': call(z.object({ id: AlbumIdSchema, ids: IdList }).strict(), Nothing),
  'albums.removePhotos': call(z.object({ id: AlbumIdSchema, ids: IdList }).strict(), Nothing),

  /**
   * Starts an import job. `paths` are files or folders on this machine (Electron, CLI);
   * `staged` are uploads the browser host received earlier (see the host's upload endpoint).
   */
  'import.start': call(
    z
      .object({
        paths: z.array(z.string().min(1).max(4096)).max(100_000).optional(),
        staged: z
          .array(z.object({ stagedId: z.string().regex(/^[0-9a-f]{32}$/), name: z.string().min(1).max(4096) }))
          .max(100_000)
          .optional(),
      })
      .strict()
      .refine((v) => (v.paths?.length ?? 0) + (v.staged?.length ?? 0) > 0, 'nothing to import'),
    z.object({ jobId: JobIdSchema }),
  ),
  /** Imports one image and answers its photo (new or already in the library): canvas drops and paste. */
  'import.one': call(
    z
      .object({
        name: z.string().min(1).max(4096),
        path: z.string().min(1).max(4096).optional(),
        stagedId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
        /** Base64 bytes, for a pasted image that has no file (up to 64 MB). */
        base64: z.string().max(90_000_000).optional(),
      })
      .strict()
      .refine((v) => [v.path, v.stagedId, v.base64].filter((x) => x !== undefined).length === 1, 'give exactly one of path, stagedId, base64'),
    z.object({ photo: PhotoSummary, duplicate: z.boolean() }),
  ),
  'import.status': call(z.object({ jobId: JobIdSchema }).strict(), ImportJob),
  'import.cancel': call(z.object({ jobId: JobIdSchema }).strict(), Nothing),
  'projects.create': call(z.object({ photoId: PhotoIdSchema, name: z.string().trim().min(1).max(200).optional() }).strict(), ProjectState),
  'projects.list': call(z.object({ photoId: PhotoIdSchema.optional() }).strict(), z.array(ProjectSummary)),
  'projects.open': call(z.object({ projectId: ProjectIdSchema }).strict(), ProjectState),
  /** Commits a step after `parentId`, which must be the current head (else a conflict). */
  'projects.commit': call(
    z.object({ projectId: ProjectIdSchema, parentId: StepIdSchema.nullable(), op: OperationSchema }).strict(),
    z.object({ step: StepSchema, head: z.string().nullable(), tip: z.string().nullable() }),
  ),
  /** Moves the head (undo, redo, jump); selection, zoom and pan never come here. */
  'projects.setHead': call(
    z.object({ projectId: ProjectIdSchema, head: StepIdSchema.nullable(), tip: StepIdSchema.nullable() }).strict(),
    z.object({ head: z.string().nullable(), tip: z.string().nullable() }),
  ),
  'projects.rename': call(z.object({ projectId: ProjectIdSchema, name: z.string().trim().min(1).max(200) }).strict(), Nothing),
  'projects.delete': call(z.object({ projectId: ProjectIdSchema }).strict(), Nothing),
  /** Exports projects at full resolution; files land in the library's exports folder (or `folder`). */
  'export.start': call(
    z.object({ projectIds: z.array(ProjectIdSchema).min(1).max(10_000), options: ExportOptions, folder: z.string().min(1).max(4096).optional() }).strict(),
    z.object({ jobId: JobIdSchema }),
  ),
  'export.status': call(z.object({ jobId: JobIdSchema }).strict(), ExportJob),

  'edit.submit': call(EditJobRequest, EditJobInfo),
  'edit.status': call(z.object({ jobId: JobIdSchema }).strict(), EditJobInfo),
  'edit.list': call(z.object({ projectId: z.number().int().positive().optional() }).strict(), z.array(EditJobInfo)),
  'edit.cancel': call(z.object({ jobId: JobIdSchema }).strict(), EditJobInfo),
  'edit.estimate': call(
    z.object({ model: z.string().min(1).max(100), inputImages: z.number().int().min(0).max(20), promptChars: z.number().int().min(0), variants: z.number().int().min(1).max(4) }).strict(),
    z.object({ estimateUsd: z.number(), monthSpendUsd: z.number(), monthlyBudgetUsd: z.number().nullable() }),
  ),
  'spend.summary': call(
    Empty,
    z.object({ monthSpendUsd: z.number(), monthlyBudgetUsd: z.number().nullable(), byProject: z.array(z.object({ projectId: z.number().int(), costUsd: z.number() })) }),
  ),
  'uploads.list': call(
    Empty,
    z.array(z.object({ jobId: z.string(), model: z.string(), imageCount: z.number().int(), bytes: z.number().int(), photoIds: z.array(z.number().int()), prompt: z.string(), sentAt: z.string() })),
  ),
  'photos.setNeverUpload': call(z.object({ ids: IdList, neverUpload: z.boolean() }).strict(), Nothing),
  'characters.list': call(Empty, z.array(Character)),
  'characters.create': call(z.object({ name: z.string().min(1).max(60), photoIds: z.array(PhotoIdSchema).max(100).default([]) }).strict(), Character),
  'characters.update': call(z.object({ id: z.number().int().positive(), name: z.string().min(1).max(60).optional(), photoIds: z.array(PhotoIdSchema).max(100).optional() }).strict(), Character),
  'characters.delete': call(z.object({ id: z.number().int().positive() }).strict(), Nothing),
  /** Series mode: one new project per prompt on the same photo, all with the same references (e.g. @Milo). */
  'edit.series': call(
    z
      .object({
        photoId: PhotoIdSchema,
        prompts: z.array(z.string().trim().min(1).max(20_000)).min(1).max(20),
        provider: z.enum(['gemini', 'local']).default('gemini'),
        model: z.string().min(1).max(100).default('gemini-2.5-flash-image'),
        referencePhotoIds: z.array(PhotoIdSchema).max(14).default([]),
      })
      .strict(),
    z.array(EditJobInfo),
  ),
  /** Stores (or with null, forgets) the Gemini key. It is never read back: the renderer cannot see it. */
  'gemini.setKey': call(z.object({ key: z.string().trim().min(10).max(200).regex(/^[\x21-\x7e]+$/, 'a key has no spaces').nullable() }).strict(), Nothing),
  /** Which engine an edit will run on, and why (no key, offline, chosen). */
  'engine.status': call(
    Empty,
    z.object({
      gemini: z.object({ available: z.boolean(), reason: z.string() }),
      models: z.array(z.object({ name: z.string(), label: z.string(), maxReferenceImages: z.number().int(), priceUsdPerImage: z.number() })),
    }),
  ),

  /**
   * The offline engine: parses an English or Chinese instruction into steps and commits them
   * (parametric where it can, raster layers where it must), or says plainly why it can't.
   */
  'local.apply': call(
    z.object({ projectId: ProjectIdSchema, instruction: z.string().max(100_000) }).strict(),
    z.object({
      stepIds: z.array(z.string()),
      refused: z.object({ reason: z.string(), reasonZh: z.string(), cloudable: z.boolean() }).nullable(),
    }),
  ),
  /**
   * The subject (a person) found by the local model, as a stored greyscale mask the size of the
   * project; usable as the mask of a masked cloud edit (`edit.submit` with `mask: { sha256 }`).
   */
  'local.subjectMask': call(
    z.object({ projectId: ProjectIdSchema }).strict(),
    z.object({ sha256: Sha256, coverage: z.number() }).nullable(),
  ),
  /** Restoration of an old print or scan: each sub-step its own history step. */
  'local.restore': call(z.object({ projectId: ProjectIdSchema }).strict(), z.object({ stepIds: z.array(z.string()) })),
  /** Electron only: exports the current render to a temp file and starts dragging it out of the window. */
  'editor.dragOut': call(z.object({ projectId: ProjectIdSchema, format: ExportFormat.default('jpeg') }).strict(), z.object({ fileName: z.string() })),
  /** The image models the key can use (asks Gemini when online; the known table otherwise). */
  'gemini.listModels': call(Empty, z.array(z.object({ name: z.string(), displayName: z.string(), known: z.boolean() }))),
  /** Electron only: the native open dialog. The browser host answers `unsupported`. */
  'dialog.openPhotos': call(z.object({ folders: z.boolean().default(false) }).strict(), z.array(z.string())),

  'presets.list': call(Empty, z.array(Preset)),
  'presets.create': call(PresetInput, Preset),
  'presets.update': call(PresetInput.partial().extend({ id: z.number().int().positive() }).strict(), Preset),
  'presets.delete': call(z.object({ id: z.number().int().positive() }).strict(), Nothing),
  /** The presets (all, or `ids`) as a JSON document in the PresetsFile format. */
  'presets.export': call(z.object({ ids: z.array(z.number().int().positive()).max(1000).optional() }).strict(), z.object({ json: z.string() })),
  /** Adds the presets of a PresetsFile document; names already present get a number. */
  'presets.import': call(z.object({ json: z.string().min(2).max(2_000_000) }).strict(), z.object({ imported: z.number().int() })),

  'sessions.getSettings': call(Empty, SessionSettings),
  'sessions.setSettings': call(SessionSettings.partial().strict(), SessionSettings),
  /** One project per photo (the photos given, or an album's), each to run the recipe: a preset or a prompt ("restore, then crop to 4:5"). */
  'sessions.create': call(
    z
      .object({
        photoIds: z.array(PhotoIdSchema).min(1).max(100_000).optional(),
        albumId: AlbumIdSchema.optional(),
        recipe: z.union([z.object({ presetId: z.number().int().positive() }).strict(), z.object({ prompt: z.string().trim().min(1).max(4000) }).strict()]),
        /** Default: the preset's engine; for a prompt, Gemini. */
        engine: EngineName.optional(),
        model: z.string().min(1).max(100).optional(),
        name: z.string().trim().min(1).max(200).optional(),
        /** Pause the session when its cost would pass this (USD); the monthly budget applies as well. */
        budgetUsd: z.number().min(0).max(100_000).nullable().default(null),
        /** Start running at once. */
        start: z.boolean().default(false),
      })
      .strict()
      .refine((v) => (v.photoIds === undefined) !== (v.albumId === undefined), 'give either photoIds or albumId'),
    SessionSummary,
  ),
  'sessions.list': call(Empty, z.array(SessionSummary)),
  'sessions.get': call(z.object({ sessionId: SessionIdSchema }).strict(), SessionDetail),
  /** Runs (or resumes) a session in the background; progress comes as `session.progress` events. */
  'sessions.start': call(z.object({ sessionId: SessionIdSchema }).strict(), SessionSummary),
  'sessions.pause': call(z.object({ sessionId: SessionIdSchema }).strict(), SessionSummary),
  'sessions.cancel': call(z.object({ sessionId: SessionIdSchema }).strict(), SessionSummary),
  'sessions.delete': call(z.object({ sessionId: SessionIdSchema }).strict(), Nothing),
  /** Accept (the photo joins the album "Session N — accepted"), reject, or undo the decision. */
  'sessions.review': call(
    z.object({ sessionId: SessionIdSchema, itemId: z.number().int().positive(), decision: z.enum(['accept', 'reject', 'undecided']) }).strict(),
    SessionItem,
  ),
  /** Retry with a tweak: a follow-up instruction on the item's project (continuing the AI layer's conversation). */
  'sessions.retry': call(
    z.object({ sessionId: SessionIdSchema, itemId: z.number().int().positive(), prompt: z.string().trim().min(1).max(4000).optional() }).strict(),
    SessionItem,
  ),
  /** Before and after for the review grid, as stored-image hashes for `assetUrl` (the after is a small render). */
  'sessions.preview': call(
    z.object({ sessionId: SessionIdSchema, itemId: z.number().int().positive(), maxEdge: z.number().int().min(64).max(4096).default(1024) }).strict(),
    z.object({ beforeSha256: Sha256, afterSha256: Sha256.nullable() }),
  ),
  /** Exports every accepted result with its XMP provenance (an export job: see export.status). */
  'sessions.exportAccepted': call(
    z.object({ sessionId: SessionIdSchema, options: ExportOptions, folder: z.string().min(1).max(4096).optional() }).strict(),
    z.object({ jobId: JobIdSchema, count: z.number().int() }),
  ),
} as const;

export type Api = typeof api;
export type CallName = keyof Api;
export type CallInput<K extends CallName> = z.input<Api[K]['input']>;
export type ParsedInput<K extends CallName> = z.output<Api[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Api[K]['output']>;

export type PhotoSummary = z.infer<typeof PhotoSummary>;
export type PhotoPage = z.infer<typeof PhotoPage>;
export type PhotoDetail = z.infer<typeof PhotoDetail>;
export type PhotoQuery = z.input<typeof PhotoQuery>;
export type ImportSummary = z.infer<typeof ImportSummary>;
export type ImportJob = z.infer<typeof ImportJob>;
export type Settings = z.infer<typeof Settings>;
export type EditJobRequest = z.output<typeof EditJobRequest>;
export type EditJobInfo = z.infer<typeof EditJobInfo>;
export type ProjectSummary = z.infer<typeof ProjectSummary>;
export type ExportOptions = z.input<typeof ExportOptions>;
export type ExportJob = z.infer<typeof ExportJob>;
export type ColorLabel = z.infer<typeof ColorLabel>;
export type LocaleCode = z.infer<typeof Locale>;
export type RecipeStep = z.output<typeof RecipeStep>;
export type PresetInput = z.output<typeof PresetInput>;
export type Preset = z.infer<typeof Preset>;
export type SessionItem = z.infer<typeof SessionItem>;
export type SessionProgress = z.infer<typeof SessionProgress>;
export type SessionSummary = z.infer<typeof SessionSummary>;
export type SessionDetail = z.infer<typeof SessionDetail>;
export type SessionSettings = z.infer<typeof SessionSettings>;
export type EngineName = z.infer<typeof EngineName>;

export const callNames = Object.keys(api) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(api, name);
}

/** Events pushed from the main process to the renderer (IPC `promptroom:event`, or SSE). */
export const HostEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('import.progress'), job: ImportJob }),
  z.object({ type: z.literal('library.changed') }),
  z.object({ type: z.literal('export.progress'), job: ExportJob }),
  z.object({ type: z.literal('edit.progress'), job: EditJobInfo }),
  z.object({ type: z.literal('session.progress'), progress: SessionProgress }),
  /** A step's faces were compared (in the background, after the step was committed). */
  z.object({ type: z.literal('identity.checked'), projectId: z.number().int(), stepId: z.string(), identity: StepIdentitySchema }),
]);
export type HostEvent = z.infer<typeof HostEvent>;

/** The IPC channel prefix; the preload forwards nothing else. */
export const IPC_PREFIX = 'promptroom:';
export const IPC_EVENT_CHANNEL = 'promptroom:event';
