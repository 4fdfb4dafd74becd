/**
 * One open project and its history, kept in step with the main process. Every change is a
 * `projects.commit` after the current head and counts as done only when it returns; undo, redo
 * and jumps move the head locally with the shared history functions, then persist it with
 * `projects.setHead` (rolled back with a toast if that fails). Calls run one after another, so
 * each commit names the head the one before it produced.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ProjectSummary } from '../../shared/contract/api.js';
import { CallError } from '../../shared/contract/bridge.js';
import type { Project, ProjectState } from '../../shared/contract/document.js';
import { commit as commitStep, historyOf, jump as jumpTo, redo as redoStep, stackAt, undo as undoStep, type History } from '../../shared/document/history.js';
import { applyOperation, type LayerStack, type Operation, type StepId } from '../../shared/document/model.js';
import { errorMessage, useApp } from '../app/context.js';

export interface OpenDocument {
  project: Project;
  history: History;
}

export type LoadState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready' };

export interface ProjectDocument {
  load: LoadState;
  doc: OpenDocument | null;
  /** The project's other versions (and itself), most recent first. */
  versions: ProjectSummary[];
  /** The stack at the committed head. */
  headStack: LayerStack | null;
  /** The head plus changes sent but not yet confirmed (shown optimistically). */
  stack: LayerStack | null;
  /** How many calls are in flight. */
  busy: number;
  commit(op: Operation): Promise<boolean>;
  undo(): void;
  redo(): void;
  jump(id: StepId | null): void;
  openVersion(projectId: number): void;
  newVersion(): void;
  reload(): void;
  /** Takes in steps the main process committed by itself (an AI job, the local engine). */
  sync(): Promise<void>;
}

export function useProjectDocument(photoId: number, initialProjectId: number | null, onProjectChange: (projectId: number) => void): ProjectDocument {
  const { client, toast, t } = useApp();
  const [load, setLoad] = useState<LoadState>({ status: 'loading' });
  const [doc, setDocState] = useState<OpenDocument | null>(null);
  const [versions, setVersions] = useState<ProjectSummary[]>([]);
  const [pending, setPending] = useState<{ key: number; op: Operation }[]>([]);
  const [busy, setBusy] = useState(0);
  const docRef = useRef<OpenDocument | null>(null);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const pendingKey = useRef(1);
  const projectChanged = useRef(onProjectChange);
  useEffect(() => {
    projectChanged.current = onProjectChange;
  });

  const setDoc = useCallback((next: OpenDocument | null) => {
    docRef.current = next;
    setDocState(next);
  }, []);

  /** Runs calls one after another; a failure in one never blocks the next. */
  const enqueue = useCallback((task: () => Promise<void>): Promise<void> => {
    setBusy((n) => n + 1);
    const run = chain.current.then(task).catch((error: unknown) => {
      toast({ kind: 'error', text: errorMessage(error) });
    });
    chain.current = run.finally(() => setBusy((n) => n - 1));
    return chain.current;
  }, [toast]);

  const refreshVersions = useCallback(async () => {
    try {
      setVersions(await client.call('projects.list', { photoId }));
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
    }
  }, [client, photoId, toast]);

  const show = useCallback(
    (state: ProjectState) => {
      setPending([]);
      setDoc({ project: state.project, history: historyOf(state.steps, state.head, state.tip) });
      setLoad({ status: 'ready' });
      projectChanged.current(state.project.id);
    },
    [setDoc],
  );

  const openProject = useCallback(
    (projectId: number | null) =>
      enqueue(async () => {
        try {
          let state: ProjectState;
          if (projectId !== null) state = await client.call('projects.open', { projectId });
          else {
            const existing = await client.call('projects.list', { photoId });
            const latest = existing[0];
            state = latest ? await client.call('projects.open', { projectId: latest.id }) : await client.call('projects.create', { photoId });
          }
          show(state);
        } catch (error) {
          if (docRef.current === null) setLoad({ status: 'failed', message: errorMessage(error) });
          else throw error;
        }
        await refreshVersions();
      }),
    [client, enqueue, photoId, refreshVersions, show],
  );

  useEffect(() => {
    setLoad({ status: 'loading' });
    setDoc(null);
    void openProject(initialProjectId);
    // Opening follows the photo; switching versions later goes through openVersion.
  }, [photoId]);

  const commit = useCallback(
    (op: Operation): Promise<boolean> => {
      const key = pendingKey.current++;
      setPending((list) => [...list, { key, op }]);
      let done = false;
      return enqueue(async () => {
        const current = docRef.current;
        try {
          if (!current) return;
          // AI edits are committed by the main process's job queue, never proposed from here.
          if (op.type === 'aiEdit') throw new Error('An AI edit cannot be committed from the editor.');
          const result = await client.call('projects.commit', { projectId: current.project.id, parentId: current.history.head, op });
          const history = commitStep(current.history, result.step);
          setDoc({ ...current, history: { ...history, head: result.head, tip: result.tip } });
          done = true;
        } catch (error) {
          if (error instanceof CallError && error.error.code === 'conflict' && current) {
            toast({ kind: 'error', text: t('editor.conflict') });
            show(await client.call('projects.open', { projectId: current.project.id }));
            return;
          }
          throw error;
        } finally {
          setPending((list) => list.filter((entry) => entry.key !== key));
        }
      }).then(() => done);
    },
    [client, enqueue, setDoc, show, t, toast],
  );

  /** Moves the head locally at once, then persists it; puts it back if the host refuses. */
  const moveHead = useCallback(
    (change: (history: History) => History) =>
      void enqueue(async () => {
        const current = docRef.current;
        if (!current) return;
        const next = change(current.history);
        if (next.head === current.history.head && next.tip === current.history.tip) return;
        setDoc({ ...current, history: next });
        try {
          const saved = await client.call('projects.setHead', { projectId: current.project.id, head: next.head, tip: next.tip });
          const latest = docRef.current;
          if (latest && latest.project.id === current.project.id) setDoc({ ...latest, history: { ...latest.history, head: saved.head, tip: saved.tip } });
        } catch (error) {
          const latest = docRef.current;
          if (latest && latest.project.id === current.project.id) setDoc({ ...latest, history: current.history });
          throw error;
        }
      }),
    [client, enqueue, setDoc],
  );

  const undo = useCallback(() => {
    // The first step opens the photo: undoing past it would leave an empty canvas.
    moveHead((history) => {
      const head = history.head === null ? undefined : history.steps.get(history.head);
      return head && head.parentId !== null ? undoStep(history) : history;
    });
  }, [moveHead]);
  const redo = useCallback(() => moveHead(redoStep), [moveHead]);
  const jump = useCallback((id: StepId | null) => moveHead((history) => jumpTo(history, id)), [moveHead]);

  const openVersion = useCallback((projectId: number) => void openProject(projectId), [openProject]);

  const newVersion = useCallback(
    () =>
      void enqueue(async () => {
        const current = docRef.current;
        const base = current?.project.name.replace(/ \(v\d+\)$/, '') ?? undefined;
        const name = base ? t('editor.versionName', { name: base, n: versions.length + 1 }) : undefined;
        show(await client.call('projects.create', { photoId, ...(name ? { name: name.slice(0, 200) } : {}) }));
        await refreshVersions();
      }),
    [client, enqueue, photoId, refreshVersions, show, t, versions.length],
  );

  const reload = useCallback(() => {
    const current = docRef.current;
    void openProject(current?.project.id ?? initialProjectId);
  }, [initialProjectId, openProject]);

  const sync = useCallback(
    () =>
      enqueue(async () => {
        const current = docRef.current;
        if (!current) return;
        const state = await client.call('projects.open', { projectId: current.project.id });
        const latest = docRef.current;
        if (!latest || latest.project.id !== state.project.id) return;
        const same = state.steps.length === latest.history.steps.size && state.head === latest.history.head && state.tip === latest.history.tip;
        // Changes waiting in the queue stay pending: they commit after the new head.
        if (!same) setDoc({ project: state.project, history: historyOf(state.steps, state.head, state.tip) });
      }),
    [client, enqueue, setDoc],
  );

  const replayed = useMemo((): { stack: LayerStack | null; error: string | null } => {
    if (!doc) return { stack: null, error: null };
    try {
      return { stack: stackAt(doc.history, doc.project.width, doc.project.height, doc.history.head), error: null };
    } catch (error) {
      return { stack: null, error: errorMessage(error) };
    }
  }, [doc]);
  const headStack = replayed.stack;
  // A history that cannot be replayed (a step refers to a layer that is gone) is shown, not thrown.
  useEffect(() => {
    if (replayed.error) setLoad({ status: 'failed', message: replayed.error });
  }, [replayed.error]);

  const stack = useMemo(() => (headStack ? applyAll(headStack, pending.map((entry) => entry.op)) : null), [headStack, pending]);

  return { load, doc, versions, headStack, stack, busy, commit, undo, redo, jump, openVersion, newVersion, reload, sync };
}

/** Applies operations that still apply; one that no longer does (its layer went) is skipped. */
export function applyAll(stack: LayerStack, ops: readonly Operation[]): LayerStack {
  let result = stack;
  for (const op of ops) {
    try {
      result = applyOperation(result, op);
    } catch {
      // Shown as it will be once the host answers: the step will be refused.
    }
  }
  return result;
}
