/**
 * The local instruction grammar, English and Simplified Chinese: "brighter by 20%", "调亮一点并且锐化",
 * "crop to 4:5", "restore this photo". Pure and fast (no model): the text is normalised, split
 * into clauses at connectives ("and", "then", "，", "并且", "然后"), and each clause is searched for
 * known edits, most specific first, each match consuming its words. Intensity words ("a little",
 * "much", "一点", "很多") and numbers ("20%", "+1 stop", "百分之二十", "九十度") set the amounts.
 * Whatever is left of a clause is checked for things the local engine cannot do (add objects,
 * change faces, write text, pick out a region); anything not understood is refused, never
 * guessed, with a reason in both languages and whether Gemini could do it.
 */
import { describeAdjustment } from '../document/labels.js';
import type { Adjustment } from '../imaging/types.js';
import type { AutoOp, Bilingual, LocalAction, LocalCapabilities, LocalPlan, LocalRefusal, RefusalCode, TransformIntent } from './types.js';

/** Longest instruction the local grammar reads. */
export const MAX_LOCAL_INSTRUCTION = 1000;
/** Longest prompt the edit contract accepts at all (see EditJobRequest). */
export const MAX_PROMPT = 20_000;

/** How much "a little" / "much" scale an edit's default amount. */
export const INTENSITY = { mild: 0.5, normal: 1, strong: 2 } as const;

/** Default amounts at normal intensity. */
const BASE = {
  brightness: 25,
  exposure: 0.5,
  contrast: 25,
  saturation: 25,
  vibrance: 30,
  temperature: 25,
  hue: 20,
  sepia: 80,
  sharpen: 80,
  blur: 4,
} as const;

interface NumberToken {
  value: number;
  unit: '%' | 'deg' | 'stop' | 'x' | 'px' | null;
  start: number;
  used: boolean;
}

interface Clause {
  text: string;
  numbers: NumberToken[];
  ratio: { width: number; height: number } | null;
  intensity: number;
  /** The person said "less", "reduce", "降低"…: amounts go down unless a keyword says otherwise. */
  negative: boolean;
  positive: boolean;
}

/** A match of one edit in a clause: the actions it makes, or a refusal. */
type Built = LocalAction[] | LocalRefusal;

interface Matcher {
  id: string;
  pattern: RegExp;
  build(match: RegExpExecArray, clause: Clause): Built;
}

/* ---------------------------------------------------------------------------------------------
 * Normalisation
 * ------------------------------------------------------------------------------------------- */

const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u{FE0F}|\u{FE0E}|\u{200D}|\u{20E3}|[\u{E0020}-\u{E007F}]/gu;
const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** A Chinese numeral up to 999 ("二十五", "一百八十", "十") as a number; NaN if it is not one. */
export function chineseNumber(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let digit = -1;
  for (const ch of text) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch] as number;
    else if (ch === '十') {
      total += (digit < 0 ? 1 : digit) * 10;
      digit = -1;
    } else if (ch === '百') {
      total += (digit < 0 ? 1 : digit) * 100;
      digit = -1;
    } else return Number.NaN;
  }
  return total + (digit < 0 ? 0 : digit);
}

const CN_NUMERAL = '[零〇一二两三四五六七八九十百]+';

/** Lower case, half-width, American spelling, emoji removed, Chinese numerals with units as digits. */
export function normalizeInstruction(text: string): string {
  let t = text.normalize('NFKC').toLowerCase().replace(EMOJI, ' ');
  t = t.replace(/colour/g, 'color').replace(/\bgrey/g, 'gray').replace(/[’‘]/g, "'").replace(/[“”]/g, '"');
  t = t.replace(new RegExp(`百分之(${CN_NUMERAL}|\\d+(?:\\.\\d+)?)`, 'g'), (_, n: string) => `${chineseNumber(n)}%`);
  t = t.replace(new RegExp(`(${CN_NUMERAL})(?=\\s*(?:度|倍|档|级|°|%|个百分点))`, 'g'), (n: string) => {
    const value = chineseNumber(n);
    return Number.isNaN(value) ? n : String(value);
  });
  t = t.replace(/个百分点/g, '%');
  // Phrases whose "and" is not a connective.
  t = t
    .replace(/\bblack\s*(?:and|&|\/|n)\s*white\b|\bb\s*[&/]\s*w\b/g, 'blackwhite')
    .replace(/\b(?:dust\s*(?:and|&)\s*scratch(?:es)?|scratch(?:es)?\s*(?:and|&)\s*dust)\b/g, 'dustscratches')
    .replace(/\bsalt\s*(?:and|&)\s*pepper\b/g, 'speckle');
  return t.replace(/\s+/g, ' ').trim();
}

/* ---------------------------------------------------------------------------------------------
 * Clauses, numbers, intensity
 * ------------------------------------------------------------------------------------------- */

const CLAUSE_SPLIT =
  /[,;!?。、；！？\n]+|\.(?!\d)|\s(?:and then|and also|as well as|and|then|also|plus|after that)\s|&|\+(?=\s*[^\d\s])|然后|并且|而且|同时|以及|还要|接着|之后|再把|并/;

const MILD =
  /\b(?:a little|a bit|a tad|a touch|slightly|somewhat|subtly|gently|lightly|marginally|mildly|little|bit)\b|一点点|一点|一些|稍微|稍稍|稍|略微|略|有点|少许|微微|轻微|些许|一丢丢|淡淡/;
const STRONG =
  /\b(?:much|a lot|lots|way|very|really|significantly|strongly|greatly|far|heavily|extremely|super|considerably|dramatically|hugely|massively|tons)\b|很多|大幅|非常|特别|十分|极其|超级|明显|大大|强烈|狠狠|更多|很|超/;
const NEGATIVE = /\b(?:less|reduce|reduced|lower|decrease|down|drop|minus|fewer|weaker|tone down|turn down|take away|remove some)\b|降低|减少|减弱|调低|降|减|低一|低些|小一|弱一|弱些/;
const POSITIVE = /\b(?:more|increase|raise|boost|up|higher|plus|add|stronger|extra|enhance)\b|提高|增加|增强|加强|调高|高一|高些|大一|强一|强些|加/;

function extractNumbers(text: string): { numbers: NumberToken[]; ratio: Clause['ratio']; rest: string } {
  let ratio: Clause['ratio'] = null;
  let rest = text.replace(/(\d+(?:\.\d+)?)\s*(?::|比|×(?=\s*\d)|x(?=\s*\d)|\/(?=\s*\d)|by(?=\s*\d))\s*(\d+(?:\.\d+)?)/, (all, a: string, b: string) => {
    ratio = { width: Number(a), height: Number(b) };
    return ' '.repeat(all.length);
  });
  const numbers: NumberToken[] = [];
  rest = rest.replace(
    /([+\-−]?)\s?(\d+(?:\.\d+)?)\s*(%|percent|per cent|°|degrees?|deg|度|stops?|ev|档|级|x(?![a-z])|×|倍|times|fold|px|pixels?)?/g,
    (all, sign: string, digits: string, unit: string | undefined, offset: number) => {
      let value = Number(digits);
      if (sign === '-' || sign === '−') value = -value;
      const u = unit ?? '';
      const kind: NumberToken['unit'] = /%|percent|per cent/.test(u)
        ? '%'
        : /°|deg|度/.test(u)
          ? 'deg'
          : /stop|ev|档|级/.test(u)
            ? 'stop'
            : /px|pixel/.test(u)
              ? 'px'
              : /x|×|倍|times|fold/.test(u)
                ? 'x'
                : null;
      numbers.push({ value, unit: kind, start: offset, used: false });
      return ' '.repeat(all.length);
    },
  );
  return { numbers, ratio, rest };
}

function makeClause(text: string): Clause {
  const { numbers, ratio } = extractNumbers(text);
  const intensity = MILD.test(text) ? INTENSITY.mild : STRONG.test(text) ? INTENSITY.strong : INTENSITY.normal;
  return { text, numbers, ratio, intensity, negative: NEGATIVE.test(text), positive: POSITIVE.test(text) };
}

/** The unused number nearest after (else before) `at` with one of the units, marked used. */
function takeNumber(clause: Clause, at: number, units: NumberToken['unit'][]): NumberToken | null {
  const fits = clause.numbers.filter((n) => !n.used && units.includes(n.unit));
  if (fits.length === 0) return null;
  const after = fits.filter((n) => n.start >= at).sort((a, b) => a.start - b.start);
  const chosen = after[0] ?? fits.sort((a, b) => b.start - a.start)[0]!;
  chosen.used = true;
  return chosen;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function round(v: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/* ---------------------------------------------------------------------------------------------
 * Building actions
 * ------------------------------------------------------------------------------------------- */

function adjustment(adj: Adjustment, name = describeAdjustment(adj)): LocalAction {
  return { kind: 'adjustment', name, adjustment: adj };
}

/**
 * A signed amount for a ±100 adjustment: an explicit number (a percentage or a bare number)
 * wins, its sign set by the words ("less contrast by 20%" is −20); else the default amount
 * scaled by the intensity.
 */
function signedAmount(clause: Clause, at: number, base: number, direction: 1 | -1, limit = 100): number {
  const n = takeNumber(clause, at, ['%', null]);
  if (n) {
    const magnitude = Math.abs(n.value);
    const sign = n.value < 0 ? -1 : direction;
    return clamp(round(sign * magnitude), -limit, limit);
  }
  return clamp(direction * round(base * clause.intensity), -limit, limit);
}

/** Direction from the words around a keyword: "less"/"降低" turn an upward keyword down. */
function directionOf(clause: Clause, keywordUp: boolean): 1 | -1 {
  if (keywordUp) return clause.negative && !clause.positive ? -1 : 1;
  return clause.negative || !clause.positive ? -1 : 1;
}

function exposureAction(clause: Clause, at: number): LocalAction {
  const n = takeNumber(clause, at, ['stop', null, '%']);
  const text = clause.text;
  let direction: 1 | -1 = clause.negative && !clause.positive ? -1 : 1;
  if (/\bover-?exposed\b|过曝|曝光过度|\bdark(?:er|en)\b|暗/.test(text)) direction = -1;
  if (/\bunder-?exposed\b|欠曝|曝光不足/.test(text)) direction = 1;
  let stops: number;
  if (n && n.unit === '%') stops = Math.log2(1 + ((n.value < 0 ? -1 : direction) * Math.min(Math.abs(n.value), 300)) / 100);
  else if (n) stops = (n.value < 0 ? -1 : direction) * Math.abs(n.value);
  else stops = direction * BASE.exposure * clause.intensity;
  return adjustment({ kind: 'exposure', stops: clamp(round(stops, 2), -5, 5) });
}

const AUTO_NAMES: Record<AutoOp, string> = {
  autoLevels: 'Auto levels',
  removeColourCast: 'Remove colour cast',
  fixFade: 'Fix faded colours',
  autoStraighten: 'Straighten',
};

function auto(op: AutoOp, force: boolean): LocalAction {
  return { kind: 'auto', name: AUTO_NAMES[op], op, force };
}

function transform(intent: TransformIntent, name: string): LocalAction {
  return { kind: 'transform', name, transform: intent };
}

/** The sub-steps of a restoration, in the order they are made (see the engine's README). */
export function restorationActions(): LocalAction[] {
  return [
    { kind: 'raster', name: 'Denoise', op: 'denoise', params: { strength: 1 }, optional: true },
    { kind: 'raster', name: 'Remove dust and scratches', op: 'removeDefects', params: { strength: 1 }, optional: true },
    auto('autoLevels', false),
    auto('removeColourCast', false),
    auto('fixFade', false),
    adjustment({ kind: 'sharpen', amount: 80, radius: 1 }, 'Sharpen'),
  ];
}

/* ---------------------------------------------------------------------------------------------
 * Refusals
 * ------------------------------------------------------------------------------------------- */

function quote(text: string, max = 60): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}

export function refusal(code: RefusalCode, detail = ''): LocalRefusal {
  const q = quote(detail);
  const send = { en: ' Send it to Gemini when online?', zh: '联网后交给 Gemini 处理吗？' };
  const table: Record<RefusalCode, { reason: Bilingual; cloudable: boolean }> = {
    empty: { reason: { en: 'Say what to change: the instruction is empty.', zh: '请说明要做什么修改：指令是空的。' }, cloudable: false },
    noWords: {
      reason: { en: 'Say what to change in words: emoji or symbols alone are not an instruction.', zh: '请用文字说明要做的修改：只有表情或符号不算指令。' },
      cloudable: false,
    },
    tooLong: {
      reason: {
        en: `That instruction is too long for the local engine (${detail} characters; it reads up to ${MAX_LOCAL_INSTRUCTION.toLocaleString('en')}). Shorten it, or send it to Gemini when online?`,
        zh: `这条指令对本地引擎来说太长了（${detail} 个字符；最多读取 ${MAX_LOCAL_INSTRUCTION} 个）。请缩短，或联网后交给 Gemini 处理？`,
      },
      cloudable: true,
    },
    addObjects: { reason: { en: `The local engine can't add objects.${send.en}`, zh: `本地引擎不能添加物体；${send.zh}` }, cloudable: true },
    removeObjects: {
      reason: { en: `The local engine removes dust, scratches and noise, not objects or people.${send.en}`, zh: `本地引擎只能去除灰尘、划痕和噪点，不能去掉物体或人物；${send.zh}` },
      cloudable: true,
    },
    faces: { reason: { en: `The local engine doesn't change faces or people.${send.en}`, zh: `本地引擎不能修改人脸或人物；${send.zh}` }, cloudable: true },
    text: { reason: { en: `The local engine can't add or change text.${send.en}`, zh: `本地引擎不能添加或修改文字；${send.zh}` }, cloudable: true },
    scene: { reason: { en: `The local engine can't change the scene or the style.${send.en}`, zh: `本地引擎不能更换场景或风格；${send.zh}` }, cloudable: true },
    region: {
      reason: {
        en: `The local engine adjusts the whole photo and can't pick out “${q}” by itself. Paint a mask on an adjustment layer, or send it to Gemini when online?`,
        zh: `本地引擎只能调整整张照片，无法自动选出“${q}”。可以在调整图层上画蒙版，或联网后交给 Gemini 处理？`,
      },
      cloudable: true,
    },
    subjectMask: {
      reason: {
        en: `Blurring or removing the background needs a subject mask, which the local engine can't compute on this machine.${send.en}`,
        zh: `虚化或去除背景需要主体蒙版，本机的本地引擎无法计算；${send.zh}`,
      },
      cloudable: true,
    },
    history: {
      reason: { en: 'To undo or go back, use Undo or click an earlier step in the history.', zh: '要撤销或回到之前的状态，请使用“撤销”或点击历史记录中较早的步骤。' },
      cloudable: false,
    },
    upscaleFactor: { reason: { en: 'The local engine upscales by 2× only.', zh: '本地引擎只能放大 2 倍。' }, cloudable: false },
    unknown: {
      reason: {
        en: `The local engine doesn't understand “${q}”. It knows edits like “brighter”, “more contrast”, “black and white”, “crop to 4:5”, “restore this photo”.${send.en}`,
        zh: `本地引擎不理解“${q}”。它能做“调亮一点”“增加对比度”“黑白”“裁剪为4:5”“修复老照片”这类修改；${send.zh}`,
      },
      cloudable: true,
    },
  };
  const { reason, cloudable } = table[code];
  return { refused: true, code, reason, cloudable };
}

/** Words that mean the edit needs something the local engine cannot do, most telling first. */
const RED_FLAGS: { code: RefusalCode; pattern: RegExp }[] = [
  {
    code: 'faces',
    pattern:
      /\b(?:faces?|facial|smil(?:e|es|ing)|eyes?|skin|wrinkles?|younger|older|aging|ageing|makeup|make-up|beautify|slimmer|slim|thinner|fatter|expressions?|teeth|lips?|nose|hairstyle|hair|beard|blink(?:ing)?|blemish(?:es)?|acne|freckles?|identity|look at the camera|face ?swap)\b|脸|面部|五官|微笑|笑容|笑|眼睛|眼神|皮肤|磨皮|美颜|瘦|皱纹|年轻|变老|化妆|妆容|牙齿|嘴唇|鼻子|发型|头发|胡子|换脸|表情|美白|祛痘|痘|雀斑/,
  },
  {
    code: 'text',
    pattern: /\b(?:text|write|writing|written|caption|words?|letters?|titles?|watermarks?|logos?|font|typography|saying|says|signature)\b|文字|写上|写字|写|字幕|标题|水印|题字|签名|字样/,
  },
  {
    code: 'scene',
    pattern:
      /\b(?:replace|swap|turn (?:it|this|them|him|her|the \w+) into|into an?|look like|in the style of|style of|cartoon|anime|painting|watercolor|oil paint|sketch|drawing|van gogh|pixar|ghibli|beach|sunset|sunrise|snow(?:y)?|night|daytime|winter|summer|autumn|spring|space|moon|mars|paris|city|forest|mountains?|desert|underwater|put (?:the |a |an |my )?\w+ (?:on|in|into|at|under)|move (?:the )?\w+ to)\b|换成|替换|变成|改成|风格|动漫|卡通|油画|水彩|素描|梵高|宫崎骏|放到|放在|海滩|沙滩|下雪|雪景|夜晚|夜景|日落|星空|森林|沙漠|太空/,
  },
  {
    code: 'addObjects',
    pattern: /\b(?:add|insert|put|place|draw|paste|include|give (?:him|her|them|it|the \w+)|with an?)\b|加上|添加|加一|加个|加只|加条|加朵|放一|放个|放只|放上|画一|画个|画上|插入|增加一/,
  },
  {
    code: 'removeObjects',
    pattern: /\b(?:remove|erase|delete|get rid of|take out|eliminate|hide|clean up)\b|去掉|去除|删除|删掉|移除|擦掉|擦除|拿掉|p掉|抹掉/,
  },
  {
    code: 'region',
    pattern:
      /\b(?:sky|background|foreground|water|sea|ocean|lake|river|grass|trees?|buildings?|clouds?|shirt|dress|clothes|car|wall|floor|ground|(?:left|right|top|bottom|upper|lower) (?:side|half|part|corner|edge)|corners?|edges?|subject|person|people|man|woman|boy|girl|child|kids?|baby|dog|cat|animal|flowers?|food)\b|天空|背景|前景|水面|海面|大海|湖|草地|树|建筑|云|衣服|汽车|墙|地面|左边|右边|上面|下面|上半|下半|角落|边缘|中间|人物|主体|猫|狗|动物|孩子|宝宝|花|食物/,
  },
];

/** Words that carry no instruction by themselves (verbs of the edits, articles, politeness). */
const FILLER = new RegExp(
  [
    String.raw`\b(?:please|pls|plz|kindly|thanks|thank you|thx|ok|okay|hi|hello|hey|can you|could you|would you|will you|i want|i'd like|i would like|i need|let's|lets|go ahead)\b`,
    String.raw`\b(?:make|making|made|set|get|go|do|give|apply|use|convert|change|turn|bring|put|keep|fix|correct|clean|cleanup|remove|reduce|eliminate|get rid of|take out|add|increase|decrease|lower|raise|boost|adjust|improve|tweak)\b`,
    String.raw`\b(?:it|its|it's|this|that|these|those|the|a|an|my|our|your|me|us|some|any|whole|entire|all|overall|everything|thing|one|version|again|now|also|just|so|too|quite|rather|really|please)\b`,
    String.raw`\b(?:photo|photograph|picture|pic|image|shot|scan|print|colors?|tones?|details?|look|looks|looking|bit|little|tiny|lot|more|less|much|very|to|for|by|of|is|be|with|in|on|up|down|and|then|percent|degrees?|stops?|times|level|amount|effect|filter|mode|style|shift|old|x)\b`,
    String.raw`\b(?:left|right|clockwise|counter-?clockwise|anti-?clockwise|ccw|cw|horizontally|vertically|horizontal|vertical|sideways|around|side to side|left to right|top to bottom)\b`,
    '请|帮我|帮忙|麻烦|谢谢|好的|你好|照片|图片|相片|图像|画面|这张|这个|那张|整张|整体|全部|我想|我要|想要|需要|能不能|可以|能|帮|我|你|图|把|给|让|使|将|变得|变|得|一下|一点|一些|点|些|吧|啊|呀|了|的|地|再|更|更加|稍微|很|非常|调整|调|弄|搞|做|加|减|成|为|到|去掉|去除|消除|移除|修正|校正|纠正|增加|提高|降低|减少|效果|颜色|色彩|度|倍|档|级|和|与|及|跟|同|自动|转成|转为|转换成|转换|改为|去|老照片|旧照片|老相片|向左|向右|往左|往右|左|右|水平|垂直|上下|左右|方向',
  ].join('|'),
  'g',
);

/** What is left of a clause once filler, intensity words, numbers and punctuation are gone. */
function residue(text: string): string {
  return text
    .replace(new RegExp(MILD.source, 'g'), ' ')
    .replace(new RegExp(STRONG.source, 'g'), ' ')
    .replace(FILLER, ' ')
    .replace(/\d+(?:\.\d+)?\s*(?:x|×|px|pixels?)(?![a-z])/g, ' ')
    .replace(/[\s\d%.,:;!?'"()[\]{}<>\-_/\\|*~`^=+@#$&，。、；：！？（）【】《》“”‘’…·—°×]+/g, '');
}

function redFlag(text: string): RefusalCode | null {
  for (const { code, pattern } of RED_FLAGS) if (pattern.test(text)) return code;
  return null;
}

/* ---------------------------------------------------------------------------------------------
 * The edits it knows, most specific first (each match consumes its words)
 * ------------------------------------------------------------------------------------------- */

const MATCHERS: Matcher[] = [
  {
    id: 'history',
    pattern: /\b(?:undo|revert|start over|go back|reset)\b|撤销|撤回|重置|恢复原图|回到原图/,
    build: () => refusal('history'),
  },
  {
    id: 'removeBackground',
    pattern:
      /\b(?:remove|delete|erase|cut out|get rid of|drop|clear|take out)\s+(?:the\s+)?(?:back ?ground|bg)\b|\bbackground remov\w*|\btransparent (?:back ?ground|bg)|\bcut ?out (?:the )?(?:subject|person)|\bisolate (?:the )?subject|抠图|抠出|去背景|去除背景|去掉背景|移除背景|删除背景|背景去掉|背景删除|背景去除|透明背景/,
    build: () => [{ kind: 'raster', name: 'Remove background', op: 'removeBackground', params: { strength: 1 }, optional: false }],
  },
  {
    id: 'blurBackground',
    pattern:
      /\b(?:blur|soften|defocus|blur out)\s+(?:out\s+)?(?:the\s+)?(?:back ?ground|bg)\b|\b(?:back ?ground|bg) blur|\bblurr?(?:y|ed) (?:back ?ground|bg)|\bbokeh\b|\bportrait mode\b|\bshallow depth of field\b|虚化背景|背景虚化|模糊背景|背景模糊|背景虚|虚化|景深|人像模式/,
    build: (_m, clause) => [{ kind: 'raster', name: 'Blur background', op: 'blurBackground', params: { strength: clause.intensity }, optional: false }],
  },
  {
    id: 'removeDefects',
    pattern: /\bdustscratches\b|\b(?:dust(?:y)?|scratch(?:es|ed)?|specks?|speckle|spots|despeckle|lint|dirt(?:y)?|crease[sd]?|mold|mould)\b|划痕|划伤|刮痕|灰尘|除尘|污点|斑点|脏点|霉点|折痕|污渍/,
    build: (_m, clause) => [{ kind: 'raster', name: 'Remove dust and scratches', op: 'removeDefects', params: { strength: clause.intensity }, optional: false }],
  },
  {
    id: 'fade',
    pattern:
      /\b(?:faded|fading|unfade|fade|washed[- ]out|yellowed|discolou?red|discolored)\b|\b(?:restore|bring back|recover|revive|fix)\s+(?:the\s+)?colors?\b|\bcolor (?:correction|restoration)\b|褪色|退色|恢复(?:颜色|色彩)|还原(?:颜色|色彩)|色彩还原|颜色还原|发黄|泛黄|变黄/,
    build: () => [auto('autoLevels', true), auto('removeColourCast', false), auto('fixFade', true)],
  },
  {
    id: 'colourCast',
    pattern:
      /\b(?:color cast|cast|white balance|wb|neutrali[sz]e|correct (?:the )?colors?|too (?:yellow|green|magenta|purple|red|orange|pink)|(?:yellow|blue|green|magenta|red|orange|pink)(?:ish)? (?:tint|cast))\b|偏色|色偏|白平衡|偏黄|偏绿|偏红|偏紫|偏粉|偏蓝|发蓝|发绿|发红|校色|纠正颜色|校正颜色|颜色不正|色彩不正/,
    build: () => [auto('removeColourCast', true)],
  },
  {
    id: 'restore',
    pattern:
      /\brestor(?:e|ation|ing)\b|\brepair\b|\bfix (?:up )?(?:this |the |my |an )?old\b|\bback to life\b|修复老照片|老照片修复|修复旧照片|旧照片修复|修复照片|照片修复|修复这张|修复一下|修复|复原|翻新/,
    build: () => restorationActions(),
  },
  {
    id: 'autoLevels',
    pattern: /\bauto[- ]?(?:levels?|tone|contrast|fix|enhance|correct(?:ion)?|adjust(?:ment)?)\b|\blevels\b|\bfix (?:the )?(?:exposure|tones?|levels)\b|自动色阶|色阶|自动调整|自动增强|一键增强|自动优化|增强画质/,
    build: () => [auto('autoLevels', true), auto('removeColourCast', false)],
  },
  {
    id: 'denoise',
    pattern: /\b(?:de-?nois(?:e|ing)|noise reduction|noise|noisy|grain|grainy|graininess|(?:jpe?g |compression )?artifacts?|artefacts?|blocky|blockiness|deblock(?:ing)?)\b|降噪|去噪|噪点|噪声|颗粒|压缩痕迹|压缩失真|块状/,
    build: (m, clause) => {
      if (/\badd\b|加/.test(clause.text) && !/\b(?:reduce|remove|less|de-?noise)\b|降|去|减/.test(clause.text)) return refusal('unknown', clause.text);
      return [{ kind: 'raster', name: 'Denoise', op: 'denoise', params: { strength: clause.intensity }, optional: false }];
    },
  },
  {
    id: 'upscale',
    pattern:
      /\b(?:upscale|up-scale|upsample|upscaling|enlarge|super[- ]?resolution|(?:increase|higher|double|boost|raise) (?:the )?(?:resolution|size)|make (?:it )?(?:bigger|larger))\b|放大|超分|提高分辨率|提升分辨率|分辨率|高清化/,
    build: (m, clause) => {
      const factor = takeNumber(clause, m.index, ['x', null]);
      if (factor && factor.value !== 2) return refusal('upscaleFactor');
      return [{ kind: 'raster', name: 'Upscale 2×', op: 'upscale2x', params: { strength: 1 }, optional: false }];
    },
  },
  {
    id: 'shadows',
    pattern: /\b(?:lift|brighten|open up|raise|recover) (?:the )?shadows\b|\bshadows? (?:brighter|up)\b|提亮阴影|提亮暗部|阴影提亮|暗部提亮|暗部细节/,
    build: (_m, clause) => {
      const k = clause.intensity;
      return [adjustment({ kind: 'curve', points: [{ x: 0, y: 0 }, { x: 64, y: round(64 + 24 * k) }, { x: 128, y: round(128 + 12 * k) }, { x: 255, y: 255 }] }, 'Lift shadows')];
    },
  },
  {
    id: 'highlights',
    pattern: /\b(?:recover|darken|tame|bring down|pull back|lower) (?:the )?highlights\b|\bhighlights? (?:darker|down)\b|压暗高光|降低高光|高光压暗|亮部压暗|恢复高光/,
    build: (_m, clause) => {
      const k = clause.intensity;
      return [adjustment({ kind: 'curve', points: [{ x: 0, y: 0 }, { x: 128, y: round(128 - 6 * k) }, { x: 192, y: round(192 - 18 * k) }, { x: 255, y: round(255 - 12 * k) }] }, 'Recover highlights')];
    },
  },
  {
    id: 'blackWhite',
    pattern: /\b(?:blackwhite|monochrome|mono|grayscale|gray ?scale|noir)\b|\bremove (?:all )?(?:the )?colors?\b|\bno colou?r\b|黑白|单色|灰度|去色/,
    build: () => [adjustment({ kind: 'blackWhite' })],
  },
  {
    id: 'sepia',
    pattern: /\b(?:sepia|vintage|old[- ]?(?:school|fashioned|timey)|antique|brown ?tone|retro|look old|aged look)\b|棕褐色|褐色|复古|怀旧|做旧|老照片(?:效果|风格|感)|旧照片(?:效果|风格|感)/,
    build: (m, clause) => {
      const n = takeNumber(clause, m.index, ['%', null]);
      const amount = n ? clamp(Math.abs(n.value), 0, 100) : clamp(round(BASE.sepia * (clause.intensity < 1 ? 0.6 : clause.intensity > 1 ? 1.25 : 1)), 0, 100);
      return [adjustment({ kind: 'sepia', amount })];
    },
  },
  {
    id: 'invert',
    pattern: /\b(?:invert(?:ed)?(?: colors?)?|negative)\b|反色|负片|反相/,
    build: () => [adjustment({ kind: 'curve', points: [{ x: 0, y: 255 }, { x: 255, y: 0 }] }, 'Invert')],
  },
  {
    id: 'warmth',
    pattern:
      /\b(?:too (?:blue|cool|cold|warm|orange)|warm(?:er|th|ing)?|golden|cool(?:er|ing)?|cold(?:er)?)\b|偏冷|偏暖|太冷|太暖|清冷|暖色?调?|冷色?调?/,
    build: (m, clause) => {
      const word = m[0];
      // The keyword's own direction: warm words and "too cold" warm the photo.
      let warmer = /warm|golden|暖|too (?:blue|cool|cold)|太冷|偏冷/.test(word);
      if (/too (?:warm|orange)|太暖|偏暖/.test(word)) warmer = false;
      // "cool it down" and "warm it up" keep their direction; "less warm" flips it.
      const flipped = /\b(?:less|reduce|lower)\b|降低|减少|减弱/.test(clause.text) && !/too|太|偏/.test(word);
      const direction: 1 | -1 = warmer !== flipped ? 1 : -1;
      const temperature = signedAmount(clause, m.index, BASE.temperature, direction);
      return [adjustment({ kind: 'temperatureTint', temperature, tint: 0 }, temperature >= 0 ? 'Warmer' : 'Cooler')];
    },
  },
  {
    id: 'exposure',
    pattern: /\bexposure\b|\bev\b|曝光/,
    build: (m, clause) => [exposureAction(clause, m.index)],
  },
  {
    id: 'brightness',
    pattern:
      /\b(?:(?:is|looks|it's|too|so|a bit|kind of|rather|quite|very|slightly) (?:dark|dim|gloomy|bright|overexposed|underexposed)|under-?exposed|over-?exposed|blown out|bright(?:er|en|ens|ening|ness)?|light(?:er|en)|lighten up|more light|dark(?:er|en|ens)?|dim(?:mer)?|moodier)\b|(?:有点|比较|很|太|偏|有些)(?:暗|亮)|暗了|欠曝|过曝|调亮|变亮|提亮|亮一|更亮|亮点|亮些|调暗|变暗|压暗|暗一|更暗|暗点|暗些|亮度|亮|暗/,
    build: (m, clause) => {
      // "brighter by one stop" is exposure; if exposure took the stops already, nothing to add.
      const stops = clause.numbers.filter((n) => n.unit === 'stop');
      if (stops.length > 0) return stops.some((n) => !n.used) ? [exposureAction(clause, m.index)] : [];
      const word = m[0];
      // "It is too dark" / "有点暗" describe the problem: the fix goes the other way.
      const described = /^(?:is|looks|it's|too|so|a bit|kind of|rather|quite|very|slightly) |under|over|blown|^(?:有点|比较|很|太|偏|有些)|暗了|欠曝|过曝/.test(word);
      const dark = /dark|dim|gloomy|under|暗|欠曝/.test(word);
      const brighter = described ? dark : /bright|light|亮/.test(word);
      const fixed = described;
      const flipped = !fixed && clause.negative && !clause.positive;
      const direction: 1 | -1 = brighter !== flipped ? 1 : -1;
      return [adjustment({ kind: 'brightness', amount: signedAmount(clause, m.index, BASE.brightness, direction) })];
    },
  },
  {
    id: 'contrast',
    pattern: /\bcontrast(?:y)?\b|\bpunch(?:ier|y)?\b|\bpop\b|对比度?|反差|层次|柔和/,
    build: (m, clause) => {
      const soft = /柔和/.test(m[0]);
      const direction = soft ? -1 : directionOf(clause, true);
      return [adjustment({ kind: 'contrast', amount: signedAmount(clause, m.index, soft ? BASE.contrast * 0.6 : BASE.contrast, direction) })];
    },
  },
  {
    id: 'vibrance',
    pattern: /\bvibrance\b|自然饱和度/,
    build: (m, clause) => [adjustment({ kind: 'vibrance', amount: signedAmount(clause, m.index, BASE.vibrance, directionOf(clause, true)) })],
  },
  {
    id: 'saturation',
    pattern:
      /\b(?:saturat(?:ed|ion|e)|colou?rful|vivid|vibrant|rich(?:er)? colors?|more colou?r|colors? pop|muted|desaturat(?:e|ed)|less colou?r(?:ful)?|dull(?:er)?)\b|饱和度?|(?:颜色|色彩)?更?(?:鲜艳|艳丽|浓郁|鲜亮)|(?:颜色|色彩)更?(?:浓|鲜)|淡雅|素雅|颜色淡|色彩淡|淡一|淡些/,
    build: (m, clause) => {
      const down = /muted|desaturat|less colou?r|dull|淡/.test(m[0]);
      const direction = down ? -1 : directionOf(clause, true);
      return [adjustment({ kind: 'saturation', amount: signedAmount(clause, m.index, BASE.saturation, direction) })];
    },
  },
  {
    id: 'hue',
    pattern: /\bhue\b|色相/,
    build: (m, clause) => {
      const n = takeNumber(clause, m.index, ['deg', null]);
      const degrees = n ? n.value * (clause.negative && n.value > 0 ? -1 : 1) : BASE.hue * clause.intensity * directionOf(clause, true);
      return [adjustment({ kind: 'hue', degrees: clamp(round(degrees), -180, 180) })];
    },
  },
  {
    id: 'sharpen',
    pattern:
      /\b(?:(?:is|looks|it's|too|so|a bit|kind of|rather|quite|very|slightly) (?:blurry|blurred|soft|out of focus)|out of focus|sharpen(?:ed|ing)?|sharp(?:er|ness)?|crisp(?:er|y)?|clearer|clarity|more details?|less blurry|unblur|de-?blur|in focus|focus)\b|(?:有点|太|很|比较|有些)(?:模糊|糊)|模糊了|不清楚|不清晰|不够清晰|锐化|锐利|清晰|清楚|去模糊|对焦|细节/,
    build: (m, clause) => {
      if (clause.negative && !clause.positive && !/less blurry|去模糊|deblur|unblur|blur|soft|focus|糊|清/.test(m[0])) {
        return [adjustment({ kind: 'blur', radius: round(1 * clause.intensity, 1) })];
      }
      const n = takeNumber(clause, m.index, ['%', null]);
      const amount = n ? clamp(Math.abs(n.value), 0, 500) : clamp(round(BASE.sharpen * clause.intensity), 0, 500);
      const px = takeNumber(clause, m.index, ['px']);
      return [adjustment({ kind: 'sharpen', amount, radius: px ? clamp(px.value, 0.1, 10) : 1 })];
    },
  },
  {
    id: 'blur',
    pattern: /\b(?:blur(?:ry|red)?|soft(?:en|er)|gaussian|dreamy|hazy)\b|模糊|柔化|朦胧/,
    build: (m, clause) => {
      const n = takeNumber(clause, m.index, ['px', null]);
      const radius = n ? clamp(Math.abs(n.value), 0, 100) : clamp(round(BASE.blur * clause.intensity, 1), 0, 100);
      return [adjustment({ kind: 'blur', radius })];
    },
  },
  {
    id: 'crop',
    pattern: /\bcrop(?:ped|ping)?\b|\b(?:square|widescreen|panorama|instagram)\b|裁剪|裁切|裁成|剪裁|裁|正方形|方形|宽屏/,
    build: (_m, clause) => {
      let ratio = clause.ratio;
      if (!ratio && /square|正方形|方形/.test(clause.text)) ratio = { width: 1, height: 1 };
      if (!ratio && /widescreen|宽屏/.test(clause.text)) ratio = { width: 16, height: 9 };
      if (!ratio && /instagram/.test(clause.text)) ratio = { width: 4, height: 5 };
      if (!ratio && /panorama/.test(clause.text)) ratio = { width: 3, height: 1 };
      if (!ratio || !(ratio.width > 0) || !(ratio.height > 0) || ratio.width / ratio.height > 20 || ratio.height / ratio.width > 20) {
        return {
          refused: true,
          code: 'unknown',
          reason: { en: 'Say the shape to crop to, like “crop to 4:5” or “crop square”.', zh: '请说明裁剪的比例，例如“裁剪为4:5”或“裁成正方形”。' },
          cloudable: false,
        };
      }
      return [transform({ type: 'cropAspect', width: ratio.width, height: ratio.height }, `Crop to ${ratio.width}:${ratio.height}`)];
    },
  },
  {
    id: 'flip',
    pattern: /\b(?:flip(?:ped)?|mirror(?:ed)?)\b|(?:左右|上下|垂直|水平)?翻转|镜像|(?:左右|上下|垂直|水平)翻/,
    build: (_m, clause) => {
      const vertical = /vertical|upside|top to bottom|上下|垂直/.test(clause.text);
      return [transform({ type: 'flip', direction: vertical ? 'vertical' : 'horizontal' }, vertical ? 'Flip vertical' : 'Flip horizontal')];
    },
  },
  {
    id: 'straighten',
    pattern: /\bstraighten(?:ed)?\b|\blevel (?:the )?horizon\b|\bhorizon\b|\btilt(?:ed)?\b|\bcrooked\b|\bskew(?:ed)?\b|\blevel it\b|\bmake (?:it )?(?:straight|level)\b|拉直|校正水平|摆正|扶正|水平线|地平线|倾斜|歪|调平|放正/,
    build: (m, clause) => {
      const n = takeNumber(clause, m.index, ['deg', null]);
      if (!n) return [auto('autoStraighten', true)];
      const ccw = /counter-?clockwise|anti-?clockwise|\bleft\b|逆时针|向左/.test(clause.text);
      const degrees = clamp((ccw ? -1 : 1) * n.value, -45, 45);
      return [transform({ type: 'straighten', degrees }, `Straighten ${degrees > 0 ? '+' : ''}${degrees}°`)];
    },
  },
  {
    id: 'rotate',
    pattern:
      /\brotat(?:e|ed|ion)\b|\bturn (?:it |the photo |the image )?(?:left|right|around|sideways)\b|\b(?:counter-?clockwise|anti-?clockwise|clockwise)\b|\bupside[- ]down\b|旋转|转(?=[左右])|左转|右转|向左转|向右转|逆时针|顺时针|倒过来|倒置|颠倒|转一下/,
    build: (m, clause) => {
      const text = clause.text;
      if (/\b(?:flip|mirror)|翻转|镜像/.test(text)) return [];
      const ccw = /\bleft\b|counter-?clockwise|anti-?clockwise|\bccw\b|左|逆时针/.test(text);
      const n = takeNumber(clause, m.index, ['deg', null]);
      if (n && Math.abs(n.value) % 90 !== 0) {
        const degrees = clamp((ccw ? -1 : 1) * n.value, -45, 45);
        return [transform({ type: 'straighten', degrees }, `Straighten ${degrees > 0 ? '+' : ''}${degrees}°`)];
      }
      let turns = n ? Math.round(Math.abs(n.value) / 90) % 4 : /upside|around|180|倒过来|倒置|颠倒/.test(text) ? 2 : 1;
      if (n && n.value < 0) turns = (4 - turns) % 4;
      if (ccw) turns = (4 - turns) % 4;
      if (turns === 0) return [];
      const name = turns === 2 ? 'Rotate 180°' : turns === 1 ? 'Rotate right' : 'Rotate left';
      return [transform({ type: 'rotate', quarterTurns: turns as 1 | 2 | 3 }, name)];
    },
  },
  {
    id: 'enhance',
    pattern: /\b(?:enhance|improve|better|nicer|fix it|fix this|fix the photo)\b|优化|美化|增强|改善/,
    build: () => [auto('autoLevels', true), auto('removeColourCast', false)],
  },
];

/* ---------------------------------------------------------------------------------------------
 * The parser
 * ------------------------------------------------------------------------------------------- */

export interface PlanOptions {
  capabilities?: LocalCapabilities;
}

/** Reads an instruction; returns the actions in the order asked, or why it cannot be done locally. */
export function planInstruction(text: string, options: PlanOptions = {}): LocalPlan {
  const raw = typeof text === 'string' ? text : '';
  if (raw.trim().length === 0) return refusal('empty');
  if (raw.length > MAX_PROMPT) {
    return {
      refused: true,
      code: 'tooLong',
      reason: {
        en: `That instruction is ${raw.length.toLocaleString('en')} characters long; an edit takes at most ${MAX_PROMPT.toLocaleString('en')}. Say it in fewer words.`,
        zh: `这条指令有 ${raw.length} 个字符；一次修改最多 ${MAX_PROMPT} 个字符。请说得简短一些。`,
      },
      cloudable: false,
    };
  }
  if (raw.length > MAX_LOCAL_INSTRUCTION) return refusal('tooLong', raw.length.toLocaleString('en'));
  const normalized = normalizeInstruction(raw);
  if (!/[\p{L}\p{N}]/u.test(normalized)) return refusal('noWords');
  const clauses = normalized
    .split(CLAUSE_SPLIT)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  const actions: LocalAction[] = [];
  for (const clauseText of clauses) {
    const clause = makeClause(clauseText);
    let rest = clauseText;
    const found: { at: number; generic: boolean; built: Built }[] = [];
    for (const matcher of MATCHERS) {
      const pattern = new RegExp(matcher.pattern.source, 'g');
      // One edit per kind and clause; every word of that kind is consumed ("crop square", "rotate … clockwise").
      let first: RegExpExecArray | null = null;
      let m: RegExpExecArray | null;
      const before = rest;
      while ((m = pattern.exec(before)) !== null) {
        if (m[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        first ??= m;
        rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
      }
      if (first) {
        const generic = matcher.id === 'restore' && /^(?:repair|修复|修复一下)$/.test(first[0]);
        found.push({ at: first.index, generic, built: matcher.build(first, clause) });
      }
    }
    if (found.length === 0) {
      if (residue(clauseText).length === 0) continue;
      const code = redFlag(clauseText);
      return refusal(code ?? 'unknown', code === 'region' ? regionWord(clauseText) : raw.trim());
    }
    // Anything left that is not filler: a region, an object, a face… or words it does not know.
    if (residue(rest).length > 0) {
      const code = redFlag(rest);
      return refusal(code ?? 'unknown', code === 'region' ? regionWord(rest) : raw.trim());
    }
    const kept = found.length > 1 ? found.filter((f) => !f.generic) : found;
    kept.sort((a, b) => a.at - b.at);
    for (const { built } of kept) {
      if (!Array.isArray(built)) return built;
      actions.push(...built);
    }
  }
  if (actions.length === 0) return refusal('unknown', raw.trim());
  const deduped = withoutRepeats(actions);
  if (!options.capabilities?.subjectMask && actions.some((a) => a.kind === 'raster' && (a.op === 'blurBackground' || a.op === 'removeBackground'))) {
    return refusal('subjectMask');
  }
  return { refused: false, instruction: raw.trim(), actions: deduped };
}

/**
 * A measured or raster step asked for twice ("restore this photo and remove the scratches")
 * is made once, at its first place, as asked by name rather than as an optional sub-step.
 */
function withoutRepeats(actions: LocalAction[]): LocalAction[] {
  const out: LocalAction[] = [];
  for (const action of actions) {
    if (action.kind !== 'auto' && action.kind !== 'raster') {
      out.push(action);
      continue;
    }
    const index = out.findIndex((a) => (a.kind === 'auto' || a.kind === 'raster') && a.kind === action.kind && a.op === action.op);
    if (index < 0) {
      out.push(action);
      continue;
    }
    const earlier = out[index]!;
    if (earlier.kind === 'raster' && action.kind === 'raster' && earlier.optional && !action.optional) out[index] = { ...earlier, optional: false, params: action.params };
    if (earlier.kind === 'auto' && action.kind === 'auto' && action.force) out[index] = { ...earlier, force: true };
  }
  return out;
}

function regionWord(text: string): string {
  const flag = RED_FLAGS.find((f) => f.code === 'region')!;
  return flag.pattern.exec(text)?.[0] ?? text;
}
