import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commit, historyOf, jump, pathTo, redo, stackAt, undo, type History } from '../../../shared/document/history.js';
import { applyOperation, emptyStack, InvalidOperation, replay, type LayerStack, type Operation, type Step } from '../../../shared/document/model.js';

const W = 600;
const H = 400;

/** Random operations that are valid for the stack they are applied to. */
function operationFor(stack: LayerStack, seed: number, n: number): Operation {
  const layers = stack.layers;
  const pick = layers[seed % Math.max(1, layers.length)];
  const choice = layers.length === 0 ? 0 : seed % 9;
  switch (choice) {
    case 0:
      return { type: 'addImageLayer', layerId: `L${n}`, name: `Layer ${n}`, sha256: 'a'.repeat(64), x: seed % 50, y: 0, width: W, height: H };
    case 1:
      return { type: 'addAdjustmentLayer', layerId: `L${n}`, name: 'Brightness', adjustment: { kind: 'brightness', amount: (seed % 201) - 100 } };
    case 2:
      return { type: 'setLayerProps', layerId: pick!.id, props: { opacity: (seed % 101) / 100, visible: seed % 2 === 0 } };
    case 3:
      return { type: 'moveLayer', layerId: pick!.id, toIndex: seed % 5 };
    case 4:
      return { type: 'duplicateLayer', layerId: pick!.id, newLayerId: `L${n}` };
    case 5:
      return pick!.mask
        ? { type: 'paintMask', layerId: pick!.id, stroke: { points: [{ x: seed % W, y: seed % H }], size: 20, hardness: 0.5, erase: seed % 3 === 0 } }
        : { type: 'addMask', layerId: pick!.id };
    case 6:
      return { type: 'setTransform', transform: { quarterTurns: seed % 4, flipHorizontal: seed % 2 === 1 } };
    case 7:
      return layers.length > 1 ? { type: 'deleteLayer', layerId: pick!.id } : { type: 'setLayerProps', layerId: pick!.id, props: { blendMode: 'multiply' } };
    default:
      return pick!.kind === 'adjustment'
        ? { type: 'setAdjustment', layerId: pick!.id, adjustment: { kind: 'contrast', amount: (seed % 201) - 100 } }
        : { type: 'setLayerProps', layerId: pick!.id, props: { name: `Renamed ${n}` } };
  }
}

/** Actions on a history: commit a new step, undo, redo, or jump to an earlier step. */
type Action = { kind: 'commit'; seed: number } | { kind: 'undo' } | { kind: 'redo' } | { kind: 'jump'; seed: number };
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.nat().map((seed) => ({ kind: 'commit' as const, seed })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'undo' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'redo' as const }) },
  { weight: 1, arbitrary: fc.nat().map((seed) => ({ kind: 'jump' as const, seed })) },
);

function run(actions: Action[]): { history: History; committed: Step[] } {
  let history = historyOf([], null);
  const committed: Step[] = [];
  actions.forEach((a, n) => {
    if (a.kind === 'commit') {
      const stack = stackAt(history, W, H, history.head);
      const step: Step = {
        id: `S${n}`,
        parentId: history.head,
        op: operationFor(stack, a.seed, n),
        label: `step ${n}`,
        createdAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
        outputSha256: null,
      };
      history = commit(history, step);
      committed.push(step);
    } else if (a.kind === 'undo') history = undo(history);
    else if (a.kind === 'redo') history = redo(history);
    else {
      const ids = [...history.steps.keys()];
      history = jump(history, ids.length ? ids[a.seed % ids.length]! : null);
    }
  });
  return { history, committed };
}

describe('the history tree', () => {
  it('replays the same stack whether the steps are applied at once or one by one', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const { history } = run(actions);
        const path = pathTo(history, history.head);
        let incremental = emptyStack(W, H);
        for (const step of path) incremental = applyOperation(incremental, step.op);
        expect(incremental).toEqual(replay(W, H, path.map((s) => s.op)));
        expect(stackAt(history, W, H, history.head)).toEqual(incremental);
      }),
      { numRuns: 300 },
    );
  });

  it('undo then redo is the identity', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const { history } = run(actions);
        if (history.head === null) return;
        const back = redo(undo(history));
        expect(back.head).toBe(history.head);
        expect(stackAt(back, W, H, back.head)).toEqual(stackAt(history, W, H, history.head));
      }),
      { numRuns: 300 },
    );
  });

  it('never loses a step: every committed step stays in the tree and reachable from the root', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 80 }), (actions) => {
        const { history, committed } = run(actions);
        expect(history.steps.size).toBe(committed.length);
        for (const step of committed) {
          expect(history.steps.get(step.id)).toBe(step);
          expect(pathTo(history, step.id)[0]!.parentId).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a new step after undo starts a branch, and redo returns along the branch last worked on', () => {
    const step = (id: string, parentId: string | null, amount: number): Step => ({
      id,
      parentId,
      op: parentId === null
        ? { type: 'addImageLayer', layerId: 'base', name: 'Photo', sha256: 'b'.repeat(64), x: 0, y: 0, width: W, height: H }
        : { type: 'addAdjustmentLayer', layerId: id, name: 'Brightness', adjustment: { kind: 'brightness', amount } },
      label: id,
      createdAt: `2026-01-01T00:00:0${id.length}Z`,
      outputSha256: null,
    });
    let h = historyOf([], null);
    h = commit(h, step('a', null, 0));
    h = commit(h, step('b', 'a', 10));
    h = commit(h, step('bc', 'b', 20));
    h = undo(undo(h));
    expect(h.head).toBe('a');
    h = redo(h);
    expect(h.head).toBe('b');
    h = undo(h);
    h = commit(h, step('d', 'a', -30)); // a branch: b → bc stays
    expect([...h.steps.keys()].sort()).toEqual(['a', 'b', 'bc', 'd']);
    expect(stackAt(h, W, H, h.head).layers.map((l) => l.id)).toEqual(['base', 'd']);
    h = jump(h, 'bc');
    expect(stackAt(h, W, H, h.head).layers.map((l) => l.id)).toEqual(['base', 'b', 'bc']);
    h = undo(undo(h));
    expect(redo(redo(h)).head).toBe('bc');
  });

  it('refuses operations that do not fit the stack', () => {
    const stack = emptyStack(W, H);
    expect(() => applyOperation(stack, { type: 'deleteLayer', layerId: 'nope' })).toThrow(InvalidOperation);
    const one = applyOperation(stack, { type: 'addAdjustmentLayer', layerId: 'x', name: 'B', adjustment: { kind: 'blackWhite' } });
    expect(() => applyOperation(one, { type: 'paintMask', layerId: 'x', stroke: { points: [], size: 1, hardness: 1, erase: false } })).toThrow(/no mask/);
    expect(() => applyOperation(one, { type: 'addAdjustmentLayer', layerId: 'x', name: 'B', adjustment: { kind: 'blackWhite' } })).toThrow(/already exists/);
  });
});

describe('rendering', () => {
  it('never hands back a source image’s own buffer, even for a single plain layer', async () => {
    const { renderStack } = await import('../../../shared/document/render.js');
    const source = { width: 4, height: 2, data: new Uint8ClampedArray(4 * 2 * 4).fill(200) };
    const stack = replay(4, 2, [{ type: 'addImageLayer', layerId: 'base', name: 'p', sha256: 'a'.repeat(64), x: 0, y: 0, width: 4, height: 2 }]);
    const { image } = renderStack(stack, () => source, { scale: 1 });
    expect(image.data).toEqual(source.data);
    expect(image.data.buffer).not.toBe(source.data.buffer);
  });
});
