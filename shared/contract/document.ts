/**
 * Runtime schemas for the document model's operations, so a malformed step from the renderer
 * (a parameter out of range, an unknown layer kind) is refused before it reaches the history.
 */
import { z } from 'zod';
import type { Operation } from '../document/model.js';
import type { Adjustment } from '../imaging/types.js';
import { BLEND_MODES } from '../imaging/types.js';

const Sha = z.string().regex(/^[0-9a-f]{64}$/);
const LayerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const Amount = z.number().min(-100).max(100);
const Byte = z.number().min(0).max(255);
const Coordinate = z.number().min(-1e6).max(1e6);
const Gamma = z.number().min(0.1).max(10);

export const AdjustmentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exposure'), stops: z.number().min(-5).max(5) }).strict(),
  z.object({ kind: z.literal('brightness'), amount: Amount }).strict(),
  z.object({ kind: z.literal('contrast'), amount: Amount }).strict(),
  z.object({ kind: z.literal('saturation'), amount: Amount }).strict(),
  z.object({ kind: z.literal('vibrance'), amount: Amount }).strict(),
  z.object({ kind: z.literal('temperatureTint'), temperature: Amount, tint: Amount }).strict(),
  z.object({ kind: z.literal('hue'), degrees: z.number().min(-180).max(180) }).strict(),
  z.object({ kind: z.literal('blackWhite') }).strict(),
  z.object({ kind: z.literal('sepia'), amount: z.number().min(0).max(100) }).strict(),
  z.object({ kind: z.literal('blur'), radius: z.number().min(0).max(100) }).strict(),
  z.object({ kind: z.literal('sharpen'), amount: z.number().min(0).max(500), radius: z.number().min(0.1).max(10) }).strict(),
  z
    .object({ kind: z.literal('levels'), inBlack: Byte, inWhite: Byte, gamma: z.number().min(0.1).max(10), outBlack: Byte, outWhite: Byte })
    .strict()
    .refine((v) => v.inBlack < v.inWhite, 'levels need input black below input white'),
  z
    .object({ kind: z.literal('curve'), points: z.array(z.object({ x: Byte, y: Byte }).strict()).min(2).max(16) })
    .strict()
    .refine((v) => v.points.every((p, i) => i === 0 || p.x > v.points[i - 1]!.x), 'curve points must go left to right'),
  z
    .object({
      kind: z.literal('channelLevels'),
      redBlack: Byte,
      redWhite: Byte,
      redGamma: Gamma,
      greenBlack: Byte,
      greenWhite: Byte,
      greenGamma: Gamma,
      blueBlack: Byte,
      blueWhite: Byte,
      blueGamma: Gamma,
    })
    .strict()
    .refine((v) => v.redBlack < v.redWhite && v.greenBlack < v.greenWhite && v.blueBlack < v.blueWhite, 'channel levels need each black below its white'),
]) satisfies z.ZodType<Adjustment>;

export const MaskStrokeSchema = z
  .object({
    points: z.array(z.object({ x: Coordinate, y: Coordinate }).strict()).min(1).max(10_000),
    size: z.number().min(1).max(5000),
    hardness: z.number().min(0).max(1),
    erase: z.boolean(),
  })
  .strict();

const CropSchema = z
  .object({ x: z.number().min(0), y: z.number().min(0), width: z.number().min(1), height: z.number().min(1) })
  .strict();

/** Operations the renderer may propose. */
export const OperationSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('addImageLayer'),
      layerId: LayerIdSchema,
      name: z.string().min(1).max(200),
      sha256: Sha,
      x: Coordinate,
      y: Coordinate,
      width: z.number().int().min(1).max(100_000),
      height: z.number().int().min(1).max(100_000),
    })
    .strict(),
  z.object({ type: z.literal('addAdjustmentLayer'), layerId: LayerIdSchema, name: z.string().min(1).max(200), adjustment: AdjustmentSchema }).strict(),
  z.object({ type: z.literal('setAdjustment'), layerId: LayerIdSchema, adjustment: AdjustmentSchema }).strict(),
  z
    .object({
      type: z.literal('setLayerProps'),
      layerId: LayerIdSchema,
      props: z
        .object({
          name: z.string().min(1).max(200).optional(),
          visible: z.boolean().optional(),
          opacity: z.number().min(0).max(1).optional(),
          blendMode: z.enum(BLEND_MODES).optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ type: z.literal('moveLayer'), layerId: LayerIdSchema, toIndex: z.number().int().min(0).max(10_000) }).strict(),
  z.object({ type: z.literal('duplicateLayer'), layerId: LayerIdSchema, newLayerId: LayerIdSchema }).strict(),
  z.object({ type: z.literal('deleteLayer'), layerId: LayerIdSchema }).strict(),
  z.object({ type: z.literal('addMask'), layerId: LayerIdSchema }).strict(),
  z.object({ type: z.literal('paintMask'), layerId: LayerIdSchema, stroke: MaskStrokeSchema }).strict(),
  z
    .object({ type: z.literal('setMaskProps'), layerId: LayerIdSchema, inverted: z.boolean().optional(), feather: z.number().min(0).max(1000).optional() })
    .strict(),
  z.object({ type: z.literal('clearMask'), layerId: LayerIdSchema }).strict(),
  z.object({ type: z.literal('deleteMask'), layerId: LayerIdSchema }).strict(),
  z
    .object({
      type: z.literal('setTransform'),
      transform: z
        .object({
          crop: CropSchema.nullable().optional(),
          quarterTurns: z.number().int().min(0).max(3).optional(),
          straighten: z.number().min(-45).max(45).optional(),
          flipHorizontal: z.boolean().optional(),
          flipVertical: z.boolean().optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ type: z.literal('chooseVariant'), layerId: LayerIdSchema, sha256: Sha }).strict(),
]);

/** AI edits are committed only by the job queue in the main process, never proposed by the renderer. */
export const GeneratedBySchema = z.object({
  provider: z.enum(['gemini', 'local']),
  model: z.string(),
  prompt: z.string(),
  variants: z.array(Sha),
  references: z.array(Sha),
  costUsd: z.number(),
  jobId: z.string(),
});

const AiEditSchema = z.object({
  type: z.literal('aiEdit'),
  layerId: LayerIdSchema,
  name: z.string(),
  sha256: Sha,
  x: z.number(),
  y: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  generated: GeneratedBySchema,
});

/** Any step's operation, as stored and sent to the renderer. */
export const StoredOperationSchema = z.union([OperationSchema, AiEditSchema]) satisfies z.ZodType<Operation>;

/** Faces before and after an edit: the same person, a changed identity, or nothing to compare. */
export const IdentityVerdict = z.enum(['same', 'changed', 'no-face', 'face-lost']);

const FaceBox = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

/** One face of the original and the face of the result that is most like it. */
export const FacePairSchema = z.object({
  original: FaceBox,
  result: FaceBox.nullable(),
  /** Euclidean distance of the two 128-number face descriptors; below 0.6 is the same person. */
  distance: z.number().nullable(),
});

/** How close an edit's faces are to a character's reference photos (`@Name`). */
export const CharacterConsistencySchema = z.object({
  characterId: z.number().int(),
  name: z.string(),
  verdict: IdentityVerdict,
  distance: z.number().nullable(),
  /** Faces found in the character's reference photos. */
  referenceFaces: z.number().int(),
});

/** The identity check of one image a step produced (its output, or one of its variants). */
export const IdentityCheckSchema = z.object({
  verdict: IdentityVerdict,
  /** The largest distance among the original's faces (the one most changed); null without a pair. */
  distance: z.number().nullable(),
  faces: z.object({ original: z.number().int(), result: z.number().int() }),
  pairs: z.array(FacePairSchema),
  characters: z.array(CharacterConsistencySchema),
});

/** On a step that made new pixels: the check of what it shows, and of each of its variants. */
export const StepIdentitySchema = IdentityCheckSchema.extend({
  sha256: Sha,
  variants: z.array(IdentityCheckSchema.extend({ sha256: Sha })),
});

export const StepSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  op: StoredOperationSchema,
  label: z.string(),
  createdAt: z.string(),
  outputSha256: Sha.nullable(),
  /** Faces compared before and after, once the background check has run (steps with new pixels). */
  identity: StepIdentitySchema.optional(),
});

export const ProjectSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  photoId: z.number().int().positive(),
  width: z.number().int(),
  height: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ProjectState = z.object({
  project: ProjectSchema,
  steps: z.array(StepSchema),
  head: z.string().nullable(),
  tip: z.string().nullable(),
});

export type ProjectState = z.infer<typeof ProjectState>;
export type IdentityVerdict = z.infer<typeof IdentityVerdict>;
export type IdentityCheck = z.infer<typeof IdentityCheckSchema>;
export type StepIdentity = z.infer<typeof StepIdentitySchema>;
export type CharacterConsistency = z.infer<typeof CharacterConsistencySchema>;
export type Project = z.infer<typeof ProjectSchema>;
