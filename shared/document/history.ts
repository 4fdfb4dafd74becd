/**
 * The history tree. Undo moves the head to its parent; a new step after undo starts a branch and
 * the old branch stays. The tip remembers where redo leads.
 */
import { replay, type LayerStack, type Step, type StepId } from './model.js';

export interface History {
  steps: ReadonlyMap<StepId, Step>;
  head: StepId | null;
  /** The step redo walks towards: the end of the branch last worked on. */
  tip: StepId | null;
}

export function historyOf(steps: Iterable<Step>, head: StepId | null, tip: StepId | null = head): History {
  return { steps: new Map([...steps].map((step) => [step.id, step])), head, tip };
}

/** The steps from the root to `id`, root first. */
export function pathTo(history: Pick<History, 'steps'>, id: StepId | null): Step[] {
  const path: Step[] = [];
  const seen = new Set<StepId>();
  for (let cursor = id; cursor !== null; ) {
    const step = history.steps.get(cursor);
    if (!step) throw new Error(`The history refers to a missing step ${cursor}.`);
    if (seen.has(cursor)) throw new Error('The history has a cycle.');
    seen.add(cursor);
    path.push(step);
    cursor = step.parentId;
  }
  return path.reverse();
}

export function isAncestor(history: Pick<History, 'steps'>, ancestor: StepId | null, of: StepId | null): boolean {
  if (ancestor === null) return true;
  return pathTo(history, of).some((step) => step.id === ancestor);
}

export function childrenOf(history: Pick<History, 'steps'>, id: StepId | null): Step[] {
  return [...history.steps.values()].filter((step) => step.parentId === id).sort(byCreation);
}

/** The layer stack at the head. */
export function stackAt(history: Pick<History, 'steps'>, width: number, height: number, id: StepId | null): LayerStack {
  return replay(width, height, pathTo(history, id).map((step) => step.op));
}

/** Adds a step after the head; the head and tip move to it (a branch if the head had children). */
export function commit(history: History, step: Step): History {
  if (step.parentId !== history.head) throw new Error('A new step must follow the current head.');
  if (history.steps.has(step.id)) throw new Error(`Step ${step.id} already exists.`);
  const steps = new Map(history.steps);
  steps.set(step.id, step);
  return { steps, head: step.id, tip: step.id };
}

export function canUndo(history: History): boolean {
  return history.head !== null;
}

export function undo(history: History): History {
  if (history.head === null) return history;
  return { ...history, head: history.steps.get(history.head)!.parentId };
}

/** The step redo would move to: towards the tip when it lies ahead, else the newest child. */
export function redoTarget(history: History): StepId | null {
  if (history.tip !== null && history.tip !== history.head && isAncestor(history, history.head, history.tip)) {
    const path = pathTo(history, history.tip);
    const index = history.head === null ? -1 : path.findIndex((step) => step.id === history.head);
    return path[index + 1]?.id ?? null;
  }
  const children = childrenOf(history, history.head);
  return children[children.length - 1]?.id ?? null;
}

export function redo(history: History): History {
  const target = redoTarget(history);
  if (target === null) return history;
  const tip = history.tip !== null && isAncestor(history, target, history.tip) ? history.tip : target;
  return { ...history, head: target, tip };
}

/** Jumps to any step; the branch beyond it stays reachable by redo when the step lies on it. */
export function jump(history: History, id: StepId | null): History {
  if (id !== null && !history.steps.has(id)) throw new Error(`There is no step ${id}.`);
  const tip = history.tip !== null && isAncestor(history, id, history.tip) ? history.tip : id;
  return { ...history, head: id, tip };
}

function byCreation(a: Step, b: Step): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
