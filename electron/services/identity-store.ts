/**
 * The stored identity checks (table `identity_checks`, written by local/identity.ts) read back
 * for a project's steps. Only the database: Projects attaches them to the history it hands out
 * without loading the face models' code.
 */
import type { IdentityCheck, IdentityVerdict, StepIdentity } from '../../shared/contract/document.js';
import type { Step } from '../../shared/document/model.js';
import type { Db } from './library/database.js';

interface CheckRow {
  step_id: string;
  sha256: string;
  subject: string;
  character_id: number | null;
  character_name: string | null;
  verdict: IdentityVerdict;
  distance: number | null;
  result_json: string;
}

/** Stored checks of a project's steps (see `IdentityChecks.forProject`); reads only the database. */
export function identitiesOf(db: Db, projectId: number, steps: readonly Step[]): Map<string, StepIdentity> {
  const rows = db.prepare('SELECT * FROM identity_checks WHERE project_id = ? ORDER BY step_id, sha256, subject').all(projectId) as CheckRow[];
  const out = new Map<string, StepIdentity>();
  if (rows.length === 0) return out;
  const byStep = new Map<string, Map<string, IdentityCheck>>();
  for (const row of rows) {
    const images = byStep.get(row.step_id) ?? new Map<string, IdentityCheck>();
    byStep.set(row.step_id, images);
    if (row.subject === 'original') {
      const stored = JSON.parse(row.result_json) as Omit<IdentityCheck, 'characters'>;
      images.set(row.sha256, { ...stored, characters: images.get(row.sha256)?.characters ?? [] });
    } else {
      const check = images.get(row.sha256) ?? { verdict: 'no-face', distance: null, faces: { original: 0, result: 0 }, pairs: [], characters: [] };
      const { referenceFaces } = JSON.parse(row.result_json) as { referenceFaces: number };
      check.characters.push({ characterId: row.character_id ?? 0, name: row.character_name ?? '', verdict: row.verdict, distance: row.distance, referenceFaces });
      images.set(row.sha256, check);
    }
  }
  // The aiEdit step that made each AI layer, so a later chooseVariant finds its checks.
  const madeBy = new Map<string, string>();
  for (const step of steps) {
    if (step.op.type === 'aiEdit') madeBy.set(step.op.layerId, step.id);
  }
  for (const step of steps) {
    const source = step.op.type === 'aiEdit' ? step.id : step.op.type === 'chooseVariant' ? madeBy.get(step.op.layerId) : undefined;
    const images = source ? byStep.get(source) : undefined;
    if (!images) continue;
    const shown = step.op.type === 'aiEdit' || step.op.type === 'chooseVariant' ? step.op.sha256 : '';
    const check = images.get(shown);
    if (!check) continue;
    out.set(step.id, { ...check, sha256: shown, variants: [...images].map(([sha256, c]) => ({ ...c, sha256 })) });
  }
  return out;
}
