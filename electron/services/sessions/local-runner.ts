/**
 * How a session runs an instruction on the local engine. The session talks only to the small
 * `LocalRunner` interface, so the real engine (electron/services/local) plugs in through an
 * adapter, and tests run with the basic runner below.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Adjustment } from '../../../shared/imaging/types.js';
import type { Operation } from '../../../shared/document/model.js';
import type { ImageLocator } from '../export.js';
import type { Projects } from '../projects.js';

/** A step worked out but not committed: the operation, and the stored pixels it points at (raster steps). */
export interface LocalStep {
  op: Operation;
  outputSha256: string | null;
}

/**
 * The answer for one instruction on one project:
 * - `steps`: the steps to commit; the session commits them in one transaction together with the
 *   item's progress, so a crash never leaves half an instruction nor runs one twice;
 * - `stepIds`: the engine committed its steps itself (it must do so in one transaction);
 * - `refused`: what the engine cannot do, in a person's words.
 */
export type LocalOutcome = { steps: LocalStep[] } | { stepIds: string[] } | { refused: string };

export interface LocalRunner {
  apply(projectId: number, text: string, signal?: AbortSignal): Promise<LocalOutcome>;
  /** How many instructions may run at once (default: the CPU cores). */
  readonly concurrency?: number;
  /** Stops what the runner started (worker threads). */
  close?(): Promise<void>;
}

interface Rule {
  pattern: RegExp;
  build(match: RegExpExecArray, context: RuleContext): Promise<Operation[]> | Operation[];
}

interface RuleContext {
  projectId: number;
  projects: Projects;
  locateImage: ImageLocator;
}

function layerId(kind: string): string {
  return `${kind}-${randomBytes(4).toString('hex')}`;
}

function adjust(name: string, adjustment: Adjustment): Operation {
  return { type: 'addAdjustmentLayer', layerId: layerId(adjustment.kind), name, adjustment };
}

/** Black and white points from the photo's own histogram (0.5 % and 99.5 % of luminance). */
async function autoLevels(context: RuleContext): Promise<Operation> {
  const { stack } = context.projects.stackAtHead(context.projectId);
  const base = stack.layers.find((layer) => layer.kind === 'image');
  const file = base && base.kind === 'image' ? context.locateImage(base.sha256) : null;
  let inBlack = 0;
  let inWhite = 255;
  if (file) {
    const { data } = await sharp(file).rotate().resize(512, 512, { fit: 'inside' }).greyscale().raw().toBuffer({ resolveWithObject: true });
    const histogram = new Array<number>(256).fill(0);
    for (const value of data) histogram[value]!++;
    const cut = data.length * 0.005;
    let sum = 0;
    for (let v = 0; v < 256; v++) {
      sum += histogram[v]!;
      if (sum > cut) {
        inBlack = v;
        break;
      }
    }
    sum = 0;
    for (let v = 255; v >= 0; v--) {
      sum += histogram[v]!;
      if (sum > cut) {
        inWhite = v;
        break;
      }
    }
    if (inWhite - inBlack < 16) {
      inBlack = 0;
      inWhite = 255;
    }
  }
  return adjust('Auto levels', { kind: 'levels', inBlack: Math.min(inBlack, 254), inWhite: Math.max(inWhite, inBlack + 1), gamma: 1, outBlack: 0, outWhite: 255 });
}

function cropTo(ratioW: number, ratioH: number, context: RuleContext): Operation {
  const { stack } = context.projects.stackAtHead(context.projectId);
  const turned = stack.transform.quarterTurns % 2 === 1;
  const width = turned ? stack.height : stack.width;
  const height = turned ? stack.width : stack.height;
  const target = ratioW / ratioH;
  let cropWidth = width;
  let cropHeight = Math.round(width / target);
  if (cropHeight > height) {
    cropHeight = height;
    cropWidth = Math.round(height * target);
  }
  return {
    type: 'setTransform',
    transform: { crop: { x: Math.floor((width - cropWidth) / 2), y: Math.floor((height - cropHeight) / 2), width: Math.max(1, cropWidth), height: Math.max(1, cropHeight) } },
  };
}

function percent(match: RegExpExecArray, fallback: number): number {
  const value = match.groups?.['n'];
  return Math.max(1, Math.min(100, value ? Number(value) : fallback));
}

/** The instructions the basic runner understands, in English and Simplified Chinese. */
const RULES: Rule[] = [
  {
    pattern: /restore|old photo|fade|faded|修复|老照片|褪色/i,
    build: async (_m, context) => [await autoLevels(context), adjust('Restore detail', { kind: 'sharpen', amount: 60, radius: 1 })],
  },
  { pattern: /scratch|dust|denoise|noise|划痕|灰尘|降噪|噪点/i, build: () => [adjust('Denoise', { kind: 'blur', radius: 0.8 })] },
  { pattern: /(?:brighter|lighten|brighten)(?:\s+by\s+(?<n>\d{1,3})\s*%)?|调亮|提亮|亮一点/i, build: (m) => [adjust('Brighter', { kind: 'brightness', amount: percent(m, 15) })] },
  { pattern: /darker|darken|调暗|暗一点/i, build: (m) => [adjust('Darker', { kind: 'brightness', amount: -percent(m, 15) })] },
  { pattern: /more contrast|increase contrast|对比度/i, build: () => [adjust('More contrast', { kind: 'contrast', amount: 20 })] },
  { pattern: /black and white|black-and-white|greyscale|grayscale|黑白/i, build: () => [adjust('Black and white', { kind: 'blackWhite' })] },
  { pattern: /sepia|怀旧|复古/i, build: () => [adjust('Sepia', { kind: 'sepia', amount: 80 })] },
  { pattern: /warmer|暖一点|暖色/i, build: () => [adjust('Warmer', { kind: 'temperatureTint', temperature: 20, tint: 0 })] },
  { pattern: /cooler|冷一点|冷色/i, build: () => [adjust('Cooler', { kind: 'temperatureTint', temperature: -20, tint: 0 })] },
  { pattern: /more vivid|more saturat|鲜艳/i, build: () => [adjust('More vivid', { kind: 'saturation', amount: 20 })] },
  { pattern: /sharpen|sharper|锐化/i, build: () => [adjust('Sharpen', { kind: 'sharpen', amount: 80, radius: 1 })] },
  {
    pattern: /(?:crop(?:\s+it)?\s+to|裁成|裁剪为|裁剪成)\s*(?<w>\d{1,2})\s*[:：x×]\s*(?<h>\d{1,2})/i,
    build: (m, context) => [cropTo(Number(m.groups!['w']), Number(m.groups!['h']), context)],
  },
  { pattern: /rotate left|向左旋转|左转/i, build: (_m, context) => [{ type: 'setTransform', transform: { quarterTurns: (context.projects.stackAtHead(context.projectId).stack.transform.quarterTurns + 3) % 4 } }] },
  { pattern: /rotate right|向右旋转|右转/i, build: (_m, context) => [{ type: 'setTransform', transform: { quarterTurns: (context.projects.stackAtHead(context.projectId).stack.transform.quarterTurns + 1) % 4 } }] },
];

/** What the basic runner says no to, with the reason a person needs. */
const NEEDS_MORE: [RegExp, string][] = [
  [/colou?ri[sz]e|上色|着色/i, 'The local engine can’t colourize a photo; run this step with Gemini.'],
  [/background|背景/i, 'This build’s local engine has no subject mask yet, so it can’t work on the background alone; run this step with Gemini.'],
];

/**
 * A small parametric runner: adjustment layers and crops from plain instructions (auto levels
 * for "restore", a light blur for "remove dust", "crop to 4:5", "黑白"…). It stands in until the
 * full local engine is plugged in, and keeps sessions testable without it.
 */
export function createBasicLocalRunner(deps: { projects: Projects; locateImage: ImageLocator; concurrency?: number }): LocalRunner {
  return {
    concurrency: deps.concurrency ?? Math.max(1, os.availableParallelism()),
    async apply(projectId, text, signal) {
      const context: RuleContext = { projectId, projects: deps.projects, locateImage: deps.locateImage };
      for (const [pattern, reason] of NEEDS_MORE) if (pattern.test(text)) return { refused: reason };
      const ops: Operation[] = [];
      for (const rule of RULES) {
        const match = rule.pattern.exec(text);
        if (match) ops.push(...(await rule.build(match, context)));
        if (signal?.aborted) return { refused: 'Cancelled.' };
      }
      if (ops.length === 0) return { refused: `The local engine doesn’t understand “${text.length > 80 ? `${text.slice(0, 79)}…` : text}”; run it with Gemini.` };
      return { steps: ops.map((op) => ({ op, outputSha256: null })) };
    },
  };
}
