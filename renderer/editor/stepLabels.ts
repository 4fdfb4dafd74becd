/**
 * Step labels in the person's language. The main process stores an English label with every
 * step (shared/document/labels.ts: the CLI, XMP and exports use it); the History panel words the
 * same operation from the shared i18n tables instead, so a Chinese UI reads Chinese. English
 * shows the stored label itself.
 */
import type { History } from '../../shared/document/history.js';
import { applyOperation, emptyStack, type LayerStack, type Operation, type Step } from '../../shared/document/model.js';
import type { Adjustment, BlendMode } from '../../shared/imaging/index.js';
import type { MessageKey, MessageParams } from '../../shared/i18n/index.js';
import { KIND_NAME_KEYS } from './adjustments.js';

type Translate = (key: MessageKey, params?: MessageParams) => string;

const BLEND_KEYS: Record<BlendMode, MessageKey> = {
  normal: 'blend.normal',
  multiply: 'blend.multiply',
  screen: 'blend.screen',
  overlay: 'blend.overlay',
  softLight: 'blend.softLight',
  color: 'blend.color',
  luminosity: 'blend.luminosity',
};

const signed = (n: number, digits = 0) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(digits)}`;

export function describeAdjustmentIn(adjustment: Adjustment, t: Translate): string {
  const name = t(KIND_NAME_KEYS[adjustment.kind]);
  switch (adjustment.kind) {
    case 'exposure':
      return `${name} ${signed(adjustment.stops, 2)} EV`;
    case 'brightness':
    case 'contrast':
    case 'saturation':
    case 'vibrance':
      return `${name} ${signed(adjustment.amount)}`;
    case 'temperatureTint':
      return `${name} ${signed(adjustment.temperature)} / ${signed(adjustment.tint)}`;
    case 'hue':
      return `${name} ${signed(adjustment.degrees)}°`;
    case 'sepia':
    case 'sharpen':
      return `${name} ${adjustment.amount.toFixed(0)}%`;
    case 'blur':
      return `${name} ${adjustment.radius.toFixed(1)} px`;
    default:
      return name;
  }
}

/** The label of one operation, naming layers as the stack before it knows them. */
export function stepLabelIn(op: Operation, before: LayerStack, t: Translate): string {
  const layerName = (id: string) => before.layers.find((layer) => layer.id === id)?.name ?? id;
  switch (op.type) {
    case 'addImageLayer':
      return before.layers.length === 0 ? t('step.open', { name: op.name }) : t('step.addLayer', { name: op.name });
    case 'addAdjustmentLayer':
      return t('step.add', { what: describeAdjustmentIn(op.adjustment, t) });
    case 'setAdjustment':
      return describeAdjustmentIn(op.adjustment, t);
    case 'setLayerProps': {
      const name = layerName(op.layerId);
      const { props } = op;
      if (props.name !== undefined) return t('step.rename', { name, to: props.name });
      if (props.visible !== undefined) return t(props.visible ? 'step.show' : 'step.hide', { name });
      if (props.opacity !== undefined) return t('step.opacity', { name, n: Math.round(props.opacity * 100) });
      if (props.blendMode !== undefined) return t('step.blendMode', { name, mode: t(BLEND_KEYS[props.blendMode]) });
      return t('step.change', { name });
    }
    case 'moveLayer':
      return t('step.move', { name: layerName(op.layerId) });
    case 'duplicateLayer':
      return t('step.duplicate', { name: layerName(op.layerId) });
    case 'deleteLayer':
      return t('step.delete', { name: layerName(op.layerId) });
    case 'addMask':
      return t('step.addMask', { name: layerName(op.layerId) });
    case 'paintMask':
      return t(op.stroke.erase ? 'step.maskErased' : 'step.maskPainted', { name: layerName(op.layerId) });
    case 'setMaskProps':
      return op.inverted !== undefined
        ? t('step.invertMask', { name: layerName(op.layerId) })
        : t('step.featherMask', { name: layerName(op.layerId), n: op.feather ?? 0 });
    case 'clearMask':
      return t('step.clearMask', { name: layerName(op.layerId) });
    case 'deleteMask':
      return t('step.deleteMask', { name: layerName(op.layerId) });
    case 'aiEdit': {
      const prompt = op.generated.prompt.length > 60 ? `${op.generated.prompt.slice(0, 57)}…` : op.generated.prompt;
      return t(op.generated.provider === 'gemini' ? 'step.aiGemini' : 'step.aiLocal', { prompt });
    }
    case 'chooseVariant': {
      const layer = before.layers.find((l) => l.id === op.layerId);
      const index = layer?.kind === 'image' ? (layer.generated?.variants.indexOf(op.sha256) ?? -1) : -1;
      return t('step.chooseVariant', { n: index + 1, name: layerName(op.layerId) });
    }
    case 'setTransform': {
      const transform = op.transform;
      if (transform.crop !== undefined)
        return transform.crop ? t('step.crop', { w: Math.round(transform.crop.width), h: Math.round(transform.crop.height) }) : t('step.removeCrop');
      if (transform.quarterTurns !== undefined) return t('step.rotate', { n: transform.quarterTurns * 90 });
      if (transform.straighten !== undefined) return t('step.straighten', { n: signed(transform.straighten, 1) });
      if (transform.flipHorizontal !== undefined) return t('step.flipH');
      if (transform.flipVertical !== undefined) return t('step.flipV');
      return t('step.transform');
    }
  }
}

/** Every step's label in the person's language (parents are always older than their children). */
export function stepLabels(history: History, width: number, height: number, t: Translate): Map<string, string> {
  const labels = new Map<string, string>();
  const after = new Map<string | null, LayerStack>([[null, emptyStack(width, height)]]);
  const ordered = [...history.steps.values()].sort(byCreation);
  for (const step of ordered) {
    const before = after.get(step.parentId);
    if (!before) continue;
    labels.set(step.id, stepLabelIn(step.op, before, t));
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
