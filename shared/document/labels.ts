/** The label a person reads in the history panel for each step: "Brightness +20". */
import type { Adjustment } from '../imaging/types.js';
import type { LayerStack, Operation } from './model.js';

const signed = (n: number, digits = 0) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(digits)}`;

export const ADJUSTMENT_NAMES: Record<Adjustment['kind'], string> = {
  exposure: 'Exposure',
  brightness: 'Brightness',
  contrast: 'Contrast',
  saturation: 'Saturation',
  vibrance: 'Vibrance',
  temperatureTint: 'Temperature & tint',
  hue: 'Hue',
  blackWhite: 'Black & white',
  sepia: 'Sepia',
  blur: 'Blur',
  sharpen: 'Sharpen',
  levels: 'Levels',
  curve: 'Tone curve',
  channelLevels: 'Channel levels',
};

export function describeAdjustment(adjustment: Adjustment): string {
  const name = ADJUSTMENT_NAMES[adjustment.kind];
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
      return `${name} ${adjustment.amount.toFixed(0)}%`;
    case 'blur':
      return `${name} ${adjustment.radius.toFixed(1)} px`;
    case 'sharpen':
      return `${name} ${adjustment.amount.toFixed(0)}%`;
    default:
      return name;
  }
}

/** Labels an operation, naming layers as the stack before it knows them. */
export function labelFor(op: Operation, before: LayerStack): string {
  const layerName = (id: string) => before.layers.find((layer) => layer.id === id)?.name ?? id;
  switch (op.type) {
    case 'addImageLayer':
      return before.layers.length === 0 ? `Open ${op.name}` : `Add layer ${op.name}`;
    case 'addAdjustmentLayer':
      return `Add ${describeAdjustment(op.adjustment)}`;
    case 'setAdjustment':
      return describeAdjustment(op.adjustment);
    case 'setLayerProps': {
      const { props } = op;
      const name = layerName(op.layerId);
      if (props.name !== undefined) return `Rename ${name} to ${props.name}`;
      if (props.visible !== undefined) return `${props.visible ? 'Show' : 'Hide'} ${name}`;
      if (props.opacity !== undefined) return `Opacity ${Math.round(props.opacity * 100)}% on ${name}`;
      if (props.blendMode !== undefined) return `Blend mode ${props.blendMode} on ${name}`;
      return `Change ${name}`;
    }
    case 'moveLayer':
      return `Move ${layerName(op.layerId)}`;
    case 'duplicateLayer':
      return `Duplicate ${layerName(op.layerId)}`;
    case 'deleteLayer':
      return `Delete ${layerName(op.layerId)}`;
    case 'addMask':
      return `Add mask to ${layerName(op.layerId)}`;
    case 'paintMask':
      return `Mask ${op.stroke.erase ? 'erased' : 'painted'} on ${layerName(op.layerId)}`;
    case 'setMaskProps':
      return op.inverted !== undefined ? `Invert mask on ${layerName(op.layerId)}` : `Feather mask ${op.feather ?? 0} px on ${layerName(op.layerId)}`;
    case 'clearMask':
      return `Clear mask on ${layerName(op.layerId)}`;
    case 'deleteMask':
      return `Delete mask on ${layerName(op.layerId)}`;
    case 'aiEdit':
      return `${op.generated.provider === 'gemini' ? 'Gemini' : 'Local'}: “${op.generated.prompt.length > 60 ? `${op.generated.prompt.slice(0, 57)}…` : op.generated.prompt}”`;
    case 'chooseVariant': {
      const layer = before.layers.find((l) => l.id === op.layerId);
      const index = layer?.kind === 'image' ? (layer.generated?.variants.indexOf(op.sha256) ?? -1) : -1;
      return `Choose result ${index + 1} on ${layerName(op.layerId)}`;
    }
    case 'setTransform': {
      const t = op.transform;
      // A rotation also resets or moves the crop, so it names the step.
      if (t.quarterTurns !== undefined) return `Rotate to ${t.quarterTurns * 90}°`;
      if (t.crop !== undefined) return t.crop ? `Crop to ${Math.round(t.crop.width)}×${Math.round(t.crop.height)}` : 'Remove crop';
      if (t.straighten !== undefined) return `Straighten ${signed(t.straighten, 1)}°`;
      if (t.flipHorizontal !== undefined) return 'Flip horizontal';
      if (t.flipVertical !== undefined) return 'Flip vertical';
      return 'Transform';
    }
  }
}
