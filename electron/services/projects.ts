import { randomBytes } from 'node:crypto';
import type { ProjectSummary } from '../../shared/contract/api.js';
import type { Project, ProjectState } from '../../shared/contract/document.js';
import { commit as commitToHistory, historyOf, isAncestor, stackAt, type History } from '../../shared/document/history.js';
import { labelFor } from '../../shared/document/labels.js';
import { applyOperation, InvalidOperation, type LayerStack, type Operation, type Step } from '../../shared/document/model.js';
import { UserFacingError } from '../../shared/contract/result.js';
import type { Db } from './library/database.js';
import type { Library } from './library/library.js';
import type { StoredImages } from './stored-images.js';
import { identitiesOf } from './identity-store.js';

interface ProjectRow {
  id: number;
  name: string;
  photo_id: number;
  width: number;
  height: number;
  head_step_id: string | null;
  tip_step_id: string | null;
  created_at: string;
  updated_at: string;
}

interface StepRow {
  id: string;
  parent_id: string | null;
  label: string;
  op_json: string;
  output_sha256: string | null;
  created_at: string;
}

interface OpenProject {
  project: Project;
  history: History;
  /** The stack at the head, kept so a commit does not replay the whole history. */
  stack: LayerStack;
}

/**
 * Projects and their history trees in SQLite. A step is written in one transaction with the
 * project's new head, before the caller hears it is done; steps are never updated afterwards.
 */
export class Projects {
  private readonly open = new Map<number, OpenProject>();
  private readonly newPixelListeners = new Set<(projectId: number, step: Step) => void>();

  constructor(
    private readonly db: Db,
    private readonly library: Library,
    private readonly storedImages: StoredImages,
  ) {}

  create(photoId: number, name?: string): ProjectState {
    const photo = this.library.get(photoId);
    const now = new Date().toISOString();
    const id = Number(
      this.db
        .prepare('INSERT INTO projects (name, photo_id, width, height, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(name ?? photo.fileName.replace(/\.[^.]+$/, ''), photoId, photo.width, photo.height, now, now).lastInsertRowid,
    );
    this.commit(id, null, {
      type: 'addImageLayer',
      layerId: 'base',
      name: photo.fileName,
      sha256: photo.sha256,
      x: 0,
      y: 0,
      width: photo.width,
      height: photo.height,
    });
    return this.state(id);
  }

  list(photoId?: number): ProjectSummary[] {
    const rows = this.db
      .prepare(
        `SELECT p.id, p.name, p.photo_id AS photoId, ph.sha256 AS photoSha256, p.updated_at AS updatedAt,
           (SELECT count(*) FROM steps s WHERE s.project_id = p.id) AS stepCount
         FROM projects p JOIN photos ph ON ph.id = p.photo_id
         ${photoId === undefined ? '' : 'WHERE p.photo_id = @photoId'}
         ORDER BY p.updated_at DESC, p.id DESC`,
      )
      .all(photoId === undefined ? {} : { photoId }) as ProjectSummary[];
    return rows;
  }

  /** The project and its history; steps that made new pixels carry their identity check once it ran. */
  state(projectId: number): ProjectState {
    const open = this.load(projectId);
    const steps = [...open.history.steps.values()];
    const identities = identitiesOf(this.db, projectId, steps);
    return {
      project: open.project,
      steps: identities.size === 0 ? steps : steps.map((step) => (identities.has(step.id) ? { ...step, identity: identities.get(step.id) } : step)),
      head: open.history.head,
      tip: open.history.tip,
    };
  }

  /**
   * Tells `listener` about every step that made new pixels (AI edits, local or cloud), after the
   * caller's transaction: for checks that run in the background (the identity check).
   */
  onNewPixels(listener: (projectId: number, step: Step) => void): () => void {
    this.newPixelListeners.add(listener);
    return () => this.newPixelListeners.delete(listener);
  }

  /** The layer stack at the head, for export. */
  stackAtHead(projectId: number): { project: Project; stack: LayerStack; steps: Step[] } {
    const open = this.load(projectId);
    return { project: open.project, stack: open.stack, steps: [...open.history.steps.values()] };
  }

  commit(projectId: number, parentId: string | null, op: Operation): { step: Step; head: string | null; tip: string | null } {
    if (op.type === 'aiEdit') throw new UserFacingError('invalid-argument', 'AI edits are made by the job queue, not proposed directly.');
    return this.commitChecked(projectId, parentId, op, null);
  }

  private commitChecked(
    projectId: number,
    parentId: string | null,
    op: Operation,
    outputSha256: string | null,
  ): { step: Step; head: string | null; tip: string | null } {
    const open = this.load(projectId);
    if (parentId !== open.history.head) {
      throw new UserFacingError('conflict', 'The history changed in the meantime (another window?). Reopen the project to see it.');
    }
    let stack: LayerStack;
    try {
      stack = applyOperation(open.stack, op);
    } catch (error) {
      if (error instanceof InvalidOperation) throw new UserFacingError('invalid-argument', error.message);
      throw error;
    }
    if (op.type === 'addImageLayer' && !this.library.hasSha(op.sha256) && !this.storedImages.has(op.sha256)) {
      throw new UserFacingError('invalid-argument', 'That image is not in the library.');
    }
    const step: Step = {
      id: `s${randomBytes(8).toString('hex')}`,
      parentId,
      op,
      label: labelFor(op, open.stack),
      createdAt: new Date().toISOString(),
      outputSha256,
    };
    this.db.transaction(() => {
      const seq = (this.db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM steps WHERE project_id = ?').pluck().get(projectId) as number);
      this.db
        .prepare(
          'INSERT INTO steps (id, project_id, parent_id, seq, kind, label, op_json, output_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(step.id, projectId, step.parentId, seq, op.type, step.label, JSON.stringify(op), step.outputSha256, step.createdAt);
      for (const sha of referencedImages(op)) {
        this.db.prepare('INSERT OR IGNORE INTO project_assets (project_id, sha256) VALUES (?, ?)').run(projectId, sha);
      }
      this.db
        .prepare('UPDATE projects SET head_step_id = ?, tip_step_id = ?, updated_at = ? WHERE id = ?')
        .run(step.id, step.id, step.createdAt, projectId);
    })();
    open.history = commitToHistory(open.history, step);
    open.stack = stack;
    if (op.type === 'aiEdit' && this.newPixelListeners.size > 0) {
      // Later, outside any transaction the caller holds (a rolled-back step is then simply absent).
      setImmediate(() => {
        for (const listener of this.newPixelListeners) listener(projectId, step);
      });
    }
    return { step, head: open.history.head, tip: open.history.tip };
  }

  setHead(projectId: number, head: string | null, tip: string | null): { head: string | null; tip: string | null } {
    const open = this.load(projectId);
    for (const id of [head, tip]) {
      if (id !== null && !open.history.steps.has(id)) throw new UserFacingError('not-found', `Step ${id} is not in this project.`);
    }
    if (!isAncestor(open.history, head, tip)) throw new UserFacingError('invalid-argument', 'The redo target must lie after the current step.');
    this.db.prepare('UPDATE projects SET head_step_id = ?, tip_step_id = ?, updated_at = ? WHERE id = ?').run(head, tip, new Date().toISOString(), projectId);
    open.history = { ...open.history, head, tip };
    open.stack = stackAt(open.history, open.project.width, open.project.height, head);
    return { head, tip };
  }

  rename(projectId: number, name: string): void {
    this.load(projectId);
    this.db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, new Date().toISOString(), projectId);
    this.open.delete(projectId);
  }

  delete(projectId: number): void {
    this.load(projectId);
    this.db.transaction(() => {
      // Children before parents: the tree's foreign key forbids orphans.
      this.db.prepare('UPDATE steps SET parent_id = NULL WHERE project_id = ?').run(projectId);
      this.db.prepare('DELETE FROM projects WHERE id = ?').run(projectId);
    })();
    this.open.delete(projectId);
  }

  /** Commits a step made in the main process (an AI edit) inside the caller's transaction. */
  commitInternal(projectId: number, parentId: string | null, op: Operation, outputSha256: string | null): { step: Step; head: string | null; tip: string | null } {
    return this.commitChecked(projectId, parentId, op, outputSha256);
  }

  private load(projectId: number): OpenProject {
    const cached = this.open.get(projectId);
    if (cached) return cached;
    const row = this.db.prepare('SELECT * FROM projects WHERE id = ?').get(projectId) as ProjectRow | undefined;
    if (!row) throw new UserFacingError('not-found', `There is no project with id ${projectId}.`);
    const steps = (this.db.prepare('SELECT * FROM steps WHERE project_id = ? ORDER BY seq').all(projectId) as StepRow[]).map(
      (s): Step => ({
        id: s.id,
        parentId: s.parent_id,
        op: JSON.parse(s.op_json) as Operation,
        label: s.label,
        createdAt: s.created_at,
        outputSha256: s.output_sha256,
      }),
    );
    const project: Project = {
      id: row.id,
      name: row.name,
      photoId: row.photo_id,
      width: row.width,
      height: row.height,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    const history = historyOf(steps, row.head_step_id, row.tip_step_id);
    const open: OpenProject = { project, history, stack: stackAt(history, row.width, row.height, row.head_step_id) };
    this.open.set(projectId, open);
    return open;
  }
}

/** Every stored image an operation points at, so none is collected while the step exists. */
function referencedImages(op: Operation): string[] {
  if (op.type === 'addImageLayer') return [op.sha256];
  if (op.type === 'aiEdit') return [op.sha256, ...op.generated.variants, ...op.generated.references];
  return [];
}
