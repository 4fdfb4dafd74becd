/** The local engine's instruction grammar: text in, a plan of edits (or a reasoned refusal) out. */
export type {
  AutoOp,
  Bilingual,
  LocalAction,
  LocalCapabilities,
  LocalPlan,
  LocalPlanSteps,
  LocalRefusal,
  RasterOp,
  RasterParams,
  RefusalCode,
  TransformIntent,
} from './types.js';
export {
  INTENSITY,
  MAX_LOCAL_INSTRUCTION,
  MAX_PROMPT,
  chineseNumber,
  normalizeInstruction,
  planInstruction,
  refusal,
  restorationActions,
  type PlanOptions,
} from './parse.js';
export { orientedSize, resolveTransform } from './transform.js';
