/**
 * The local engine: edits by words without the cloud. An instruction becomes a plan (shared/prompt)
 * and each action of the plan becomes its own step in the project's history: an adjustment layer
 * where the edit is parametric (so it stays editable), a setTransform for geometry, a raster
 * layer (an `aiEdit` step with provider 'local') where new pixels are needed. Pixel work runs on a
 * worker thread. Every step is committed on top of the head at the moment it is ready.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../../shared/contract/result.js';
import type { LayerStack, Operation, Step } from '../../../shared/document/model.js';
import { planInstruction, resolveTransform, restorationActions } from '../../../shared/prompt/index.js';
import type { Bilingual, LocalAction, LocalCapabilities, LocalPlan, LocalRefusal } from '../../../shared/prompt/index.js';
import type { ImageLocator } from '../export.js';
import type { Library } from '../library/library.js';
import type { Projects } from '../projects.js';
import type { StoredImages } from '../stored-images.js';
import { inlineRunner, WorkerPool, type TaskRunner } from './pool.js';
import { subjectModelDir } from './subject.js';
import { LOCAL_MODEL, renderInputOf, type MeasureKind, type RenderInput } from './tasks.js';

export interface LocalEngineDeps {
  projects: Projects;
  storedImages: StoredImages;
  locateImage: ImageLocator;
  library: Library;
  /**
   * Adds an image file to the library as a new photo and returns its id (upscaling makes a new
   * photo, since a project's size is fixed). Without it, upscaling is refused.
   */
  importPhoto?: (file: string, name: string) => Promise<number>;
  capabilities?: LocalCapabilities;
  /** Where pixel work runs: worker threads (default, `workers` of them) or inline (tests). */
  runner?: 'worker' | 'inline' | TaskRunner;
  workers?: number;
}

/** A step of the plan that was not made, and why (the image did not need it). */
export interface SkippedAction {
  name: string;
  reason: Bilingual;
}

export interface LocalEditResult {
  projectId: number;
  /** The steps made, in order; each can be undone or hidden on its own. */
  steps: Step[];
  skipped: SkippedAction[];
  /** Set when the local engine cannot do the instruction; nothing was changed. */
  refused?: LocalRefusal;
  /** Upscaling made a new photo and opened a project on it. */
  created?: { photoId: number; projectId: number };
}

/** One restored photo, as `promptroom restore --json` prints it. */
export interface RestoredPhoto {
  photoId: number;
  projectId: number;
  steps: StepSummary[];
  skipped: { name: string; reason: string }[];
}

export interface StepSummary {
  id: string;
  label: string;
  kind: Operation['type'];
  outputSha256?: string;
}

export function summarizeStep(step: Step): StepSummary {
  return { id: step.id, label: step.label, kind: step.op.type, ...(step.outputSha256 ? { outputSha256: step.outputSha256 } : {}) };
}

const RESTORE_INSTRUCTION = 'Restore this photo';

export class LocalEngine {
  private readonly runner: TaskRunner;
  /** One edit at a time per project: steps of two instructions never interleave. */
  private readonly busy = new Map<number, Promise<unknown>>();

  /** What this machine can do: the subject mask needs its model files (assets/models/selfie). */
  readonly capabilities: LocalCapabilities;

  constructor(private readonly deps: LocalEngineDeps) {
    this.capabilities = deps.capabilities ?? { subjectMask: subjectModelDir() !== null };
    const runner = deps.runner ?? 'worker';
    this.runner = runner === 'inline' ? inlineRunner : runner === 'worker' ? new WorkerPool({ size: deps.workers ?? 1 }) : runner;
  }

  /** What the instruction would do, without doing it. */
  plan(text: string): LocalPlan {
    return planInstruction(text, { capabilities: this.capabilities });
  }

  /** Does what the instruction says, one history step per action; a refusal changes nothing. */
  async apply(projectId: number, text: string): Promise<LocalEditResult> {
    this.deps.projects.state(projectId);
    const plan = this.plan(text);
    if (plan.refused) return { projectId, steps: [], skipped: [], refused: plan };
    return this.exclusive(projectId, () => this.run(projectId, plan.actions, plan.instruction));
  }

  /**
   * Restoration for old prints and scans: denoise, dust and scratch removal, auto levels, colour
   * cast, fade recovery, sharpening; each its own step, each skipped when the photo does not need it.
   */
  async restore(projectId: number): Promise<LocalEditResult> {
    this.deps.projects.state(projectId);
    return this.exclusive(projectId, () => this.run(projectId, restorationActions(), RESTORE_INSTRUCTION));
  }

  /** Restores each photo in a new project of its own (`promptroom restore PHOTO_ID...`). */
  async restorePhotos(photoIds: number[]): Promise<RestoredPhoto[]> {
    const out: RestoredPhoto[] = [];
    for (const photoId of photoIds) {
      const photo = this.deps.library.get(photoId);
      const { project } = this.deps.projects.create(photoId, `${photo.fileName.replace(/\.[^.]+$/, '')} (restored)`);
      const result = await this.restore(project.id);
      out.push({
        photoId,
        projectId: project.id,
        steps: result.steps.map(summarizeStep),
        skipped: result.skipped.map((s) => ({ name: s.name, reason: s.reason.en })),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  private async exclusive<T>(projectId: number, work: () => Promise<T>): Promise<T> {
    const before = this.busy.get(projectId) ?? Promise.resolve();
    const next = before.catch(() => {}).then(work);
    this.busy.set(projectId, next);
    try {
      return await next;
    } finally {
      if (this.busy.get(projectId) === next) this.busy.delete(projectId);
    }
  }

  private async run(projectId: number, actions: LocalAction[], instruction: string): Promise<LocalEditResult> {
    const result: LocalEditResult = { projectId, steps: [], skipped: [] };
    const single = actions.length === 1;
    for (const action of actions) {
      try {
        await this.runAction(projectId, action, single ? instruction : action.name, result);
      } catch (error) {
        if (result.steps.length === 0 && result.skipped.length === 0) throw error;
        const made = result.steps.map((s) => s.label).join(', ');
        const reason = error instanceof Error ? error.message : String(error);
        throw new UserFacingError(
          error instanceof UserFacingError ? error.code : 'internal',
          `“${action.name}” failed: ${reason}${made ? ` The steps before it were kept: ${made}.` : ''}`,
        );
      }
    }
    return result;
  }

  private async runAction(projectId: number, action: LocalAction, prompt: string, result: LocalEditResult): Promise<void> {
    const { projects } = this.deps;
    switch (action.kind) {
      case 'adjustment':
        result.steps.push(this.commit(projectId, { type: 'addAdjustmentLayer', layerId: newLayerId('lc'), name: action.name, adjustment: action.adjustment }));
        return;
      case 'transform': {
        const { project, stack } = projects.stackAtHead(projectId);
        const change = resolveTransform(action.transform, project, stack.transform);
        if (!change) {
          result.skipped.push({ name: action.name, reason: { en: 'Nothing to change.', zh: '没有需要改变的。' } });
          return;
        }
        result.steps.push(this.commit(projectId, { type: 'setTransform', transform: change }));
        return;
      }
      case 'auto': {
        const kind: MeasureKind = { autoLevels: 'autoLevels', removeColourCast: 'colourCast', fixFade: 'fade', autoStraighten: 'tilt' }[action.op] as MeasureKind;
        const { stack } = projects.stackAtHead(projectId);
        const measured = await this.runner.run({ type: 'measure', input: this.renderInput(stack), measure: kind, force: action.force });
        if (measured.type !== 'measure') throw new Error('unexpected answer from the local engine');
        if (measured.notNeeded) {
          result.skipped.push({ name: action.name, reason: measured.notNeeded });
          return;
        }
        if (action.op === 'autoStraighten') {
          // Measured on the unflipped document; one flip mirrors the tilt.
          const t = projects.stackAtHead(projectId).stack.transform;
          const mirrored = t.flipHorizontal !== t.flipVertical;
          const straighten = Math.max(-45, Math.min(45, (mirrored ? -1 : 1) * (measured.tilt ?? 0)));
          result.steps.push(this.commit(projectId, { type: 'setTransform', transform: { straighten } }));
          return;
        }
        result.steps.push(this.commit(projectId, { type: 'addAdjustmentLayer', layerId: newLayerId('la'), name: action.name, adjustment: measured.adjustment! }));
        return;
      }
      case 'raster':
        await this.runRaster(projectId, action, prompt, result);
        return;
    }
  }

  private async runRaster(projectId: number, action: Extract<LocalAction, { kind: 'raster' }>, prompt: string, result: LocalEditResult): Promise<void> {
    const { projects } = this.deps;
    const { project, stack } = projects.stackAtHead(projectId);
    switch (action.op) {
      case 'denoise':
      case 'removeDefects': {
        const answer = await this.runner.run({ type: 'raster', input: this.renderInput(stack), op: action.op, strength: action.params.strength, optional: action.optional });
        if (answer.type !== 'raster') throw new Error('unexpected answer from the local engine');
        if (!answer.png) {
          result.skipped.push({ name: action.name, reason: answer.notNeeded ?? { en: 'Nothing to change.', zh: '没有需要改变的。' } });
          return;
        }
        result.steps.push(await this.commitRaster(projectId, project, action.name, prompt, answer.png, answer.width, answer.height));
        return;
      }
      case 'upscale2x': {
        if (!this.deps.importPhoto) throw new UserFacingError('unsupported', 'Upscaling makes a new photo, and this host cannot add photos to the library.');
        const answer = await this.runner.run({ type: 'upscale', input: this.renderInput(stack) });
        if (answer.type !== 'upscale') throw new Error('unexpected answer from the local engine');
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-upscale-'));
        const fileName = `${safeName(project.name)} 2x.png`;
        try {
          const file = path.join(dir, fileName);
          await fs.writeFile(file, answer.png);
          const photoId = await this.deps.importPhoto(file, fileName);
          const created = projects.create(photoId, `${project.name} 2×`);
          result.created = { photoId, projectId: created.project.id };
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
        return;
      }
      case 'blurBackground':
      case 'removeBackground': {
        if (!this.capabilities.subjectMask) {
          throw new UserFacingError('unsupported', 'Blurring or removing the background needs a subject mask, which the local engine cannot compute on this machine.');
        }
        const answer = await this.runner.run({ type: 'subject', input: this.renderInput(stack), op: action.op, strength: action.params.strength });
        if (answer.type !== 'subject') throw new Error('unexpected answer from the local engine');
        if (!answer.png) {
          result.skipped.push({ name: action.name, reason: answer.notNeeded ?? { en: 'Nothing to change.', zh: '没有需要改变的。' } });
          return;
        }
        const below = stack.layers.filter((l) => l.visible);
        result.steps.push(await this.commitRaster(projectId, project, action.name, prompt, answer.png, answer.width, answer.height));
        // A cut-out over the photo would show the old background through: the layers below go dark.
        if (action.op === 'removeBackground') {
          for (const layer of below) result.steps.push(this.commit(projectId, { type: 'setLayerProps', layerId: layer.id, props: { visible: false } }));
        }
        return;
      }
    }
  }

  /** Stores a layer's pixels and commits them as a local AI-edit step over the whole document. */
  private async commitRaster(projectId: number, project: { width: number; height: number }, name: string, prompt: string, png: Uint8Array, width: number, height: number): Promise<Step> {
    const { projects, storedImages } = this.deps;
    const sha256 = await storedImages.putPng(png, width, height, 'local-output');
    const op: Operation = {
      type: 'aiEdit',
      layerId: newLayerId('lr'),
      name,
      sha256,
      x: 0,
      y: 0,
      width: project.width,
      height: project.height,
      generated: { provider: 'local', model: LOCAL_MODEL, prompt, variants: [sha256], references: [], costUsd: 0, jobId: `local-${randomBytes(6).toString('hex')}` },
    };
    return projects.commitInternal(projectId, projects.state(projectId).head, op, sha256).step;
  }

  /**
   * The people in the project's current composite as a stored greyscale mask (white = subject),
   * for a masked cloud edit (`edit.submit` with `mask: { sha256 }`). Null if nobody was found.
   */
  async subjectMask(projectId: number): Promise<{ sha256: string; coverage: number } | null> {
    if (!this.capabilities.subjectMask) throw new UserFacingError('unsupported', 'The subject-mask model is not installed on this machine.');
    const { stack } = this.deps.projects.stackAtHead(projectId);
    const answer = await this.runner.run({ type: 'subject', input: this.renderInput(stack), op: 'mask', strength: 1 });
    if (answer.type !== 'subject') throw new Error('unexpected answer from the local engine');
    if (!answer.png) return null;
    return { sha256: await this.deps.storedImages.putPng(answer.png, answer.width, answer.height, 'mask'), coverage: answer.coverage };
  }

  private commit(projectId: number, op: Operation): Step {
    const head = this.deps.projects.state(projectId).head;
    return this.deps.projects.commit(projectId, head, op).step;
  }

  private renderInput(stack: LayerStack): RenderInput {
    return renderInputOf(stack, this.deps.locateImage);
  }
}

function newLayerId(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

function safeName(name: string): string {
  return [...name].map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '_' : c)).join('').trim().slice(0, 100) || 'photo';
}
