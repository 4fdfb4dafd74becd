import { describe, expect, it } from 'vitest';
import {
  BLEND_MODES,
  applyAdjustment,
  applyAdjustmentLayer,
  compositeLayer,
  crop,
  featherMask,
  flip,
  invertMask,
  paintStroke,
  resizeBilinear,
  resizeMask,
  rotate90,
  rotateArbitrary,
} from '../../../shared/imaging/index.js';
import { EVERY_ADJUSTMENT, copyOf, noise } from './helpers.js';

describe('no function mutates its inputs or returns them', () => {
  const img = noise(19, 13, 21);
  const other = noise(19, 13, 22);
  const m = { width: 19, height: 13, data: noise(19, 13, 23).data.slice(0, 19 * 13) };
  const snapshot = () => [copyOf(img), copyOf(other), copyOf(m)];
  const calls: [string, () => { data: Uint8ClampedArray }][] = [
    ...EVERY_ADJUSTMENT.map((a) => [`applyAdjustment ${a.kind}`, () => applyAdjustment(img, a)] as [string, () => { data: Uint8ClampedArray }]),
    ...EVERY_ADJUSTMENT.map(
      (a) => [`applyAdjustmentLayer ${a.kind}`, () => applyAdjustmentLayer(img, a, { opacity: 0.6, mask: m, blendMode: 'overlay' })] as [string, () => { data: Uint8ClampedArray }],
    ),
    ...BLEND_MODES.map((mode) => [`compositeLayer ${mode}`, () => compositeLayer(img, other, { blendMode: mode, opacity: 0.8, mask: m })] as [string, () => { data: Uint8ClampedArray }]),
    ['crop', () => crop(img, { x: 2, y: 3, width: 19, height: 13 })],
    ['flip h', () => flip(img, 'horizontal')],
    ['flip v', () => flip(img, 'vertical')],
    ['rotate90', () => rotate90(img, 0)],
    ['rotate90 1', () => rotate90(img, 1)],
    ['rotateArbitrary', () => rotateArbitrary(img, 7)],
    ['resizeBilinear', () => resizeBilinear(img, 5, 40)],
    ['paintStroke', () => paintStroke(m, { points: [{ x: 1, y: 1 }, { x: 15, y: 9 }], size: 6, hardness: 0.4, erase: false })],
    ['featherMask', () => featherMask(m, 3)],
    ['invertMask', () => invertMask(m)],
    ['resizeMask', () => resizeMask(m, 7, 7)],
  ];
  for (const [name, call] of calls) {
    it(name, () => {
      const before = snapshot();
      const out = call();
      expect([img, other, m]).toEqual(before);
      expect(out.data).not.toBe(img.data);
      expect(out.data).not.toBe(m.data);
      expect(out.data).not.toBe(other.data);
    });
  }
});
