/**
 * Presets: named recipes in English and Chinese with the engine each prefers, in SQLite
 * (seeded by migration 6), editable, and exchanged as JSON files.
 */
import { PresetInput as PresetInputSchema, PresetsFile, type Preset, type PresetInput } from '../../../shared/contract/api.js';
import { UserFacingError } from '../../../shared/contract/result.js';
import type { Db } from '../library/database.js';

interface PresetRow {
  id: number;
  slug: string | null;
  name_en: string;
  name_zh: string;
  steps_json: string;
  engine: 'local' | 'gemini';
  builtin: number;
  updated_at: string;
}

export class Presets {
  constructor(private readonly db: Db) {}

  list(): Preset[] {
    return (this.db.prepare('SELECT * FROM presets ORDER BY builtin DESC, id').all() as PresetRow[]).map(toPreset);
  }

  get(id: number): Preset {
    const row = this.db.prepare('SELECT * FROM presets WHERE id = ?').get(id) as PresetRow | undefined;
    if (!row) throw new UserFacingError('not-found', `There is no preset with id ${id}.`);
    return toPreset(row);
  }

  /** A preset by id ("3"), slug ("restore-old-photo") or name in either language, case-insensitively; null if none. */
  find(nameOrId: string): Preset | null {
    const text = nameOrId.trim();
    const byId = /^(?:preset:)?([1-9][0-9]*)$/.exec(text);
    const row = (
      byId
        ? this.db.prepare('SELECT * FROM presets WHERE id = ?').get(Number(byId[1]))
        : this.db
            .prepare('SELECT * FROM presets WHERE slug = @text OR lower(name_en) = lower(@text) OR name_zh = @text ORDER BY builtin DESC, id LIMIT 1')
            .get({ text })
    ) as PresetRow | undefined;
    return row ? toPreset(row) : null;
  }

  create(input: PresetInput): Preset {
    const preset = PresetInputSchema.parse(input);
    const now = new Date().toISOString();
    const id = Number(
      this.db
        .prepare('INSERT INTO presets (name_en, name_zh, steps_json, engine, builtin, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)')
        .run(preset.nameEn, preset.nameZh, JSON.stringify(preset.steps), preset.engine, now, now).lastInsertRowid,
    );
    return this.get(id);
  }

  update(id: number, patch: Partial<PresetInput>): Preset {
    const current = this.get(id);
    const next = PresetInputSchema.parse({
      nameEn: patch.nameEn ?? current.nameEn,
      nameZh: patch.nameZh ?? current.nameZh,
      steps: patch.steps ?? current.steps,
      engine: patch.engine ?? current.engine,
    });
    this.db
      .prepare('UPDATE presets SET name_en = ?, name_zh = ?, steps_json = ?, engine = ?, updated_at = ? WHERE id = ?')
      .run(next.nameEn, next.nameZh, JSON.stringify(next.steps), next.engine, new Date().toISOString(), id);
    return this.get(id);
  }

  /** Sessions keep their own copy of the recipe, so deleting a preset changes no session. */
  delete(id: number): void {
    this.get(id);
    this.db.prepare('DELETE FROM presets WHERE id = ?').run(id);
  }

  /** The presets (all, or these) as a PresetsFile document. */
  exportJson(ids?: number[]): string {
    const chosen = ids ? ids.map((id) => this.get(id)) : this.list();
    const file = {
      format: 'promptroom-presets' as const,
      version: 1 as const,
      presets: chosen.map(({ nameEn, nameZh, steps, engine }) => ({ nameEn, nameZh, steps, engine })),
    };
    return `${JSON.stringify(file, null, 2)}\n`;
  }

  /** Adds every preset of a PresetsFile document in one transaction; a clashing name gets “(2)”. */
  importJson(json: string): number {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new UserFacingError('invalid-argument', 'That is not a presets file: it is not JSON.');
    }
    const file = PresetsFile.safeParse(parsed);
    if (!file.success) {
      const issue = file.error.issues[0];
      throw new UserFacingError('invalid-argument', `That is not a Promptroom presets file (${issue ? `${issue.path.join('.') || 'top'}: ${issue.message}` : 'unknown shape'}).`);
    }
    const taken = new Set((this.db.prepare('SELECT lower(name_en) FROM presets').pluck().all() as string[]));
    this.db.transaction(() => {
      for (const preset of file.data.presets) {
        let nameEn = preset.nameEn;
        let nameZh = preset.nameZh;
        for (let n = 2; taken.has(nameEn.toLowerCase()); n++) {
          nameEn = `${preset.nameEn} (${n})`;
          nameZh = `${preset.nameZh}（${n}）`;
        }
        taken.add(nameEn.toLowerCase());
        this.create({ ...preset, nameEn, nameZh });
      }
    })();
    return file.data.presets.length;
  }
}

function toPreset(row: PresetRow): Preset {
  return {
    id: row.id,
    nameEn: row.name_en,
    nameZh: row.name_zh,
    steps: JSON.parse(row.steps_json) as Preset['steps'],
    engine: row.engine,
    builtin: row.builtin === 1,
    updatedAt: row.updated_at,
  };
}
