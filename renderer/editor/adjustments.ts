/**
 * What the Adjustments panel shows for each kind: its parameters, their ranges (the same as the
 * contract's schemas), and the values a new layer starts with.
 */
import type { Adjustment, AdjustmentKind } from '../../shared/imaging/index.js';
import type { MessageKey } from '../../shared/i18n/index.js';

/** Every kind, in the order of the "Add adjustment" menu. */
export const ADJUSTMENT_KINDS: readonly AdjustmentKind[] = [
  'exposure',
  'brightness',
  'contrast',
  'saturation',
  'vibrance',
  'temperatureTint',
  'hue',
  'blackWhite',
  'sepia',
  'blur',
  'sharpen',
  'levels',
  'channelLevels',
  'curve',
];

export { KIND_NAME_KEYS } from '../../shared/document/labels.js';

/** The values a new adjustment layer starts with: neutral where that means anything. */
export function defaultAdjustment(kind: AdjustmentKind): Adjustment {
  switch (kind) {
    case 'exposure':
      return { kind, stops: 0 };
    case 'brightness':
    case 'contrast':
    case 'saturation':
    case 'vibrance':
      return { kind, amount: 0 };
    case 'temperatureTint':
      return { kind, temperature: 0, tint: 0 };
    case 'hue':
      return { kind, degrees: 0 };
    case 'blackWhite':
      return { kind };
    case 'sepia':
      return { kind, amount: 80 };
    case 'blur':
      return { kind, radius: 4 };
    case 'sharpen':
      return { kind, amount: 100, radius: 1 };
    case 'levels':
      return { kind, inBlack: 0, inWhite: 255, gamma: 1, outBlack: 0, outWhite: 255 };
    case 'curve':
      return {
        kind,
        points: [
          { x: 0, y: 0 },
          { x: 255, y: 255 },
        ],
      };
    case 'channelLevels':
      return { kind, redBlack: 0, redWhite: 255, redGamma: 1, greenBlack: 0, greenWhite: 255, greenGamma: 1, blueBlack: 0, blueWhite: 255, blueGamma: 1 };
  }
}

/** One slider of an adjustment. */
export interface ParamSpec {
  key: string;
  label: MessageKey;
  min: number;
  max: number;
  step: number;
  /** The neutral value a double-click returns to. */
  neutral: number;
  unit?: string;
  digits?: number;
}

const amount = (label: MessageKey): ParamSpec => ({ key: 'amount', label, min: -100, max: 100, step: 1, neutral: 0 });

/** The sliders of each kind; the curve has its own editor and black & white none. */
export const PARAMS: Record<AdjustmentKind, ParamSpec[]> = {
  exposure: [{ key: 'stops', label: 'adjust.param.stops', min: -5, max: 5, step: 0.05, neutral: 0, unit: 'EV', digits: 2 }],
  brightness: [amount('adjust.param.amount')],
  contrast: [amount('adjust.param.amount')],
  saturation: [amount('adjust.param.amount')],
  vibrance: [amount('adjust.param.amount')],
  temperatureTint: [
    { key: 'temperature', label: 'adjust.param.temperature', min: -100, max: 100, step: 1, neutral: 0 },
    { key: 'tint', label: 'adjust.param.tint', min: -100, max: 100, step: 1, neutral: 0 },
  ],
  hue: [{ key: 'degrees', label: 'adjust.param.degrees', min: -180, max: 180, step: 1, neutral: 0, unit: '°' }],
  blackWhite: [],
  sepia: [{ key: 'amount', label: 'adjust.param.amount', min: 0, max: 100, step: 1, neutral: 0, unit: '%' }],
  blur: [{ key: 'radius', label: 'adjust.param.radius', min: 0, max: 100, step: 0.5, neutral: 0, unit: 'px', digits: 1 }],
  sharpen: [
    { key: 'amount', label: 'adjust.param.amount', min: 0, max: 500, step: 5, neutral: 0, unit: '%' },
    { key: 'radius', label: 'adjust.param.radius', min: 0.1, max: 10, step: 0.1, neutral: 1, unit: 'px', digits: 1 },
  ],
  levels: [
    { key: 'inBlack', label: 'adjust.param.inBlack', min: 0, max: 254, step: 1, neutral: 0 },
    { key: 'inWhite', label: 'adjust.param.inWhite', min: 1, max: 255, step: 1, neutral: 255 },
    { key: 'gamma', label: 'adjust.param.gamma', min: 0.1, max: 10, step: 0.01, neutral: 1, digits: 2 },
    { key: 'outBlack', label: 'adjust.param.outBlack', min: 0, max: 255, step: 1, neutral: 0 },
    { key: 'outWhite', label: 'adjust.param.outWhite', min: 0, max: 255, step: 1, neutral: 255 },
  ],
  curve: [],
  channelLevels: (['red', 'green', 'blue'] as const).flatMap((channel): ParamSpec[] => [
    { key: `${channel}Black`, label: `adjust.param.${channel}Black`, min: 0, max: 254, step: 1, neutral: 0 },
    { key: `${channel}White`, label: `adjust.param.${channel}White`, min: 1, max: 255, step: 1, neutral: 255 },
    { key: `${channel}Gamma`, label: `adjust.param.${channel}Gamma`, min: 0.1, max: 10, step: 0.01, neutral: 1, digits: 2 },
  ]),
};

/** The adjustment with one parameter changed, kept valid (levels keep black below white). */
export function withParam(adjustment: Adjustment, key: string, value: number): Adjustment {
  const next = { ...adjustment, [key]: value } as Adjustment;
  if (next.kind === 'levels') {
    if (key === 'inBlack' && next.inBlack >= next.inWhite) next.inWhite = Math.min(255, next.inBlack + 1);
    if (key === 'inWhite' && next.inWhite <= next.inBlack) next.inBlack = Math.max(0, next.inWhite - 1);
  }
  if (next.kind === 'channelLevels') {
    const values = next as unknown as Record<string, number>;
    for (const channel of ['red', 'green', 'blue']) {
      const black = `${channel}Black`;
      const white = `${channel}White`;
      if (key === black && values[black]! >= values[white]!) values[white] = Math.min(255, values[black]! + 1);
      if (key === white && values[white]! <= values[black]!) values[black] = Math.max(0, values[white]! - 1);
    }
  }
  return next;
}

export function paramOf(adjustment: Adjustment, key: string): number {
  const value = (adjustment as unknown as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : 0;
}

/** A fresh id for a layer: the contract wants [A-Za-z0-9_-]{1,64}. */
export function newLayerId(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `l${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
