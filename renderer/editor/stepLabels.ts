/**
 * Step labels in the person's language. The main process stores an English label with every
 * step (shared/document/labels.ts: the CLI, XMP and exports use it); the History panel words the
 * same operation through the same labelling with the i18n `t` instead, so a Chinese UI reads
 * Chinese. English shows the stored label itself.
 */
import type { History } from '../../shared/document/history.js';
import { labelFor, type Translate } from '../../shared/document/labels.js';
import { applyOperation, emptyStack, type LayerStack, type Step } from '../../shared/document/model.js';

/** Every step's label in the person's language (parents are always older than their children). */
export function stepLabels(history: History, width: number, height: number, t: Translate): Map<string, string> {
  const labels = new Map<string, string>();
  const after = new Map<string | null, LayerStack>([[null, emptyStack(width, height)]]);
  const ordered = [...history.steps.values()].sort(byCreation);
  for (const step of ordered) {
    const before = after.get(step.parentId);
    if (!before) continue;
    labels.set(step.id, labelFor(step.op, before, t));
    try {
      after.set(step.id, applyOperation(before, step.op));
    } catch {
      // A step that no longer applies keeps its stored label; its children do too.
    }
  }
  return labels;
}

function byCreation(a: Step, b: Step): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
