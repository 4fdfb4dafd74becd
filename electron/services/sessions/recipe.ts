/**
 * Recipes: what a session does to every photo. A preset's steps, or a prompt that may chain
 * several ("restore, then colourize, then crop to 4:5" / "修复，然后上色，再裁成 4:5").
 */
import type { EngineName } from '../../../shared/contract/api.js';

export interface RecipeStepSpec {
  prompt: string;
  /** Pinned to an engine, or null for the session's engine. */
  engine: EngineName | null;
}

export interface Recipe {
  /** What the session list shows. */
  label: string;
  presetId: number | null;
  steps: RecipeStepSpec[];
}

/** Where a chained prompt is cut: "then" (after a comma, "and", or alone), arrows, semicolons, 然后, 再. */
const CHAIN = /\s*(?:[,;，；]\s*)?(?:and\s+)?\bthen\b[,，]?\s*|\s*(?:->|→|[;；])\s*|\s*[,，]?\s*然后\s*|\s*[,，]\s*再\s*/i;

/** Splits a chained instruction into its steps; a plain instruction is one step. */
export function splitChain(text: string): string[] {
  const parts = text
    .split(CHAIN)
    .map((part) => part.trim().replace(/^[,，.。]+|[,，.。]+$/g, '').trim())
    .filter((part) => part.length > 0);
  return parts.length > 0 ? parts : [text.trim()];
}

/** A recipe from a prompt: one step per link of the chain, each on the session's engine. */
export function recipeFromPrompt(prompt: string): Recipe {
  const steps = splitChain(prompt).map((part) => ({ prompt: part, engine: null }));
  return { label: prompt.trim().length > 80 ? `${prompt.trim().slice(0, 79)}…` : prompt.trim(), presetId: null, steps };
}

/** The engine a step runs on: a local session never uploads, so pins to Gemini are ignored there. */
export function engineFor(step: RecipeStepSpec, sessionEngine: EngineName): EngineName {
  if (sessionEngine === 'local') return 'local';
  return step.engine ?? sessionEngine;
}
