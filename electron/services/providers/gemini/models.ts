/**
 * The Gemini image models Promptroom knows, with their limits and prices. Prices are list prices
 * in USD from Google's pricing page; the job queue shows `estimateCostUsd` before an edit and
 * records `actualCostUsd` after it.
 */

/** Model name → the long edge (pixels) images are resized to before they are sent. */
export const WORKING_EDGE = {
  'gemini-2.5-flash-image': 1024,
  'gemini-3-pro-image-preview': 2048,
  'gemini-3.1-flash-image-preview': 2048,
} as const;

export type GeminiModelName = keyof typeof WORKING_EDGE;

/** What one model can take and what it costs. */
export interface GeminiModelLimits {
  name: string;
  /** A name for Settings. */
  label: string;
  /** False for a model the table does not know (its limits are then the cautious fallback). */
  known: boolean;
  maxReferenceImages: number;
  aspectRatios: readonly string[];
  workingEdge: number;
  /** Input (text and image) price, USD per million tokens. */
  inputUsdPerMillion: number;
  /** Image output price, USD per million tokens. */
  imageOutputUsdPerMillion: number;
  /** Text and thinking output price, USD per million tokens. */
  textOutputUsdPerMillion: number;
  /** Tokens one output image at the default size is billed as. */
  outputTokensPerImage: number;
  /** Tokens one input image at the working edge is counted as (for estimates only). */
  inputTokensPerImage: number;
  /**
   * Gemini 3 image models check the thought signatures of earlier model turns; a conversation
   * rebuilt from stored images has none, so those turns carry the documented bypass value.
   */
  needsThoughtSignatures: boolean;
}

const COMMON_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;

/** The table. Keys are the API's model ids. */
export const MODELS: Readonly<Record<GeminiModelName, GeminiModelLimits>> = {
  'gemini-2.5-flash-image': {
    name: 'gemini-2.5-flash-image',
    label: 'Gemini 2.5 Flash Image',
    known: true,
    maxReferenceImages: 3,
    aspectRatios: COMMON_RATIOS,
    workingEdge: WORKING_EDGE['gemini-2.5-flash-image'],
    inputUsdPerMillion: 0.3,
    // 1290 tokens × $30 / 1M = $0.0387 per image.
    imageOutputUsdPerMillion: 30,
    textOutputUsdPerMillion: 2.5,
    outputTokensPerImage: 1290,
    // Images over 384 px are cut into 768 px tiles of 258 tokens: a 1024 px image is four tiles.
    inputTokensPerImage: 1032,
    needsThoughtSignatures: false,
  },
  'gemini-3-pro-image-preview': {
    name: 'gemini-3-pro-image-preview',
    label: 'Gemini 3 Pro Image (preview)',
    known: true,
    maxReferenceImages: 14,
    aspectRatios: COMMON_RATIOS,
    workingEdge: WORKING_EDGE['gemini-3-pro-image-preview'],
    inputUsdPerMillion: 2,
    // 1120 tokens × $120 / 1M = $0.1344 per 1K or 2K image.
    imageOutputUsdPerMillion: 120,
    textOutputUsdPerMillion: 12,
    outputTokensPerImage: 1120,
    inputTokensPerImage: 1120,
    needsThoughtSignatures: true,
  },
  'gemini-3.1-flash-image-preview': {
    name: 'gemini-3.1-flash-image-preview',
    label: 'Gemini 3.1 Flash Image (preview)',
    known: true,
    maxReferenceImages: 14,
    aspectRatios: [...COMMON_RATIOS, '1:4', '4:1', '1:8', '8:1'],
    workingEdge: WORKING_EDGE['gemini-3.1-flash-image-preview'],
    inputUsdPerMillion: 0.5,
    // 1120 tokens × $60 / 1M = $0.0672 per 1K image.
    imageOutputUsdPerMillion: 60,
    textOutputUsdPerMillion: 3,
    outputTokensPerImage: 1120,
    inputTokensPerImage: 1120,
    needsThoughtSignatures: true,
  },
};

export const DEFAULT_MODEL: GeminiModelName = 'gemini-2.5-flash-image';

/**
 * A model the table does not know (a newer one picked in Settings) gets the most cautious
 * limits: the fewest references, the smallest working edge and the highest prices, so cost is
 * never under-counted and nothing is sent that an older model would refuse.
 */
function fallbackLimits(name: string): GeminiModelLimits {
  const pro = MODELS['gemini-3-pro-image-preview'];
  const flash = MODELS['gemini-2.5-flash-image'];
  return {
    ...pro,
    name,
    label: name,
    known: false,
    maxReferenceImages: flash.maxReferenceImages,
    aspectRatios: flash.aspectRatios,
    workingEdge: flash.workingEdge,
    needsThoughtSignatures: name.startsWith('gemini-3'),
  };
}

function isKnown(name: string): name is GeminiModelName {
  return Object.hasOwn(MODELS, name);
}

/** The limits of a model by its API id ("models/" prefix allowed). */
export function modelLimits(name: string): GeminiModelLimits {
  const id = name.startsWith('models/') ? name.slice('models/'.length) : name;
  return isKnown(id) ? MODELS[id] : fallbackLimits(id);
}

/** Roughly four characters of English per token. */
const CHARS_PER_TOKEN = 4;

/**
 * What an edit will cost before it runs, in USD. `inputImages` counts every image uploaded with
 * one call (the image being edited, references, earlier outputs of the conversation). Every
 * variant is a separate call that uploads all the inputs again, so input is paid per variant.
 */
export function estimateCostUsd(
  model: string,
  request: { inputImages: number; promptChars: number; variants: number },
): number {
  const limits = modelLimits(model);
  const inputTokens = request.inputImages * limits.inputTokensPerImage + Math.ceil(request.promptChars / CHARS_PER_TOKEN);
  const perCall =
    (inputTokens * limits.inputUsdPerMillion + limits.outputTokensPerImage * limits.imageOutputUsdPerMillion) / 1_000_000;
  return perCall * Math.max(0, request.variants);
}

/** The token counts of a response, in the shape the API reports them. */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  candidatesTokensDetails?: ReadonlyArray<{ modality?: string; tokenCount?: number }>;
}

/**
 * What a call cost, in USD, from its usage metadata. The API counts output images in
 * `candidatesTokenCount`; when the per-modality breakdown is present, text tokens are billed at
 * the text rate, otherwise every candidate token is billed as image output (the higher rate).
 */
export function actualCostUsd(model: string, usage: GeminiUsageMetadata | undefined): number {
  if (!usage) return 0;
  const limits = modelLimits(model);
  const prompt = usage.promptTokenCount ?? 0;
  const candidates = usage.candidatesTokenCount ?? 0;
  const thoughts = usage.thoughtsTokenCount ?? 0;
  const details = usage.candidatesTokensDetails;
  let imageTokens = candidates;
  if (details && details.length > 0) {
    imageTokens = details
      .filter((detail) => detail.modality === 'IMAGE')
      .reduce((sum, detail) => sum + (detail.tokenCount ?? 0), 0);
  }
  const textTokens = candidates - imageTokens + thoughts;
  return (
    (prompt * limits.inputUsdPerMillion +
      imageTokens * limits.imageOutputUsdPerMillion +
      textTokens * limits.textOutputUsdPerMillion) /
    1_000_000
  );
}
