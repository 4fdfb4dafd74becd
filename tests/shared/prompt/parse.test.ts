import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdjustmentSchema } from '../../../shared/contract/document.js';
import { IDENTITY_TRANSFORM } from '../../../shared/document/model.js';
import { chineseNumber, planInstruction, resolveTransform, type LocalAction, type LocalPlan, type RefusalCode } from '../../../shared/prompt/index.js';

/** A compact, readable description of an action: "brightness 20", "rotate 3", "raster denoise". */
function describeAction(action: LocalAction): string {
  switch (action.kind) {
    case 'adjustment': {
      const a = action.adjustment;
      switch (a.kind) {
        case 'brightness':
        case 'contrast':
        case 'saturation':
        case 'vibrance':
          return `${a.kind} ${a.amount}`;
        case 'exposure':
          return `exposure ${a.stops}`;
        case 'temperatureTint':
          return `temperature ${a.temperature}`;
        case 'hue':
          return `hue ${a.degrees}`;
        case 'sepia':
          return `sepia ${a.amount}`;
        case 'sharpen':
          return `sharpen ${a.amount}`;
        case 'blur':
          return `blur ${a.radius}`;
        case 'curve':
          return `curve ${action.name}`;
        default:
          return a.kind;
      }
    }
    case 'transform': {
      const t = action.transform;
      if (t.type === 'rotate') return `rotate ${t.quarterTurns}`;
      if (t.type === 'flip') return `flip ${t.direction}`;
      if (t.type === 'cropAspect') return `crop ${t.width}:${t.height}`;
      return `straighten ${t.degrees}`;
    }
    case 'auto':
      return `auto ${action.op}`;
    case 'raster':
      return `raster ${action.op}`;
  }
}

function actionsOf(plan: LocalPlan): string[] {
  if (plan.refused) throw new Error(`refused (${plan.code}): ${plan.reason.en}`);
  return plan.actions.map(describeAction);
}

const RESTORE = ['raster denoise', 'raster removeDefects', 'auto autoLevels', 'auto removeColourCast', 'auto fixFade', 'sharpen 80'];
const FADE = ['auto autoLevels', 'auto removeColourCast', 'auto fixFade'];

/** Instructions the local engine understands, and what it makes of each. */
const UNDERSTOOD: [string, string[]][] = [
  // Brightness and exposure, with intensity words and numbers.
  ['brighter by 20%', ['brightness 20']],
  ['brighter', ['brightness 25']],
  ['a little brighter', ['brightness 13']],
  ['much brighter', ['brightness 50']],
  ['make it darker', ['brightness -25']],
  ['slightly darker', ['brightness -13']],
  ['brightness -30', ['brightness -30']],
  ['reduce the brightness by 10%', ['brightness -10']],
  ['too dark', ['brightness 25']],
  ['increase exposure by 1 stop', ['exposure 1']],
  ['brighter by 1 stop', ['exposure 1']],
  ['exposure -0.5', ['exposure -0.5']],
  // Contrast, colour, tone.
  ['more contrast', ['contrast 25']],
  ['less contrast', ['contrast -25']],
  ['contrast +40%', ['contrast 40']],
  ['a lot more contrast', ['contrast 50']],
  ['make it pop', ['contrast 25']],
  ['black and white', ['blackWhite']],
  ['b&w', ['blackWhite']],
  ['convert to grayscale', ['blackWhite']],
  ['monochrome please', ['blackWhite']],
  ['sepia', ['sepia 80']],
  ['a little sepia', ['sepia 48']],
  ['make it look vintage', ['sepia 80']],
  ['warmer', ['temperature 25']],
  ['cooler', ['temperature -25']],
  ['warm it up a bit', ['temperature 13']],
  ['cool it down', ['temperature -25']],
  ['too warm', ['temperature -25']],
  ['much warmer', ['temperature 50']],
  ['less warm', ['temperature -25']],
  ['more saturated', ['saturation 25']],
  ['less saturated', ['saturation -25']],
  ['desaturate', ['saturation -25']],
  ['more colourful', ['saturation 25']],
  ['vibrance +30', ['vibrance 30']],
  ['hue shift 30 degrees', ['hue 30']],
  ['invert', ['curve Invert']],
  ['lift the shadows', ['curve Lift shadows']],
  ['recover the highlights', ['curve Recover highlights']],
  // Sharpness.
  ['sharpen', ['sharpen 80']],
  ['sharpen a lot', ['sharpen 160']],
  ['slightly sharper', ['sharpen 40']],
  ['less blurry', ['sharpen 80']],
  ['blur', ['blur 4']],
  ['slightly blur', ['blur 2']],
  ['blur 3px', ['blur 3']],
  ['it is a bit blurry', ['sharpen 40']],
  ['out of focus', ['sharpen 80']],
  ['the photo is a bit dark', ['brightness 13']],
  ['it looks too bright', ['brightness -25']],
  // Geometry.
  ['crop to 4:5', ['crop 4:5']],
  ['crop square', ['crop 1:1']],
  ['crop to 16:9', ['crop 16:9']],
  ['crop it 3 by 2', ['crop 3:2']],
  ['rotate left', ['rotate 3']],
  ['rotate right', ['rotate 1']],
  ['rotate 90 degrees clockwise', ['rotate 1']],
  ['rotate 180', ['rotate 2']],
  ['turn it upside down', ['rotate 2']],
  ['rotate 90° counterclockwise', ['rotate 3']],
  ['rotate 3 degrees', ['straighten 3']],
  ['flip horizontally', ['flip horizontal']],
  ['mirror', ['flip horizontal']],
  ['flip vertically', ['flip vertical']],
  ['straighten', ['auto autoStraighten']],
  ['level the horizon', ['auto autoStraighten']],
  ['straighten by 2 degrees', ['straighten 2']],
  // Restoration and raster edits.
  ['denoise', ['raster denoise']],
  ['reduce noise a lot', ['raster denoise']],
  ['remove the grain', ['raster denoise']],
  ['remove jpeg artifacts', ['raster denoise']],
  ['remove scratches and dust', ['raster removeDefects']],
  ['remove the dust', ['raster removeDefects']],
  ['fix the scratches', ['raster removeDefects']],
  ['fix the faded colours', FADE],
  ['restore the colors', FADE],
  ['it looks washed out', FADE],
  ['remove the yellow cast', ['auto removeColourCast']],
  ['white balance', ['auto removeColourCast']],
  ['too yellow', ['auto removeColourCast']],
  ['auto levels', ['auto autoLevels', 'auto removeColourCast']],
  ['enhance', ['auto autoLevels', 'auto removeColourCast']],
  ['restore this photo', RESTORE],
  ['restore this old photo', RESTORE],
  ['repair this old picture', RESTORE],
  ['restore this photo and remove the scratches', RESTORE],
  ['upscale 2x', ['raster upscale2x']],
  ['enlarge', ['raster upscale2x']],
  ['double the resolution', ['raster upscale2x']],
  // Combinations, in the order asked.
  ['brighter and more contrast', ['brightness 25', 'contrast 25']],
  ['brighter, then crop to 1:1, then rotate right', ['brightness 25', 'crop 1:1', 'rotate 1']],
  ['black & white and sharpen', ['blackWhite', 'sharpen 80']],
  ['warmer and a little more contrast', ['temperature 25', 'contrast 13']],
  ['denoise, then sharpen slightly', ['raster denoise', 'sharpen 40']],
  // Simplified Chinese.
  ['调亮一点', ['brightness 13']],
  ['调暗', ['brightness -25']],
  ['亮很多', ['brightness 50']],
  ['亮度降低20%', ['brightness -20']],
  ['百分之二十亮一点', ['brightness 20']],
  ['调亮20%', ['brightness 20']],
  ['曝光增加1档', ['exposure 1']],
  ['增加对比度', ['contrast 25']],
  ['降低对比度', ['contrast -25']],
  ['对比度+30', ['contrast 30']],
  ['黑白', ['blackWhite']],
  ['转成黑白', ['blackWhite']],
  ['棕褐色', ['sepia 80']],
  ['复古', ['sepia 80']],
  ['暖一点', ['temperature 13']],
  ['冷一点', ['temperature -13']],
  ['太冷了', ['temperature 25']],
  ['饱和度降低20%', ['saturation -20']],
  ['颜色鲜艳一点', ['saturation 13']],
  ['提亮阴影', ['curve Lift shadows']],
  ['锐化', ['sharpen 80']],
  ['稍微锐化一下', ['sharpen 40']],
  ['更清晰', ['sharpen 80']],
  ['模糊一点', ['blur 2']],
  ['照片有点模糊', ['sharpen 40']],
  ['画面有点暗', ['brightness 13']],
  ['太亮了', ['brightness -25']],
  ['亮度加20', ['brightness 20']],
  ['对比度减10', ['contrast -10']],
  ['去掉划痕和灰尘，然后调亮一点', ['raster removeDefects', 'brightness 13']],
  ['降噪', ['raster denoise']],
  ['去噪点', ['raster denoise']],
  ['去除噪点', ['raster denoise']],
  ['去除灰尘和划痕', ['raster removeDefects']],
  ['修复划痕', ['raster removeDefects']],
  ['修复老照片', RESTORE],
  ['翻新这张照片', RESTORE],
  ['修复褪色', FADE],
  ['照片发黄了', FADE],
  ['去偏色', ['auto removeColourCast']],
  ['整体偏蓝', ['auto removeColourCast']],
  ['白平衡', ['auto removeColourCast']],
  ['自动色阶', ['auto autoLevels', 'auto removeColourCast']],
  ['裁剪为4:5', ['crop 4:5']],
  ['裁剪成16:9', ['crop 16:9']],
  ['裁成正方形', ['crop 1:1']],
  ['向左旋转', ['rotate 3']],
  ['顺时针旋转90度', ['rotate 1']],
  ['逆时针旋转九十度', ['rotate 3']],
  ['旋转180度', ['rotate 2']],
  ['逆时针旋转3度', ['straighten -3']],
  ['水平翻转', ['flip horizontal']],
  ['上下翻转', ['flip vertical']],
  ['镜像', ['flip horizontal']],
  ['拉直', ['auto autoStraighten']],
  ['放大两倍', ['raster upscale2x']],
  ['调亮一点并且锐化', ['brightness 13', 'sharpen 80']],
  ['把照片调亮，然后增加对比度', ['brightness 25', 'contrast 25']],
  // Mixed languages, emoji, case and spacing.
  ['brighter 一点', ['brightness 13']],
  ['调亮 and sharpen', ['brightness 25', 'sharpen 80']],
  ['make it 黑白', ['blackWhite']],
  ['brighter please 🙏', ['brightness 25']],
  ['☀️ brighter ☀️', ['brightness 25']],
  ['  BRIGHTER  ', ['brightness 25']],
];

/** Instructions it must refuse, why, and whether Gemini could do them instead. */
const REFUSED: [string, RefusalCode, boolean][] = [
  ['', 'empty', false],
  ['   ', 'empty', false],
  ['\n\t', 'empty', false],
  ['😀😀😀', 'noWords', false],
  ['!!!', 'noWords', false],
  ['add a dog', 'addObjects', true],
  ['add a rainbow in the sky', 'addObjects', true],
  ['brighter and add a hat', 'addObjects', true],
  ['加一只猫', 'addObjects', true],
  ['put the cat on a beach', 'scene', true],
  ['把猫放到沙滩上', 'scene', true],
  ['🐱 on a beach', 'scene', true],
  ['turn it into a van gogh painting', 'scene', true],
  ['change the background to a beach', 'scene', true],
  ['replace the sky with a sunset', 'scene', true],
  ['make it look like a dream', 'scene', true],
  ['换成油画风格', 'scene', true],
  ['make her smile', 'faces', true],
  ['make him look younger', 'faces', true],
  ['remove the wrinkles', 'faces', true],
  ['让她笑一下', 'faces', true],
  ['write Happy Birthday at the top', 'text', true],
  ['add the text hello', 'text', true],
  ['写上生日快乐', 'text', true],
  ['remove the person on the left', 'removeObjects', true],
  ['erase the car', 'removeObjects', true],
  ['去掉路人', 'removeObjects', true],
  ['make the sky bluer', 'region', true],
  ['make the background darker', 'region', true],
  ['天空调蓝一点', 'region', true],
  ['blur the background', 'subjectMask', true],
  ['虚化背景', 'subjectMask', true],
  ['把背景虚化', 'subjectMask', true],
  ['remove the background', 'subjectMask', true],
  ['去掉背景', 'subjectMask', true],
  ['抠图', 'subjectMask', true],
  ['upscale 4x', 'upscaleFactor', false],
  ['undo', 'history', false],
  ['crop', 'unknown', false],
  ['asdfgh', 'unknown', true],
  ['add grain', 'unknown', true],
  ['brighter '.repeat(200), 'tooLong', true],
  ['x'.repeat(100_000), 'tooLong', false],
];

describe('the local instruction grammar', () => {
  it('has a table of at least 100 English and Chinese phrasings, including refusals', () => {
    expect(UNDERSTOOD.length + REFUSED.length).toBeGreaterThanOrEqual(100);
    expect(UNDERSTOOD.filter(([text]) => /[\u4e00-\u9fff]/.test(text)).length).toBeGreaterThanOrEqual(40);
  });

  it.each(UNDERSTOOD)('understands %j', (text, expected) => {
    expect(actionsOf(planInstruction(text))).toEqual(expected);
  });

  const label = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}… (${text.length.toLocaleString('en')} characters)` : text);
  it.each(REFUSED.map(([text, code, cloudable]) => ({ text, code, cloudable, label: label(text) })))('refuses $label ($code), cloud: $cloudable', ({ text, code, cloudable }) => {
    const plan = planInstruction(text);
    expect(plan.refused).toBe(true);
    if (!plan.refused) return;
    expect(plan.code).toBe(code);
    expect(plan.cloudable).toBe(cloudable);
    expect(plan.reason.en.length).toBeGreaterThan(10);
    expect(plan.reason.zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('says plainly what it cannot do and offers the cloud', () => {
    const plan = planInstruction('add a dragon on the roof');
    expect(plan).toMatchObject({ refused: true, code: 'addObjects', cloudable: true });
    if (plan.refused) {
      expect(plan.reason.en).toBe("The local engine can't add objects. Send it to Gemini when online?");
      expect(plan.reason.zh).toBe('本地引擎不能添加物体；联网后交给 Gemini 处理吗？');
    }
    const region = planInstruction('make the sky brighter');
    expect(region.refused && region.reason.en).toContain('“sky”');
  });

  it('blurs or removes the background once a subject mask is available', () => {
    const plan = planInstruction('blur the background a lot', { capabilities: { subjectMask: true } });
    expect(plan.refused).toBe(false);
    if (!plan.refused) expect(plan.actions[0]).toMatchObject({ kind: 'raster', op: 'blurBackground', params: { strength: 2 } });
  });

  it('marks restoration sub-steps optional, and one asked for by name as not', () => {
    const restore = planInstruction('restore this photo');
    const withScratches = planInstruction('restore this photo and remove the scratches');
    if (restore.refused || withScratches.refused) throw new Error('refused');
    expect(restore.actions.filter((a) => a.kind === 'raster').every((a) => a.kind === 'raster' && a.optional)).toBe(true);
    expect(withScratches.actions.find((a) => a.kind === 'raster' && a.op === 'removeDefects')).toMatchObject({ optional: false });
  });

  it('reads Chinese numerals with units', () => {
    expect(chineseNumber('二十五')).toBe(25);
    expect(chineseNumber('一百八十')).toBe(180);
    expect(chineseNumber('十')).toBe(10);
    expect(chineseNumber('两')).toBe(2);
    expect(Number.isNaN(chineseNumber('一点'))).toBe(true);
  });

  it('never throws, and every plan is either valid adjustments or a refusal in both languages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200, unit: 'binary' }), fc.string({ maxLength: 50, unit: 'grapheme' }), fc.constantFrom(...UNDERSTOOD.map(([t]) => t))), (text) => {
        const plan = planInstruction(text);
        if (plan.refused) {
          expect(plan.reason.en).not.toBe('');
          expect(plan.reason.zh).not.toBe('');
          return;
        }
        expect(plan.actions.length).toBeGreaterThan(0);
        for (const action of plan.actions) {
          if (action.kind === 'adjustment') expect(AdjustmentSchema.safeParse(action.adjustment).success).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads a 100,000-character prompt in milliseconds', () => {
    const started = performance.now();
    planInstruction('brighter and more contrast '.repeat(4000));
    planInstruction('调亮'.repeat(50_000));
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('is deterministic', () => {
    for (const [text] of UNDERSTOOD) expect(planInstruction(text)).toEqual(planInstruction(text));
  });
});

describe('geometry intents', () => {
  const size = { width: 600, height: 400 };

  it('crops to the largest centred rectangle of the asked shape', () => {
    expect(resolveTransform({ type: 'cropAspect', width: 4, height: 5 }, size, IDENTITY_TRANSFORM)).toEqual({ crop: { x: 140, y: 0, width: 320, height: 400 } });
    expect(resolveTransform({ type: 'cropAspect', width: 16, height: 9 }, size, IDENTITY_TRANSFORM)).toEqual({ crop: { x: 0, y: 31, width: 600, height: 338 } });
    expect(resolveTransform({ type: 'cropAspect', width: 3, height: 2 }, size, IDENTITY_TRANSFORM)).toBeNull();
  });

  it('crops a rotated photo in its rotated frame, inside an existing crop', () => {
    const rotated = { ...IDENTITY_TRANSFORM, quarterTurns: 1 };
    expect(resolveTransform({ type: 'cropAspect', width: 1, height: 1 }, size, rotated)).toEqual({ crop: { x: 0, y: 100, width: 400, height: 400 } });
    const cropped = { ...IDENTITY_TRANSFORM, crop: { x: 100, y: 0, width: 400, height: 400 } };
    expect(resolveTransform({ type: 'cropAspect', width: 2, height: 1 }, size, cropped)).toEqual({ crop: { x: 100, y: 100, width: 400, height: 200 } });
  });

  it('turns relative to the current orientation and carries the crop along', () => {
    const cropped = { ...IDENTITY_TRANSFORM, crop: { x: 0, y: 0, width: 100, height: 50 } };
    // Clockwise: the top-left corner of a 600×400 image goes to the top-right of the 400×600 one.
    expect(resolveTransform({ type: 'rotate', quarterTurns: 1 }, size, cropped)).toEqual({ quarterTurns: 1, crop: { x: 350, y: 0, width: 50, height: 100 } });
    expect(resolveTransform({ type: 'rotate', quarterTurns: 3 }, size, { ...IDENTITY_TRANSFORM, quarterTurns: 3 })).toEqual({ quarterTurns: 2 });
  });

  it('flips as seen on screen, also on a sideways photo', () => {
    expect(resolveTransform({ type: 'flip', direction: 'horizontal' }, size, IDENTITY_TRANSFORM)).toEqual({ flipHorizontal: true });
    expect(resolveTransform({ type: 'flip', direction: 'horizontal' }, size, { ...IDENTITY_TRANSFORM, quarterTurns: 1 })).toEqual({ flipVertical: true });
  });

  it('adds to the straighten angle within ±45°', () => {
    expect(resolveTransform({ type: 'straighten', degrees: 2 }, size, { ...IDENTITY_TRANSFORM, straighten: 1.5 })).toEqual({ straighten: 3.5 });
    expect(resolveTransform({ type: 'straighten', degrees: 60 }, size, IDENTITY_TRANSFORM)).toEqual({ straighten: 45 });
  });
});
