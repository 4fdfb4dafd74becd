/**
 * The document model: a project is a tree of steps; the layer stack is what replaying the steps
 * from the root to the head gives. Everything here is pure and fast.
 */
import type { Adjustment, BlendMode } from '../imaging/types.js';

export type StepId = string;
export type LayerId = string;

/** A brush or eraser stroke on a layer's mask, in document pixels. */
export interface MaskStroke {
  points: { x: number; y: number }[];
  size: number;
  hardness: number;
  erase: boolean;
}

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Document-wide geometry, applied after the layers are composited. */
export interface DocTransform {
  crop: CropRect | null;
  quarterTurns: number;
  straighten: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
}

export interface LayerMask {
  strokes: MaskStroke[];
  inverted: boolean;
  /** Feather radius in document pixels. */
  feather: number;
}

interface LayerBase {
  id: LayerId;
  name: string;
  visible: boolean;
  opacity: number;
  blendMode: BlendMode;
  mask: LayerMask | null;
}

export interface ImageLayer extends LayerBase {
  kind: 'image';
  /** Content hash of the stored image (a library photo or a stored output). */
  sha256: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Set on layers an AI edit made: what was asked, of whom, and the other results to swap in. */
  generated?: GeneratedBy;
}

/** Provenance of an AI-made layer: everything needed to explain (never to recompute) it. */
export interface GeneratedBy {
  provider: 'gemini' | 'local';
  model: string;
  prompt: string;
  /** Every result the edit returned; `sha256` of the layer is the chosen one. */
  variants: string[];
  references: string[];
  costUsd: number;
  /** The job that produced it. */
  jobId: string;
}

export interface AdjustmentLayer extends LayerBase {
  kind: 'adjustment';
  adjustment: Adjustment;
}

export type Layer = ImageLayer | AdjustmentLayer;

export interface LayerStack {
  width: number;
  height: number;
  /** Bottom first. */
  layers: Layer[];
  transform: DocTransform;
}

export type LayerProps = Partial<Pick<LayerBase, 'name' | 'visible' | 'opacity' | 'blendMode'>>;

/** One recorded change. Parameters only: pixels are referenced by content hash. */
export type Operation =
  | { type: 'addImageLayer'; layerId: LayerId; name: string; sha256: string; x: number; y: number; width: number; height: number }
  | { type: 'addAdjustmentLayer'; layerId: LayerId; name: string; adjustment: Adjustment }
  | { type: 'setAdjustment'; layerId: LayerId; adjustment: Adjustment }
  | { type: 'setLayerProps'; layerId: LayerId; props: LayerProps }
  | { type: 'moveLayer'; layerId: LayerId; toIndex: number }
  | { type: 'duplicateLayer'; layerId: LayerId; newLayerId: LayerId }
  | { type: 'deleteLayer'; layerId: LayerId }
  | { type: 'addMask'; layerId: LayerId }
  | { type: 'paintMask'; layerId: LayerId; stroke: MaskStroke }
  | { type: 'setMaskProps'; layerId: LayerId; inverted?: boolean; feather?: number }
  | { type: 'clearMask'; layerId: LayerId }
  | { type: 'deleteMask'; layerId: LayerId }
  | { type: 'setTransform'; transform: Partial<DocTransform> }
  | {
      type: 'aiEdit';
      layerId: LayerId;
      name: string;
      sha256: string;
      x: number;
      y: number;
      width: number;
      height: number;
      generated: GeneratedBy;
    }
  | { type: 'chooseVariant'; layerId: LayerId; sha256: string };

export type OperationType = Operation['type'];

export interface Step {
  id: StepId;
  parentId: StepId | null;
  op: Operation;
  label: string;
  createdAt: string;
  /** Set where the step stores pixels that cannot be recomputed. */
  outputSha256: string | null;
}

export const IDENTITY_TRANSFORM: DocTransform = {
  crop: null,
  quarterTurns: 0,
  straighten: 0,
  flipHorizontal: false,
  flipVertical: false,
};

export function emptyStack(width: number, height: number): LayerStack {
  return { width, height, layers: [], transform: IDENTITY_TRANSFORM };
}

/** Why an operation cannot apply to a stack (a layer that does not exist, say). */
export class InvalidOperation extends Error {
  override name = 'InvalidOperation';
}

/** Applies one operation; returns a new stack and never mutates the old one. */
export function applyOperation(stack: LayerStack, op: Operation): LayerStack {
  switch (op.type) {
    case 'addImageLayer':
      assertNewLayer(stack, op.layerId);
      return withLayers(stack, [
        ...stack.layers,
        { kind: 'image', id: op.layerId, name: op.name, sha256: op.sha256, x: op.x, y: op.y, width: op.width, height: op.height, ...layerDefaults() },
      ]);
    case 'addAdjustmentLayer':
      assertNewLayer(stack, op.layerId);
      return withLayers(stack, [...stack.layers, { kind: 'adjustment', id: op.layerId, name: op.name, adjustment: op.adjustment, ...layerDefaults() }]);
    case 'setAdjustment':
      return updateLayer(stack, op.layerId, (layer) => {
        if (layer.kind !== 'adjustment') throw new InvalidOperation(`Layer ${layer.name} is not an adjustment layer.`);
        return { ...layer, adjustment: op.adjustment };
      });
    case 'setLayerProps':
      return updateLayer(stack, op.layerId, (layer) => ({ ...layer, ...definedOnly(op.props) }));
    case 'moveLayer': {
      const from = indexOf(stack, op.layerId);
      const to = Math.max(0, Math.min(stack.layers.length - 1, op.toIndex));
      const layers = [...stack.layers];
      const [moved] = layers.splice(from, 1);
      layers.splice(to, 0, moved!);
      return withLayers(stack, layers);
    }
    case 'duplicateLayer': {
      assertNewLayer(stack, op.newLayerId);
      const index = indexOf(stack, op.layerId);
      const original = stack.layers[index]!;
      const copy: Layer = { ...original, id: op.newLayerId, name: `${original.name} copy` };
      const layers = [...stack.layers];
      layers.splice(index + 1, 0, copy);
      return withLayers(stack, layers);
    }
    case 'deleteLayer':
      indexOf(stack, op.layerId);
      return withLayers(
        stack,
        stack.layers.filter((layer) => layer.id !== op.layerId),
      );
    case 'addMask':
      return updateLayer(stack, op.layerId, (layer) => ({ ...layer, mask: layer.mask ?? { strokes: [], inverted: false, feather: 0 } }));
    case 'paintMask':
      return updateMask(stack, op.layerId, (mask) => ({ ...mask, strokes: [...mask.strokes, op.stroke] }));
    case 'setMaskProps':
      return updateMask(stack, op.layerId, (mask) => ({
        ...mask,
        inverted: op.inverted ?? mask.inverted,
        feather: op.feather ?? mask.feather,
      }));
    case 'clearMask':
      return updateMask(stack, op.layerId, (mask) => ({ ...mask, strokes: [] }));
    case 'deleteMask':
      return updateLayer(stack, op.layerId, (layer) => ({ ...layer, mask: null }));
    case 'setTransform':
      return { ...stack, transform: { ...stack.transform, ...definedOnly(op.transform) } };
    case 'aiEdit':
      assertNewLayer(stack, op.layerId);
      return withLayers(stack, [
        ...stack.layers,
        {
          kind: 'image',
          id: op.layerId,
          name: op.name,
          sha256: op.sha256,
          x: op.x,
          y: op.y,
          width: op.width,
          height: op.height,
          generated: op.generated,
          ...layerDefaults(),
        },
      ]);
    case 'chooseVariant':
      return updateLayer(stack, op.layerId, (layer) => {
        if (layer.kind !== 'image' || !layer.generated?.variants.includes(op.sha256)) {
          throw new InvalidOperation(`That result is not one of ${layer.name}'s variants.`);
        }
        return { ...layer, sha256: op.sha256 };
      });
  }
}

/** Replays operations onto an empty stack of the given size. */
export function replay(width: number, height: number, ops: Iterable<Operation>): LayerStack {
  let stack = emptyStack(width, height);
  for (const op of ops) stack = applyOperation(stack, op);
  return stack;
}

function layerDefaults(): Pick<LayerBase, 'visible' | 'opacity' | 'blendMode' | 'mask'> {
  return { visible: true, opacity: 1, blendMode: 'normal', mask: null };
}

function withLayers(stack: LayerStack, layers: Layer[]): LayerStack {
  return { ...stack, layers };
}

function indexOf(stack: LayerStack, layerId: LayerId): number {
  const index = stack.layers.findIndex((layer) => layer.id === layerId);
  if (index < 0) throw new InvalidOperation(`There is no layer ${layerId}.`);
  return index;
}

function assertNewLayer(stack: LayerStack, layerId: LayerId): void {
  if (stack.layers.some((layer) => layer.id === layerId)) throw new InvalidOperation(`Layer ${layerId} already exists.`);
}

function updateLayer(stack: LayerStack, layerId: LayerId, change: (layer: Layer) => Layer): LayerStack {
  const index = indexOf(stack, layerId);
  const layers = [...stack.layers];
  layers[index] = change(layers[index]!);
  return withLayers(stack, layers);
}

function updateMask(stack: LayerStack, layerId: LayerId, change: (mask: LayerMask) => LayerMask): LayerStack {
  return updateLayer(stack, layerId, (layer) => {
    if (!layer.mask) throw new InvalidOperation(`Layer ${layer.name} has no mask.`);
    return { ...layer, mask: change(layer.mask) };
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
