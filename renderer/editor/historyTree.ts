/**
 * The history tree as rows for the panel: the branch being worked on (root to tip) runs down the
 * left edge; every other branch is listed, indented, right after the step it forked from.
 */
import { pathTo, type History } from '../../shared/document/history.js';
import type { Step } from '../../shared/document/model.js';

export interface HistoryRow {
  step: Step;
  /** 0 on the current branch; deeper for side branches. */
  depth: number;
  /** On the path from the root to the head: what the picture is made of. */
  applied: boolean;
  /** After the head on the current branch: where redo leads. */
  ahead: boolean;
  isHead: boolean;
  /** First step of a side branch (drawn with a fork mark). */
  forks: boolean;
}

export function historyRows(history: History): HistoryRow[] {
  const applied = new Set(pathTo(history, history.head).map((step) => step.id));
  const current = new Set(pathTo(history, history.tip).map((step) => step.id));
  const rows: HistoryRow[] = [];
  // Depth-first with an explicit stack: histories can be thousands of steps long.
  const work: { step: Step; depth: number; forks: boolean }[] = [];
  const children = new Map<string | null, Step[]>();
  for (const step of history.steps.values()) {
    const list = children.get(step.parentId) ?? [];
    list.push(step);
    children.set(step.parentId, list);
  }
  for (const list of children.values()) list.sort(byCreation);
  const childrenOf = (id: string | null) => children.get(id) ?? [];
  const roots = childrenOf(null);
  const pushChildren = (children: Step[], depth: number) => {
    // The child that continues this line is visited last (after its side branches).
    const main = children.find((child) => current.has(child.id)) ?? children[children.length - 1];
    const queue: { step: Step; depth: number; forks: boolean }[] = [];
    for (const child of children) if (child !== main) queue.push({ step: child, depth: depth + 1, forks: true });
    if (main) queue.push({ step: main, depth, forks: false });
    for (let i = queue.length - 1; i >= 0; i--) work.push(queue[i]!);
  };
  pushChildren(roots, 0);
  // Roots other than the main one are branches too, but start at depth 1 already: fine.
  while (work.length > 0) {
    const { step, depth, forks } = work.pop()!;
    rows.push({
      step,
      depth,
      applied: applied.has(step.id),
      ahead: current.has(step.id) && !applied.has(step.id),
      isHead: step.id === history.head,
      forks,
    });
    pushChildren(childrenOf(step.id), depth);
  }
  return rows;
}

function byCreation(a: Step, b: Step): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
