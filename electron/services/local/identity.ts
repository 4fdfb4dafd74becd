/**
 * The identity check: after an edit that made new pixels of a photo with faces, the faces of the
 * original composite and of the result are compared (face-api descriptors, Euclidean distance;
 * below 0.6 is the same person). The same descriptors score a character's consistency: the
 * result's faces against the character's reference photos. Checks run on a worker thread after
 * the step is committed, never delaying it, and are stored in `identity_checks`.
 */
import type { CharacterConsistency, IdentityCheck, IdentityVerdict, StepIdentity } from '../../../shared/contract/document.js';
import { pathTo, stackAt } from '../../../shared/document/history.js';
import { applyOperation, type LayerStack, type Step } from '../../../shared/document/model.js';
import type { Characters } from '../characters.js';
import type { Db } from '../library/database.js';
import { identitiesOf } from '../identity-store.js';
import type { Projects } from '../projects.js';
import type { FoundFace } from './faces.js';
import { inlineRunner, WorkerPool, type TaskRunner } from './pool.js';
import { renderInputOf, type FaceSource, type RenderInput } from './tasks.js';

/** Below this distance two face descriptors are the same person (face-api's own threshold). */
export const SAME_PERSON = 0.6;

/** Faces of the original and of the result, paired most-alike first; the verdict is the worst pair's. */
export function compareFaces(original: FoundFace[], result: FoundFace[]): IdentityCheck {
  const faces = { original: original.length, result: result.length };
  if (original.length === 0) return { verdict: 'no-face', distance: null, faces, pairs: [], characters: [] };
  const candidates: { i: number; j: number; distance: number }[] = [];
  original.forEach((a, i) => result.forEach((b, j) => candidates.push({ i, j, distance: faceDistance(a.descriptor, b.descriptor) })));
  candidates.sort((p, q) => p.distance - q.distance || p.i - q.i || p.j - q.j);
  const matched = new Map<number, { j: number; distance: number }>();
  const taken = new Set<number>();
  for (const c of candidates) {
    if (matched.has(c.i) || taken.has(c.j)) continue;
    matched.set(c.i, { j: c.j, distance: c.distance });
    taken.add(c.j);
  }
  const pairs = original.map((face, i) => {
    const match = matched.get(i);
    return { original: face.box, result: match ? result[match.j]!.box : null, distance: match ? round(match.distance) : null };
  });
  if (result.length === 0) return { verdict: 'face-lost', distance: null, faces, pairs, characters: [] };
  const distance = Math.max(...pairs.flatMap((p) => (p.distance === null ? [] : [p.distance])));
  return { verdict: distance < SAME_PERSON ? 'same' : 'changed', distance, faces, pairs, characters: [] };
}

/**
 * How like a character the result is: each reference photo gives its largest face; each face of
 * the result is scored by its mean distance to those, and the closest face counts.
 */
export function characterConsistency(references: FoundFace[][], result: FoundFace[]): { verdict: IdentityVerdict; distance: number | null; referenceFaces: number } {
  const descriptors = references.flatMap((faces) => (faces[0] ? [faces[0].descriptor] : []));
  if (descriptors.length === 0) return { verdict: 'no-face', distance: null, referenceFaces: 0 };
  if (result.length === 0) return { verdict: 'face-lost', distance: null, referenceFaces: descriptors.length };
  const scores = result.map((face) => descriptors.reduce((sum, d) => sum + faceDistance(face.descriptor, d), 0) / descriptors.length);
  const distance = round(Math.min(...scores));
  return { verdict: distance < SAME_PERSON ? 'same' : 'changed', distance, referenceFaces: descriptors.length };
}

/** The identity service: faces in image A against faces in image B, found on `runner`. */
export async function compareImages(runner: TaskRunner, original: FaceSource, result: FaceSource): Promise<IdentityCheck> {
  const answer = await runner.run({ type: 'faces', sources: [original, result] });
  if (answer.type !== 'faces') throw new Error('unexpected answer from the local engine');
  return compareFaces(answer.faces[0]!, answer.faces[1]!);
}

export function faceDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

export interface IdentityChecksDeps {
  db: Db;
  projects: Projects;
  characters: Characters;
  /** A library photo's original or a stored output, by hash. */
  locateImage: (sha256: string) => string | null;
  /** Where face detection runs: a worker thread (default) or inline (tests). */
  runner?: 'worker' | 'inline' | TaskRunner;
  /** Told when a step's check is stored (the host turns it into an `identity.checked` event). */
  onChecked?: (projectId: number, stepId: string, identity: StepIdentity) => void;
}

/** Runs identity checks in the background, one at a time, and answers stored ones. */
export class IdentityChecks {
  private readonly runner: TaskRunner;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private closed = false;
  /** The last failure of a background check (they never throw at anyone); for logs and tests. */
  lastError: Error | null = null;

  constructor(private readonly deps: IdentityChecksDeps) {
    const runner = deps.runner ?? 'worker';
    this.runner = runner === 'inline' ? inlineRunner : runner === 'worker' ? new WorkerPool({ size: 1 }) : runner;
  }

  /** Faces in image A against faces in image B (files). */
  compareFiles(original: string, result: string): Promise<IdentityCheck> {
    return compareImages(this.runner, { file: original }, { file: result });
  }

  /** Queues the check of a step that made new pixels; returns at once. */
  schedule(projectId: number, step: Step): void {
    if (this.closed || step.op.type !== 'aiEdit') return;
    this.pending++;
    this.queue = this.queue
      .then(() => this.check(projectId, step.id))
      .catch((error: unknown) => {
        this.lastError = error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.pending--;
      });
  }

  /** Resolves when every check scheduled so far has finished. */
  async idle(): Promise<void> {
    // Steps are announced on the next turn of the event loop (outside the committing transaction).
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending > 0) await this.queue.catch(() => {});
  }

  /**
   * Compares the original (the composite after the project's first step) with the composite after
   * the step, for the step's image and each of its variants, and scores the characters its prompt names. Stored; null if the step
   * made no new pixels or no longer exists (its transaction rolled back, the project was deleted).
   */
  async check(projectId: number, stepId: string): Promise<StepIdentity | null> {
    const { db, projects } = this.deps;
    if (db.prepare('SELECT 1 FROM steps WHERE id = ? AND project_id = ?').get(stepId, projectId) === undefined) return null;
    const { project, steps } = projects.stackAtHead(projectId);
    const step = steps.find((s) => s.id === stepId);
    if (!step || step.op.type !== 'aiEdit') return null;
    const op = step.op;
    const tree = { steps: new Map(steps.map((s) => [s.id, s])) };
    // "The original": the photo as the project opened it (its first step), so every later step
    // says whether the picture still shows the same people, not only whether this step changed them.
    const before = stackAt(tree, project.width, project.height, step.parentId);
    const root = pathTo(tree, step.parentId)[0];
    const opened = root ? stackAt(tree, project.width, project.height, root.id) : before;
    const variants = [...new Set([op.sha256, ...op.generated.variants])];
    const characters = this.deps.characters.mentionedIn(op.generated.prompt);
    const referenceSources = characters.map((c) => c.photoIds.flatMap((id) => this.photoFile(id)));
    const sources: FaceSource[] = [
      { render: this.renderInput(opened) },
      ...variants.map((sha256): FaceSource => ({ render: this.renderInput(applyOperation(before, { ...op, sha256 })) })),
      ...referenceSources.flat().map((file): FaceSource => ({ file })),
    ];
    const found = await this.faces(sources);
    const original = found[0]!;
    const references: FoundFace[][][] = [];
    let next = 1 + variants.length;
    for (const files of referenceSources) {
      references.push(found.slice(next, next + files.length));
      next += files.length;
    }
    const checks = variants.map((sha256, index) => {
      const result = found[1 + index]!;
      const check = compareFaces(original, result);
      check.characters = characters.map((c, ci): CharacterConsistency => ({ characterId: c.id, name: c.name, ...characterConsistency(references[ci]!, result) }));
      return { sha256, check };
    });
    if (this.closed) return null;
    const now = new Date().toISOString();
    const insert = db.prepare(
      `INSERT OR REPLACE INTO identity_checks (step_id, sha256, subject, project_id, character_id, character_name, verdict, distance, result_json, checked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      if (db.prepare('SELECT 1 FROM steps WHERE id = ?').get(stepId) === undefined) return;
      for (const { sha256, check } of checks) {
        const { characters: scored, ...faces } = check;
        insert.run(stepId, sha256, 'original', projectId, null, null, check.verdict, check.distance, JSON.stringify(faces), now);
        for (const c of scored) {
          insert.run(stepId, sha256, `character:${c.characterId}`, projectId, c.characterId, c.name, c.verdict, c.distance, JSON.stringify({ referenceFaces: c.referenceFaces }), now);
        }
      }
    })();
    const identity = this.forProject(projectId).get(stepId) ?? null;
    if (identity) this.deps.onChecked?.(projectId, stepId, identity);
    return identity;
  }

  /**
   * The stored checks of a project's steps, by step id: each aiEdit step with its own image's
   * check and its variants', and each chooseVariant step with the check of the variant it chose.
   */
  forProject(projectId: number, steps?: readonly Step[]): Map<string, StepIdentity> {
    return identitiesOf(this.deps.db, projectId, steps ?? this.deps.projects.stackAtHead(projectId).steps);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.runner.close();
  }

  private async faces(sources: FaceSource[]): Promise<FoundFace[][]> {
    const answer = await this.runner.run({ type: 'faces', sources });
    if (answer.type !== 'faces') throw new Error('unexpected answer from the local engine');
    return answer.faces;
  }

  private photoFile(photoId: number): string[] {
    const row = this.deps.db.prepare('SELECT sha256 FROM photos WHERE id = ? AND trashed_at IS NULL').get(photoId) as { sha256: string } | undefined;
    const file = row ? this.deps.locateImage(row.sha256) : null;
    return file ? [file] : [];
  }

  private renderInput(stack: LayerStack): RenderInput {
    return renderInputOf(stack, this.deps.locateImage);
  }
}
