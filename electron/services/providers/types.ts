/**
 * The provider interface: something that turns (prompt, images, options) into output images.
 * The Gemini provider (cloud) and the local engine (offline) both implement it; the job queue
 * only ever talks to this.
 */

export interface ProviderImage {
  /** Encoded bytes (PNG or JPEG), already at the provider's working size, metadata stripped. */
  bytes: Uint8Array;
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
}

export interface ReferenceImage extends ProviderImage {
  /** 'style' marks a style reference for style transfer. */
  role: 'reference' | 'style';
  /** A name the prompt may use ("image 2", "@Milo"). */
  label?: string;
}

/** One earlier turn of a conversation on the same layer, so follow-ups keep the model's context. */
export interface ConversationTurn {
  prompt: string;
  output: ProviderImage;
}

export interface EditRequest {
  prompt: string;
  model: string;
  /** The image being edited (the region's crop with context padding, for a masked edit). */
  image: ProviderImage | null;
  references: ReferenceImage[];
  conversation: ConversationTurn[];
  /** How many results to ask for. */
  variants: number;
  aspectRatio?: string;
  signal?: AbortSignal;
}

export interface EditUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface EditResult {
  images: ProviderImage[];
  /** Any text the model answered alongside (or instead of) images. */
  text: string;
  usage: EditUsage;
  model: string;
}

export type ProviderFailureKind =
  | 'blocked' // promptFeedback.blockReason
  | 'safety' // finishReason IMAGE_SAFETY / SAFETY / PROHIBITED_CONTENT
  | 'no-image' // finishReason NO_IMAGE, or text but no image
  | 'auth' // 401/403, invalid key
  | 'quota' // 429 with quota exhausted (no point retrying today)
  | 'rate-limit' // 429, retry later
  | 'server' // 500/502/503/504
  | 'timeout'
  | 'network' // no connection: wait for the network
  | 'bad-request' // 400
  | 'cancelled'
  | 'unsupported'; // the provider cannot do this (the local engine and "add a dragon")

const RETRYABLE: ReadonlySet<ProviderFailureKind> = new Set(['rate-limit', 'server', 'timeout']);

/** A failure with a message a person can read, and whether trying again may help. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly retryable: boolean;

  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; text?: string } = {},
  ) {
    super(message);
    this.retryable = RETRYABLE.has(kind);
  }
}

export interface Provider {
  readonly id: 'gemini' | 'local';
  edit(request: EditRequest): Promise<EditResult>;
}
