/**
 * The label a person reads in the history panel for each step: "Brightness +20". The main
 * process stores the English label with every step (the CLI, XMP and exports use it); the
 * renderer passes its i18n `t` to word the same operation in the person's language.
 */
import { t as translate, type MessageKey, type MessageParams } from '../i18n/index.js';
import type { Adjustment, BlendMode } from '../imaging/types.js';
import type { LayerStack, Operation } from './model.js';

/** Words one message: the renderer's `t`, or English by default. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The i18n key of each blend mode's name. */
export const BLEND_KEYS: Record<BlendMode, MessageKey> = {
  normal: 'blend.normal',
  multiply: 'blend.multiply',
  screen: 'blend.screen',
  overlay: 'blend.overlay',
  softLight: 'blend.softLight',
  color: 'blend.color',
  luminosity: 'blend.luminosity',
};

/** The i18n key of each adjustment kind's name. */
export const KIND_NAME_KEYS: Record<Adjustment['kind'], MessageKey> = {
  exposure: 'adjust.kind.exposure',
  brightness: 'adjust.kind.brightness',
  contrast: 'adjust.kind.contrast',
  saturation: 'adjust.kind.saturation',
  vibrance: 'adjust.kind.vibrance',
  temperatureTint: 'adjust.kind.temperatureTint',
  hue: 'adjust.kind.hue',
  blackWhite: 'adjust.kind.blackWhite',
  sepia: 'adjust.kind.sepia',
  blur: 'adjust.kind.blur',
  sharpen: 'adjust.kind.sharpen',
  levels: 'adjust.kind.levels',
  curve: 'adjust.kind.curve',
  channelLevels: 'adjust.kind.channelLevels',
};

/** The stored English label names a blend mode by its id ("Blend mode softLight on …"). */
const BLEND_IDS = new Map<MessageKey, BlendMode>(Object.entries(BLEND_KEYS).map(([mode, key]) => [key, mode as BlendMode]));

/** The English templates of the stored labels. */
const english: Translate = (key, params) => BLEND_IDS.get(key) ?? translate('en', key, params);

const signed = (n: number, digits = 0) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(digits)}`;

export function describeAdjustment(adjustment: Adjustment, t: Translate = english): string {
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

/** Labels an operation, naming layers as the stack before it knows them. */
export function labelFor(op: Operation, before: LayerStack, t: Translate = english): string {
  const layerName = (id: string) => before.layers.find((layer) => layer.id === id)?.name ?? id;
  switch (op.type) {
    case 'addImageLayer':
      return before.layers.length === 0 ? t('step.open', { name: op.name }) : t('step.addLayer', { name: op.name });
    case 'addAdjustmentLayer':
      return t('step.add', { what: describeAdjustment(op.adjustment, t) });
    case 'setAdjustment':
      return describeAdjustment(op.adjustment, t);
    case 'setLayerProps': {
      const { props } = op;
      const name = layerName(op.layerId);
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
      // A rotation also resets or moves the crop, so it names the step.
      if (transform.quarterTurns !== undefined) return t('step.rotate', { n: transform.quarterTurns * 90 });
      if (transform.crop !== undefined)
        return transform.crop ? t('step.crop', { w: Math.round(transform.crop.width), h: Math.round(transform.crop.height) }) : t('step.removeCrop');
      if (transform.straighten !== undefined) return t('step.straighten', { n: signed(transform.straighten, 1) });
      if (transform.flipHorizontal !== undefined) return t('step.flipH');
      if (transform.flipVertical !== undefined) return t('step.flipV');
      return t('step.transform');
    }
  }
}
