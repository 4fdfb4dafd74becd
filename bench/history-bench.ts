/**
 * Replaying a long history: a project of 500 steps as an editing session makes them (layers
 * added, sliders released, masks painted with many-point strokes, layer props, moves, transforms)
 * and the layer stack rebuilt from scratch with `stackAt` (pathTo + replay), as opening a project
 * or jumping in the history tree does. The baseline is a plain loop doing the same count of
 * object copies: `structuredClone` of the final stack, once per step.
 */
import { commit, historyOf, stackAt, type History } from '../shared/document/history.js';
import { labelFor } from '../shared/document/labels.js';
import { applyOperation, replay, type LayerStack, type Operation, type Step } from '../shared/document/model.js';
import type { Adjustment } from '../shared/imaging/types.js';
import { fmt, log, ms, prng, stats, type Reporter, type Stats } from './common.js';

export const REPLAY_TARGET_MS = 50;
const STEPS = 500;
const RUNS = 50;
const BASELINE_RUNS = 10;
const WIDTH = 6000;
const HEIGHT = 4000;

export interface BuiltHistory {
  history: History;
  ops: Operation[];
  final: LayerStack;
  counts: Record<string, number>;
  strokePoints: number;
  jsonBytes: number;
}

/** 500 steps of a plausible session (deterministic). Every operation is valid where it is applied. */
export function buildHistory(count = STEPS, seed = 500): BuiltHistory {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  let stack: LayerStack = { width: WIDTH, height: HEIGHT, layers: [], transform: { crop: null, quarterTurns: 0, straighten: 0, flipHorizontal: false, flipVertical: false } };
  let history = historyOf([], null);
  const ops: Operation[] = [];
  const counts: Record<string, number> = {};
  let strokePoints = 0;
  let nextLayer = 1;
  const adjustments: (() => Adjustment)[] = [
    () => ({ kind: 'brightness', amount: between(-60, 60) }),
    () => ({ kind: 'contrast', amount: between(-40, 60) }),
    () => ({ kind: 'saturation', amount: between(-50, 50) }),
    () => ({ kind: 'exposure', stops: between(-150, 150) / 100 }),
    () => ({ kind: 'temperatureTint', temperature: between(-50, 50), tint: between(-30, 30) }),
    () => ({ kind: 'vibrance', amount: between(-50, 80) }),
    () => ({ kind: 'curve', points: [{ x: 0, y: between(0, 20) }, { x: 64, y: between(40, 80) }, { x: 192, y: between(180, 220) }, { x: 255, y: between(235, 255) }] }),
    () => ({ kind: 'levels', inBlack: between(0, 30), inWhite: between(220, 255), gamma: between(80, 130) / 100, outBlack: 0, outWhite: 255 }),
  ];

  const push = (op: Operation) => {
    const step: Step = {
      id: `s${String(ops.length).padStart(4, '0')}${Math.floor(random() * 1e9).toString(16)}`,
      parentId: history.head,
      op,
      label: labelFor(op, stack),
      createdAt: new Date(Date.UTC(2025, 0, 1) + ops.length * 7_000).toISOString(),
      outputSha256: null,
    };
    stack = applyOperation(stack, op);
    history = commit(history, step);
    ops.push(op);
    counts[op.type] = (counts[op.type] ?? 0) + 1;
  };
  const sha = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');

  push({ type: 'addImageLayer', layerId: 'base', name: 'IMG_0001.jpg', sha256: sha(), x: 0, y: 0, width: WIDTH, height: HEIGHT });
  while (ops.length < count) {
    const adjustmentLayers = stack.layers.filter((layer) => layer.kind === 'adjustment');
    const masked = stack.layers.filter((layer) => layer.mask);
    const unmasked = stack.layers.filter((layer) => !layer.mask);
    const roll = random();
    if (roll < 0.08 || adjustmentLayers.length === 0) {
      const adjustment = pick(adjustments)();
      push({ type: 'addAdjustmentLayer', layerId: `layer${nextLayer++}`, name: adjustment.kind, adjustment });
    } else if (roll < 0.45) {
      // A slider released: the most common step.
      const layer = pick(adjustmentLayers);
      if (layer.kind !== 'adjustment') continue;
      const fresh = adjustments.map((make) => make()).find((a) => a.kind === layer.adjustment.kind)!;
      push({ type: 'setAdjustment', layerId: layer.id, adjustment: fresh });
    } else if (roll < 0.5 && unmasked.length > 0) {
      push({ type: 'addMask', layerId: pick(unmasked).id });
    } else if (roll < 0.7 && masked.length > 0) {
      // A brush stroke: a mouse drag sampled every few pixels, 20–200 points.
      const n = between(20, 200);
      let x = random() * WIDTH;
      let y = random() * HEIGHT;
      const points = Array.from({ length: n }, () => {
        x = Math.min(WIDTH, Math.max(0, x + (random() - 0.5) * 60));
        y = Math.min(HEIGHT, Math.max(0, y + (random() - 0.5) * 60));
        return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
      });
      strokePoints += n;
      push({ type: 'paintMask', layerId: pick(masked).id, stroke: { points, size: between(50, 600), hardness: between(0, 100) / 100, erase: random() < 0.2 } });
    } else if (roll < 0.74 && masked.length > 0) {
      push({ type: 'setMaskProps', layerId: pick(masked).id, feather: between(0, 80), inverted: random() < 0.2 });
    } else if (roll < 0.84) {
      const props = pick([{ opacity: between(20, 100) / 100 }, { visible: random() < 0.8 }, { blendMode: pick(['normal', 'multiply', 'screen', 'overlay', 'softLight'] as const) }, { name: `Layer ${between(1, 99)}` }]);
      push({ type: 'setLayerProps', layerId: pick(stack.layers).id, props });
    } else if (roll < 0.9 && stack.layers.length > 1) {
      push({ type: 'moveLayer', layerId: pick(stack.layers).id, toIndex: between(0, stack.layers.length - 1) });
    } else if (roll < 0.94) {
      push({
        type: 'setTransform',
        transform: pick([
          { straighten: between(-300, 300) / 100 },
          { crop: { x: between(0, 500), y: between(0, 400), width: between(4000, 5500), height: between(2600, 3600) } },
          { quarterTurns: between(0, 3) },
          { flipHorizontal: random() < 0.5 },
        ]),
      });
    } else if (roll < 0.96 && stack.layers.length < 40) {
      push({ type: 'duplicateLayer', layerId: pick(stack.layers).id, newLayerId: `layer${nextLayer++}` });
    } else if (roll < 0.97 && stack.layers.length > 3) {
      const layer = pick(stack.layers.slice(1));
      push({ type: 'deleteLayer', layerId: layer.id });
    } else if (roll < 0.99) {
      push({ type: 'addImageLayer', layerId: `layer${nextLayer++}`, name: 'pasted.png', sha256: sha(), x: between(0, 3000), y: between(0, 2000), width: between(500, 3000), height: between(500, 2000) });
    } else if (masked.length > 0) {
      push({ type: 'clearMask', layerId: pick(masked).id });
    }
  }
  return { history, ops, final: stack, counts, strokePoints, jsonBytes: JSON.stringify(ops).length };
}

/** A ratio readable at any size: 2.50x, 0.031x, 1/1800. */
function ratio(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 0.1) return `${fmt(value, 2)}x`;
  if (value >= 0.001) return `${fmt(value, 4)}x`;
  return `1/${Math.round(1 / value)}`;
}

function time(runs: number, body: () => unknown, warmup = 5): Stats {
  const samples: number[] = [];
  let sink: unknown;
  for (let i = 0; i < runs + warmup; i++) {
    const started = performance.now();
    sink = body();
    const elapsed = performance.now() - started;
    if (i >= warmup) samples.push(elapsed);
  }
  if (sink === undefined) throw new Error('nothing computed');
  return stats(samples);
}

export async function benchReplay(report: Reporter): Promise<unknown> {
  log(`E1. replay of a ${STEPS}-step history (${RUNS} runs)`);
  const built = buildHistory();
  const head = built.history.head;
  globalThis.gc?.();
  const fromScratch = time(RUNS, () => stackAt(built.history, WIDTH, HEIGHT, head));
  globalThis.gc?.();
  const replayOnly = time(RUNS, () => replay(WIDTH, HEIGHT, built.ops));
  globalThis.gc?.();
  // The final stack is large (every stroke's points), so this baseline is slow: fewer runs.
  const baseline = time(BASELINE_RUNS, () => {
    let last: LayerStack | null = null;
    for (let i = 0; i < STEPS; i++) last = structuredClone(built.final);
    return last;
  }, 1);
  globalThis.gc?.();
  // The same count of objects, each the size of what a step holds: structuredClone of each op.
  const perOp = time(RUNS, () => built.ops.map((op) => structuredClone(op)));
  // What opening a project also does: the history from stored JSON (as Projects.load parses it).
  const json = built.history.steps.size > 0 ? [...built.history.steps.values()].map((s) => ({ ...s, op: JSON.stringify(s.op) })) : [];
  globalThis.gc?.();
  const parsed = time(RUNS, () => stackAt(historyOf(json.map((s) => ({ ...s, op: JSON.parse(s.op) as Operation })), head), WIDTH, HEIGHT, head));
  // One more step on top of 500 (commit copies the step map).
  const extra: Step = { id: 'extra', parentId: head, op: { type: 'setLayerProps', layerId: 'base', props: { opacity: 0.9 } }, label: 'x', createdAt: new Date().toISOString(), outputSha256: null };
  const commitOne = time(RUNS, () => commit(built.history, extra));

  const masks = built.final.layers.filter((l) => l.mask).length;
  const strokes = built.final.layers.reduce((n, l) => n + (l.mask?.strokes.length ?? 0), 0);
  report.table(
    `E1. Replay of a ${STEPS}-step history (final stack: ${built.final.layers.length} layers, ${masks} masks holding ${strokes} strokes; ` +
      `${built.strokePoints.toLocaleString('en')} stroke points in all; ops JSON ${(built.jsonBytes / 1024).toFixed(0)} KB), ${RUNS} runs after 5 warm-up`,
    ['what', 'p50 ms', 'p95 ms', 'max ms', 'vs baseline p50'],
    [
      ['stackAt(history, head): pathTo + replay, from scratch', ms(fromScratch.p50), ms(fromScratch.p95), ms(fromScratch.max), ratio(fromScratch.p50 / baseline.p50)],
      ['replay(ops) alone', ms(replayOnly.p50), ms(replayOnly.p95), ms(replayOnly.max), ratio(replayOnly.p50 / baseline.p50)],
      ['JSON.parse of the 500 ops + historyOf + stackAt (opening)', ms(parsed.p50), ms(parsed.p95), ms(parsed.max), ratio(parsed.p50 / baseline.p50)],
      ['commit of step 501', ms(commitOne.p50), ms(commitOne.p95), ms(commitOne.max), '-'],
      [`baseline: structuredClone(final stack) × ${STEPS} (${BASELINE_RUNS} runs)`, ms(baseline.p50), ms(baseline.p95), ms(baseline.max), '1.00x'],
      [`baseline b: structuredClone of each of the ${STEPS} ops`, ms(perOp.p50), ms(perOp.p95), ms(perOp.max), ratio(perOp.p50 / baseline.p50)],
    ],
  );
  console.log(`  (steps by kind: ${Object.entries(built.counts).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  report.row(`replay: stackAt of ${STEPS} steps (p95)`, `p50 ${ms(fromScratch.p50)} / p95 ${ms(fromScratch.p95)} ms`, `< ${REPLAY_TARGET_MS} ms`, fromScratch.p95 < REPLAY_TARGET_MS);
  report.row(`replay: baseline structuredClone × ${STEPS} (p95)`, `p50 ${ms(baseline.p50)} / p95 ${ms(baseline.p95)} ms`);
  report.row('replay ratio (stackAt / baseline, p50)', ratio(fromScratch.p50 / baseline.p50));
  report.row(`replay ratio (stackAt / structuredClone of each op, p50)`, ratio(fromScratch.p50 / perOp.p50));
  return {
    steps: STEPS,
    runs: RUNS,
    finalLayers: built.final.layers.length,
    masks,
    strokes,
    strokePoints: built.strokePoints,
    opsJsonBytes: built.jsonBytes,
    counts: built.counts,
    targetMs: REPLAY_TARGET_MS,
    stackAt: fromScratch,
    replay: replayOnly,
    openFromJson: parsed,
    commitOne,
    baselineStructuredClone: baseline,
    baselineRuns: BASELINE_RUNS,
    baselineCloneEachOp: perOp,
  };
}
