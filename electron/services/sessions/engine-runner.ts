/**
 * The full local engine (electron/services/local) as a session's LocalRunner. The engine commits
 * each step as soon as it is ready; a session needs an instruction's steps to land together with
 * the item's progress. So the engine gets a `Projects` that stages its commits for the project
 * being worked on (reads see the staged steps, nothing is written), and the session commits the
 * staged steps in one transaction. Stored pixels (raster steps) are written by the engine as
 * usual: content-addressed, harmless if the step never lands.
 */
import { randomBytes } from 'node:crypto';
import type { ProjectSummary } from '../../../shared/contract/api.js';
import type { ProjectState } from '../../../shared/contract/document.js';
import { labelFor } from '../../../shared/document/labels.js';
import { applyOperation, InvalidOperation, type LayerStack, type Operation, type Step } from '../../../shared/document/model.js';
import { UserFacingError } from '../../../shared/contract/result.js';
import type { Db } from '../library/database.js';
import type { Library } from '../library/library.js';
import { Projects } from '../projects.js';
import type { StoredImages } from '../stored-images.js';
import type { LocalRunner, LocalStep } from './local-runner.js';

/** What the session needs of the engine: `LocalEngine.apply`. */
export interface EngineLike {
  apply(projectId: number, text: string): Promise<{ steps: Step[]; refused?: { reason: { en: string } } }>;
  close?(): Promise<void>;
}

interface Staged {
  steps: Step[];
  stack: LayerStack;
}

/** Projects whose commits, for projects in staging, are kept in memory instead of written. */
export class StagingProjects extends Projects {
  private readonly staged = new Map<number, Staged>();

  constructor(
    private readonly real: Projects,
    db: Db,
    library: Library,
    storedImages: StoredImages,
  ) {
    super(db, library, storedImages);
  }

  begin(projectId: number): void {
    if (this.staged.has(projectId)) throw new Error(`project ${projectId} is already being staged`);
    this.staged.set(projectId, { steps: [], stack: this.real.stackAtHead(projectId).stack });
  }

  /** The staged steps, in order; staging ends. */
  end(projectId: number): LocalStep[] {
    const staged = this.staged.get(projectId);
    this.staged.delete(projectId);
    return (staged?.steps ?? []).map((step) => ({ op: step.op, outputSha256: step.outputSha256 }));
  }

  override create(photoId: number, name?: string): ProjectState {
    return this.real.create(photoId, name);
  }

  override list(photoId?: number): ProjectSummary[] {
    return this.real.list(photoId);
  }

  override state(projectId: number): ProjectState {
    const real = this.real.state(projectId);
    const staged = this.staged.get(projectId);
    if (!staged || staged.steps.length === 0) return real;
    const head = staged.steps.at(-1)!.id;
    return { ...real, steps: [...real.steps, ...staged.steps], head, tip: head };
  }

  override stackAtHead(projectId: number): ReturnType<Projects['stackAtHead']> {
    const real = this.real.stackAtHead(projectId);
    const staged = this.staged.get(projectId);
    if (!staged) return real;
    return { project: real.project, stack: staged.stack, steps: [...real.steps, ...staged.steps] };
  }

  override commit(projectId: number, parentId: string | null, op: Operation): { step: Step; head: string | null; tip: string | null } {
    if (op.type === 'aiEdit') throw new UserFacingError('invalid-argument', 'AI edits are made by the job queue, not proposed directly.');
    return this.commitInternal(projectId, parentId, op, null);
  }

  override commitInternal(projectId: number, parentId: string | null, op: Operation, outputSha256: string | null): { step: Step; head: string | null; tip: string | null } {
    const staged = this.staged.get(projectId);
    if (!staged) return this.real.commitInternal(projectId, parentId, op, outputSha256);
    const head = this.state(projectId).head;
    if (parentId !== head) throw new UserFacingError('conflict', 'The history changed in the meantime.');
    let stack: LayerStack;
    try {
      stack = applyOperation(staged.stack, op);
    } catch (error) {
      if (error instanceof InvalidOperation) throw new UserFacingError('invalid-argument', error.message);
      throw error;
    }
    const step: Step = { id: `s${randomBytes(8).toString('hex')}`, parentId, op, label: labelFor(op, staged.stack), createdAt: new Date().toISOString(), outputSha256 };
    staged.steps.push(step);
    staged.stack = stack;
    return { step, head: step.id, tip: step.id };
  }

  override setHead(projectId: number, head: string | null, tip: string | null): { head: string | null; tip: string | null } {
    return this.real.setHead(projectId, head, tip);
  }

  override rename(projectId: number, name: string): void {
    this.real.rename(projectId, name);
  }

  override delete(projectId: number): void {
    this.real.delete(projectId);
  }
}

/**
 * A LocalRunner over the engine. `makeEngine` builds the engine on the staging projects it is
 * given (e.g. `(projects) => new LocalEngine({ projects, storedImages, locateImage, library })`).
 */
export function createEngineRunner(options: {
  projects: Projects;
  db: Db;
  library: Library;
  storedImages: StoredImages;
  makeEngine: (projects: Projects) => EngineLike;
  concurrency?: number;
}): LocalRunner {
  const staging = new StagingProjects(options.projects, options.db, options.library, options.storedImages);
  const engine = options.makeEngine(staging);
  return {
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    close: async () => {
      await engine.close?.();
    },
    async apply(projectId, text, signal) {
      staging.begin(projectId);
      try {
        const result = await engine.apply(projectId, text);
        const steps = staging.end(projectId);
        if (signal?.aborted) return { refused: 'Cancelled.' };
        if (result.refused) return { refused: result.refused.reason.en };
        return { steps };
      } finally {
        staging.end(projectId);
      }
    },
  };
}
