#!/usr/bin/env node
/**
 * `promptroom`: the library's services without a window. Verbs: import, list, serve.
 * Never imports Electron.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import sharp from 'sharp';
import type { PhotoSummary } from '../../shared/contract/api.js';
import { EditJobRequest as EditJobRequestSchema } from '../../shared/contract/api.js';
import type { IdentityCheck, StepIdentity } from '../../shared/contract/document.js';
import { UserFacingError } from '../../shared/contract/result.js';
import { openServices, type Services } from '../services/index.js';
import { startBrowserHost } from './browser-host.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const USAGE = `Usage:
  promptroom import PATH... --library DIR [--json]
  promptroom list --library DIR [--json] [--search TEXT]
  promptroom serve --library DIR [--port N]
  promptroom export PROJECT_OR_PHOTO_ID --library DIR --out FILE [--format jpeg|png|webp|tiff] [--quality Q]
      (a plain number is a project if one has that id, else a photo; write project:N or photo:N to say which)
  promptroom history PROJECT_ID --library DIR [--json]
  promptroom restore PHOTO_ID... --library DIR [--json]
  promptroom edit PHOTO_OR_PROJECT_ID --library DIR --prompt TEXT [--ref PHOTO_ID]... [--mask FILE]
      [--model NAME] [--engine gemini|local] [--variants N] [--fresh] [--json]
      [--queue-cloud]  (with --engine local: what it can't do goes to the Gemini queue)
      (a photo starts a new project; a project gets a new step. --mask: a greyscale PNG the size of
       the photo, white = change, black = keep. Gemini needs GEMINI_API_KEY or a key file.)
  promptroom session create --library DIR --recipe PRESET_OR_PROMPT [--engine local|gemini] [--model NAME]
      [--budget USD] [--json] PHOTO_ID...
      (a preset by id, or by name in English or Chinese; anything else is a prompt, which may chain
       steps: "restore, then crop to 4:5")
  promptroom session run SESSION_ID --library DIR [--json]
      (runs to the end or until paused; Ctrl+C pauses. --json prints one progress object per line,
       then the final summary)
  promptroom session status SESSION_ID --library DIR [--json]
  promptroom session export SESSION_ID --library DIR --out DIR [--format jpeg|png|webp|tiff] [--quality Q] [--json]
      (the accepted results, or every finished one if none is accepted yet, with XMP provenance)`;

class UsageError extends Error {}

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

const FLAGS = {
  library: { type: 'string' },
  json: { type: 'boolean' },
  search: { type: 'string' },
  port: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  quality: { type: 'string' },
  prompt: { type: 'string' },
  ref: { type: 'string', multiple: true },
  mask: { type: 'string' },
  model: { type: 'string' },
  engine: { type: 'string' },
  variants: { type: 'string' },
  fresh: { type: 'boolean' },
  recipe: { type: 'string' },
  budget: { type: 'string' },
  'queue-cloud': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Parses the flags every verb knows, then refuses those this verb does not take. */
function parse(args: string[], allowed: (keyof typeof FLAGS)[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  for (const flag of Object.keys(parsed.values)) {
    if (!allowed.includes(flag as keyof typeof FLAGS)) throw new UsageError(`This command does not take --${flag}.`);
  }
  return parsed;
}

function requireLibrary(value: unknown): string {
  if (typeof value !== 'string' || !value) throw new UsageError('--library DIR is required: the folder that holds (or will hold) the library.');
  return value;
}

async function withServices<T>(libraryDir: string, host: 'cli' | 'browser', run: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices({
    libraryDir,
    host,
    version: version(),
    systemLocale: Intl.DateTimeFormat().resolvedOptions().locale,
  });
  try {
    const result = await run(services);
    // Steps with new pixels get their identity check in the background: let it finish and be stored.
    await services.identity.idle();
    return result;
  } finally {
    services.close();
  }
}

async function importVerb(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, ['library', 'json']);
  const libraryDir = requireLibrary(values.library);
  if (positionals.length === 0) throw new UsageError('import needs at least one file or folder.');
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const job = await withServices(libraryDir, 'cli', async (services) => {
    if (!values.json && process.stderr.isTTY) {
      services.subscribe((event) => {
        if (event.type === 'import.progress') process.stderr.write(`\rImporting ${event.job.done}/${event.job.total}…`);
      });
    }
    return services.runImport({ paths: positionals }, abort.signal);
  });
  const { summary } = job;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(`Imported ${summary.imported}, already in the library ${summary.duplicates}, failed ${summary.failed.length}.\n`);
    for (const failure of summary.failed) process.stdout.write(`  ✗ ${failure.path}: ${failure.reason}\n`);
    if (job.state === 'cancelled') process.stdout.write('The import was cancelled; run it again to finish.\n');
  }
  return job.state === 'succeeded' ? 0 : 1;
}

async function listVerb(args: string[]): Promise<number> {
  const { values } = parse(args, ['library', 'json', 'search']);
  const libraryDir = requireLibrary(values.library);
  const photos = await withServices(libraryDir, 'cli', async (services) => {
    const all: PhotoSummary[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = services.library.list({
        sort: 'importedAt',
        order: 'asc',
        offset,
        limit: 1000,
        search: typeof values.search === 'string' ? values.search : undefined,
      });
      all.push(...page.items);
      if (page.items.length < 1000) break;
    }
    return all;
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(photos)}\n`);
  } else {
    for (const photo of photos) {
      process.stdout.write(`${photo.id}\t${photo.sha256.slice(0, 12)}\t${photo.width}×${photo.height}\t${photo.takenAt ?? '-'}\t${photo.fileName}\n`);
    }
    process.stdout.write(`${photos.length} photo${photos.length === 1 ? '' : 's'}\n`);
  }
  return 0;
}

async function serveVerb(args: string[]): Promise<number> {
  const { values } = parse(args, ['library', 'port']);
  const libraryDir = requireLibrary(values.library);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${String(values.port)}.`);
  const services = await openServices({
    libraryDir,
    host: 'browser',
    version: version(),
    systemLocale: process.env.PROMPTROOM_LOCALE ?? Intl.DateTimeFormat().resolvedOptions().locale,
  });
  const host = await startBrowserHost({
    services,
    rendererDir: path.join(repoRoot, 'dist', 'renderer'),
    port,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  process.stdout.write(`Promptroom is running at ${host.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  services.close();
  return 0;
}

async function exportVerb(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, ['library', 'out', 'format', 'quality', 'json']);
  const libraryDir = requireLibrary(values.library);
  if (positionals.length !== 1) throw new UsageError('export needs exactly one PROJECT_OR_PHOTO_ID.');
  if (typeof values.out !== 'string' || !values.out) throw new UsageError('--out FILE is required.');
  const match = /^(?:(project|photo):)?([1-9][0-9]*)$/.exec(positionals[0]!);
  if (!match) throw new UsageError(`“${positionals[0]}” is not a project or photo id (a number, or project:N / photo:N).`);
  const format = (values.format ?? formatFromExtension(values.out)) as string;
  if (!['jpeg', 'png', 'webp', 'tiff'].includes(format)) throw new UsageError(`--format must be jpeg, png, webp or tiff, not ${format}.`);
  const quality = values.quality === undefined ? 90 : Number(values.quality);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new UsageError('--quality must be a whole number from 1 to 100.');
  const id = Number(match[2]);
  const file = await withServices(libraryDir, 'cli', async (services) => {
    const isProject = match[1] === 'project' || (match[1] === undefined && services.projects.list().some((p) => p.id === id));
    const target = isProject ? { projectId: id } : { photoId: id };
    return services.exportOne(target, { format: format as 'jpeg', quality }, path.resolve(values.out as string));
  });
  process.stdout.write(values.json ? `${JSON.stringify({ file })}\n` : `Exported ${file}\n`);
  return 0;
}

function formatFromExtension(file: string): string {
  const ext = path.extname(file).toLowerCase().slice(1);
  return { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', webp: 'webp', tif: 'tiff', tiff: 'tiff' }[ext] ?? 'jpeg';
}

async function editVerb(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, ['library', 'json', 'prompt', 'ref', 'mask', 'model', 'engine', 'variants', 'fresh', 'queue-cloud']);
  const libraryDir = requireLibrary(values.library);
  if (positionals.length !== 1) throw new UsageError('edit needs exactly one PHOTO_OR_PROJECT_ID.');
  const match = /^(?:(project|photo):)?([1-9][0-9]*)$/.exec(positionals[0]!);
  if (!match) throw new UsageError(`“${positionals[0]}” is not a project or photo id.`);
  if (typeof values.prompt !== 'string' || !values.prompt.trim()) throw new UsageError('--prompt TEXT is required: say what to change.');
  const engine = values.engine ?? 'gemini';
  if (engine !== 'gemini' && engine !== 'local') throw new UsageError('--engine must be gemini or local.');
  const variants = values.variants === undefined ? 1 : Number(values.variants);
  if (!Number.isInteger(variants) || variants < 1 || variants > 4) throw new UsageError('--variants must be 1 to 4.');
  const refs = (values.ref ?? []).map((ref) => {
    const id = Number(ref);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`--ref ${ref} is not a photo id.`);
    return id;
  });
  const id = Number(match[2]);
  return withServices(libraryDir, 'cli', async (services) => {
    const isProject = match[1] === 'project' || (match[1] === undefined && services.projects.list().some((p) => p.id === id));
    let projectId: number;
    if (isProject) projectId = services.projects.state(id).project.id;
    else projectId = services.projects.create(id).project.id;
    const { project } = services.projects.state(projectId);
    let mask: { sha256: string } | null = null;
    if (typeof values.mask === 'string') {
      const { data, info } = await sharp(path.resolve(values.mask)).greyscale().raw().toBuffer({ resolveWithObject: true }).catch(() => {
        throw new UsageError(`--mask ${values.mask} is not a readable PNG.`);
      });
      if (info.width !== project.width || info.height !== project.height) {
        throw new UsageError(`--mask is ${info.width}×${info.height}; it must be the photo's size, ${project.width}×${project.height}.`);
      }
      const png = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toBuffer();
      mask = { sha256: await services.storedImages.putPng(png, info.width, info.height, 'mask') };
    }
    if (engine === 'local') {
      const result = await services.local().apply(projectId, values.prompt as string);
      if (result.refused) {
        if (values['queue-cloud'] && result.refused.cloudable) {
          const job = services.edits.submit(EditJobRequestSchema.parse({ projectId, prompt: values.prompt, provider: 'gemini', model: services.library.getSettings().model }));
          const queued = { projectId, jobId: job.jobId, status: 'queued', reason: result.refused.reason.en };
          process.stdout.write(values.json ? `${JSON.stringify(queued)}\n` : `The local engine can't do that (${result.refused.reason.en}); queued for Gemini as job ${job.jobId}.\n`);
          return 0;
        }
        const refused = { projectId, engine: 'local', status: 'refused', reason: result.refused.reason.en, cloudable: result.refused.cloudable };
        if (values.json) process.stdout.write(`${JSON.stringify(refused)}\n`);
        else process.stderr.write(`promptroom: ${result.refused.reason.en}${result.refused.cloudable ? ' (add --queue-cloud to send it to Gemini)' : ''}\n`);
        return 1;
      }
      const steps = result.steps.map((step) => ({ id: step.id, label: step.label, kind: step.op.type, ...(step.outputSha256 ? { outputSha256: step.outputSha256 } : {}) }));
      const last = result.steps.at(-1);
      const done = {
        projectId: result.created?.projectId ?? projectId,
        engine: 'local',
        stepId: last?.id ?? null,
        label: last?.label ?? null,
        costUsd: 0,
        outputSha256: last?.outputSha256 ?? null,
        status: 'succeeded',
        steps,
        skipped: result.skipped.map((s) => ({ name: s.name, reason: s.reason.en })),
      };
      if (values.json) process.stdout.write(`${JSON.stringify(done)}\n`);
      else for (const step of steps) process.stdout.write(`${step.label} → step ${step.id}\n`);
      return 0;
    }
    const request = EditJobRequestSchema.parse({
      projectId,
      prompt: values.prompt,
      provider: engine,
      model: values.model ?? services.library.getSettings().model,
      mask,
      referencePhotoIds: refs,
      variants,
      fresh: values.fresh ?? false,
    });
    const submitted = services.edits.submit(request);
    services.edits.start();
    let job = submitted;
    while (job.state === 'queued' || job.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = services.edits.get(job.jobId);
    }
    const step = job.stepId ? services.projects.state(projectId).steps.find((s) => s.id === job.stepId) : undefined;
    const result = {
      projectId,
      jobId: job.jobId,
      stepId: job.stepId,
      label: step?.label ?? null,
      costUsd: job.costUsd,
      outputSha256: step?.outputSha256 ?? null,
      status: job.state === 'waiting-network' ? 'queued' : job.state,
      ...(job.error ? { reason: job.error } : {}),
      ...(job.answerText ? { modelText: job.answerText } : {}),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (job.state === 'succeeded') process.stdout.write(`${result.label} → step ${job.stepId} in project ${projectId} ($${job.costUsd.toFixed(4)})\n`);
    else if (result.status === 'queued') process.stdout.write(`Queued: ${job.error ?? 'waiting for the network'} (job ${job.jobId})\n`);
    if (job.state === 'failed' || job.state === 'cancelled') {
      if (!values.json) process.stderr.write(`promptroom: the edit ${job.state}: ${job.error ?? ''}\n`);
      return 1;
    }
    return 0;
  });
}

function sessionId(positionals: string[], verb: string): number {
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw new UsageError(`session ${verb} needs one SESSION_ID (a number).`);
  return id;
}

async function sessionVerb(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(rest, ['library', 'json', 'recipe', 'engine', 'model', 'budget']);
      const libraryDir = requireLibrary(values.library);
      if (typeof values.recipe !== 'string' || !values.recipe.trim()) throw new UsageError('--recipe PRESET_OR_PROMPT is required.');
      if (positionals.length === 0) throw new UsageError('session create needs at least one PHOTO_ID.');
      const photoIds = positionals.map((value) => {
        const id = Number(value);
        if (!Number.isInteger(id) || id < 1) throw new UsageError(`“${value}” is not a photo id.`);
        return id;
      });
      const engine = values.engine;
      if (engine !== undefined && engine !== 'gemini' && engine !== 'local') throw new UsageError('--engine must be gemini or local.');
      const budget = values.budget === undefined ? null : Number(values.budget);
      if (budget !== null && (!Number.isFinite(budget) || budget < 0)) throw new UsageError('--budget must be an amount in USD, such as 2.50.');
      const summary = await withServices(libraryDir, 'cli', async (services) => {
        const preset = services.sessions.presets.find(values.recipe as string);
        return services.sessions.create({
          photoIds,
          recipe: preset ? { presetId: preset.id } : { prompt: values.recipe as string },
          ...(engine !== undefined && { engine }),
          ...(typeof values.model === 'string' && { model: values.model }),
          budgetUsd: budget,
        });
      });
      if (values.json) process.stdout.write(`${JSON.stringify({ sessionId: summary.sessionId })}\n`);
      else process.stdout.write(`Session ${summary.sessionId}: ${summary.total} photo${summary.total === 1 ? '' : 's'}, ${summary.recipe.steps.length} step${summary.recipe.steps.length === 1 ? '' : 's'} on ${summary.engine}${summary.mode === 'batch' ? ' (Batch API)' : ''}. Run it with: promptroom session run ${summary.sessionId} --library ${libraryDir}\n`);
      return 0;
    }
    case 'run': {
      const { values, positionals } = parse(rest, ['library', 'json']);
      const libraryDir = requireLibrary(values.library);
      const id = sessionId(positionals, 'run');
      const summary = await withServices(libraryDir, 'cli', async (services) => {
        services.sessions.summary(id);
        services.edits.start();
        const pause = () => services.sessions.pause(id);
        process.once('SIGINT', pause);
        services.subscribe((event) => {
          if (event.type !== 'session.progress' || event.progress.sessionId !== id) return;
          const p = event.progress;
          if (values.json) process.stdout.write(`${JSON.stringify({ progress: p })}\n`);
          else {
            const eta = p.etaSeconds === null || p.state !== 'running' ? '' : `, about ${p.etaSeconds} s left`;
            process.stdout.write(`${p.state}: ${p.done}/${p.total} done, ${p.failed} failed, $${p.costUsd.toFixed(3)} spent, ~$${p.estimateRestUsd.toFixed(3)} to go${eta}${p.message ? ` (${p.message})` : ''}\n`);
          }
        });
        try {
          return await services.sessions.run(id);
        } finally {
          process.off('SIGINT', pause);
        }
      });
      if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`Session ${id} ${summary.state}: ${summary.done} done, ${summary.failed} failed of ${summary.total}; $${summary.costUsd.toFixed(3)} spent.${summary.message ? ` ${summary.message}` : ''}\n`);
      return summary.state === 'done' || summary.state === 'paused' ? 0 : 1;
    }
    case 'status': {
      const { values, positionals } = parse(rest, ['library', 'json']);
      const libraryDir = requireLibrary(values.library);
      const id = sessionId(positionals, 'status');
      const detail = await withServices(libraryDir, 'cli', async (services) => services.sessions.detail(id));
      const items = detail.items.map((item) => ({
        photoId: item.photoId,
        projectId: item.projectId,
        state: item.state,
        costUsd: item.costUsd,
        stepsDone: item.stepsDone,
        ...(item.error ? { error: item.error } : {}),
      }));
      const { items: _items, ...summary } = detail;
      if (values.json) process.stdout.write(`${JSON.stringify({ ...summary, items })}\n`);
      else {
        process.stdout.write(`Session ${id} (${detail.name}): ${detail.state}, ${detail.done}/${detail.total} done, ${detail.failed} failed, $${detail.costUsd.toFixed(3)}\n`);
        for (const item of items) process.stdout.write(`  photo ${item.photoId}\tproject ${item.projectId ?? '-'}\t${item.state}\t$${item.costUsd.toFixed(4)}${item.error ? `\t${item.error}` : ''}\n`);
      }
      return 0;
    }
    case 'export': {
      const { values, positionals } = parse(rest, ['library', 'json', 'out', 'format', 'quality']);
      const libraryDir = requireLibrary(values.library);
      const id = sessionId(positionals, 'export');
      if (typeof values.out !== 'string' || !values.out) throw new UsageError('--out DIR is required: the folder to write the files into.');
      const format = values.format ?? 'jpeg';
      if (!['jpeg', 'png', 'webp', 'tiff'].includes(format)) throw new UsageError(`--format must be jpeg, png, webp or tiff, not ${format}.`);
      const quality = values.quality === undefined ? 90 : Number(values.quality);
      if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new UsageError('--quality must be a whole number from 1 to 100.');
      const out = path.resolve(values.out);
      const result = await withServices(libraryDir, 'cli', async (services) => {
        const accepted = services.sessions.detail(id).accepted;
        const { job, count } = await services.sessions.exportAccepted(id, { format: format as 'jpeg', quality, writeXmp: true }, out, accepted > 0 ? 'accepted' : 'finished');
        return { exported: accepted > 0 ? 'accepted' : 'finished', count, files: job.files.map((file) => path.join(out, file.fileName)), failed: job.failed };
      });
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(`Exported ${result.files.length} ${result.exported} result${result.files.length === 1 ? '' : 's'} to ${out}\n`);
        for (const failure of result.failed) process.stdout.write(`  ✗ project ${failure.projectId}: ${failure.reason}\n`);
      }
      return result.failed.length === 0 ? 0 : 1;
    }
    default:
      throw new UsageError(sub === undefined ? 'session needs a subcommand: create, run, status or export.' : `Unknown session subcommand “${sub}”.`);
  }
}

async function restoreVerb(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, ['library', 'json']);
  const libraryDir = requireLibrary(values.library);
  if (positionals.length === 0) throw new UsageError('restore needs at least one PHOTO_ID.');
  const ids = positionals.map((value) => {
    const id = Number(value);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`“${value}” is not a photo id.`);
    return id;
  });
  const restored = await withServices(libraryDir, 'cli', (services) => services.local().restorePhotos(ids));
  if (values.json) process.stdout.write(`${JSON.stringify(restored)}\n`);
  else {
    for (const photo of restored) {
      process.stdout.write(`Photo ${photo.photoId} → project ${photo.projectId}: ${photo.steps.map((s) => s.label).join(', ') || 'nothing to do'}\n`);
      for (const skipped of photo.skipped) process.stdout.write(`  skipped ${skipped.name}: ${skipped.reason}\n`);
    }
  }
  return 0;
}

async function historyVerb(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, ['library', 'json']);
  const libraryDir = requireLibrary(values.library);
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw new UsageError('history needs one PROJECT_ID (a number).');
  const state = await withServices(libraryDir, 'cli', async (services) => services.projects.state(id));
  const steps = state.steps.map((step) => ({
    id: step.id,
    parentId: step.parentId,
    label: step.label,
    kind: step.op.type,
    createdAt: step.createdAt,
    ...(step.outputSha256 ? { outputSha256: step.outputSha256 } : {}),
    ...(step.identity ? { identity: identitySummary(step.identity) } : {}),
    current: step.id === state.head,
  }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ projectId: id, head: state.head, steps })}\n`);
  } else {
    for (const step of steps) {
      const identity = step.identity ? `  [${identityText(step.identity.verdict, step.identity.distance)}${step.identity.characters.map((c) => `; @${c.name} ${identityText(c.verdict, c.distance)}`).join('')}]` : '';
      process.stdout.write(`${step.current ? '▶' : ' '} ${step.id}  ${step.label}${identity}\n`);
    }
  }
  return 0;
}

/** A step's identity check as `history --json` prints it: the shown image's verdict and each variant's. */
function identitySummary(identity: StepIdentity) {
  const brief = (check: IdentityCheck) => ({
    verdict: check.verdict,
    distance: check.distance,
    faces: check.faces,
    characters: check.characters.map((c) => ({ name: c.name, verdict: c.verdict, distance: c.distance })),
  });
  return { ...brief(identity), variants: identity.variants.map((v) => ({ sha256: v.sha256, ...brief(v) })) };
}

function identityText(verdict: IdentityCheck['verdict'], distance: number | null): string {
  const words = { same: 'same person', changed: 'identity changed', 'no-face': 'no face', 'face-lost': 'face lost' }[verdict];
  return distance === null ? words : `${words} ${distance.toFixed(2)}`;
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'import':
        return await importVerb(rest);
      case 'list':
        return await listVerb(rest);
      case 'serve':
        return await serveVerb(rest);
      case 'export':
        return await exportVerb(rest);
      case 'history':
        return await historyVerb(rest);
      case 'edit':
        return await editVerb(rest);
      case 'restore':
        return await restoreVerb(rest);
      case 'session':
        return await sessionVerb(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return verb === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command “${verb}”.`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`promptroom: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof UserFacingError) {
      process.stderr.write(`promptroom: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`promptroom: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
