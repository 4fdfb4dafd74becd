/**
 * Which engine an edit runs on, and why; the model's limits and price; money formatting. Pure:
 * the prompt bar and the settings view both read these.
 */
import type { CallOutput } from '../../shared/contract/api.js';

export type EngineStatus = CallOutput<'engine.status'>;
export type ModelInfo = EngineStatus['models'][number];

/** The person's choice in the prompt bar: let Promptroom decide, or pin one engine. */
export type EngineChoice = 'auto' | 'gemini' | 'local';

export type EngineReason =
  /** Gemini: a key is set and the computer is online. */
  | 'ready'
  /** Gemini was chosen but cannot send now: the job waits in the queue. */
  | 'chosen-no-key'
  | 'chosen-offline'
  /** Local: no key, offline, the photo may not be uploaded, or chosen. */
  | 'no-key'
  | 'offline'
  | 'never-upload'
  | 'chosen';

export interface EngineDecision {
  engine: 'gemini' | 'local';
  reason: EngineReason;
}

/** Decides the engine the way the prompt bar explains it. */
export function decideEngine(choice: EngineChoice, input: { keySet: boolean; online: boolean; neverUpload: boolean }): EngineDecision {
  if (choice === 'local') return { engine: 'local', reason: 'chosen' };
  if (choice === 'gemini') {
    // Said up front; the main process refuses the upload all the same.
    if (input.neverUpload) return { engine: 'gemini', reason: 'never-upload' };
    if (!input.keySet) return { engine: 'gemini', reason: 'chosen-no-key' };
    if (!input.online) return { engine: 'gemini', reason: 'chosen-offline' };
    return { engine: 'gemini', reason: 'ready' };
  }
  if (input.neverUpload) return { engine: 'local', reason: 'never-upload' };
  if (!input.keySet) return { engine: 'local', reason: 'no-key' };
  if (!input.online) return { engine: 'local', reason: 'offline' };
  return { engine: 'gemini', reason: 'ready' };
}

/** The fewest reference images any model takes: the limit for a model the table does not know. */
export const CAUTIOUS_REFERENCE_LIMIT = 3;

/** The model's row of the known table, or null for a model Promptroom does not know. */
export function modelInfo(status: EngineStatus | null, name: string): ModelInfo | null {
  return status?.models.find((model) => model.name === name) ?? null;
}

export function referenceLimit(info: ModelInfo | null): number {
  return info?.maxReferenceImages ?? CAUTIOUS_REFERENCE_LIMIT;
}

/** A budget: whole cents. */
export function formatBudget(amount: number): string {
  return Number.isFinite(amount) ? `$${amount.toFixed(2)}` : '—';
}

/** Dollars as a person reads them: cents for sums, a tenth of a cent for single edits. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '—';
  const abs = Math.abs(amount);
  const digits = abs === 0 ? 2 : abs < 1 ? 3 : 2;
  return `$${amount.toFixed(digits)}`;
}
