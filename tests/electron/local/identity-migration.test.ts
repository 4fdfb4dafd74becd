import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/services/library/database.js';
import { migrations, SCHEMA_VERSION } from '../../../electron/services/library/migrations.js';
import { Library } from '../../../electron/services/library/library.js';
import { AssetStore } from '../../../electron/services/assets.js';
import { Projects } from '../../../electron/services/projects.js';
import { StoredImages } from '../../../electron/services/stored-images.js';
import { tempDir } from '../../support/fixtures.js';

const identity = migrations.find((m) => m.sql.includes('CREATE TABLE identity_checks'))!;

describe('the identity-checks migration', () => {
  it('upgrades a database holding projects, steps and characters, and keeps every row', () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'before-identity.sqlite3');
      const old = openDatabase(file, { upTo: identity.version - 1 });
      expect(old.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'identity_checks'").pluck().get()).toBe(0);
      old.prepare(
        `INSERT INTO photos (id, sha256, file_name, format, byte_size, width, height, imported_at) VALUES (3, ?, 'her.png', 'png', 10, 512, 512, '2025-01-01')`,
      ).run('b'.repeat(64));
      old.prepare("INSERT INTO projects (id, name, photo_id, width, height, head_step_id, tip_step_id, created_at, updated_at) VALUES (5, 'her', 3, 512, 512, 's2', 's2', 'x', 'x')").run();
      const base = { type: 'addImageLayer', layerId: 'base', name: 'her.png', sha256: 'b'.repeat(64), x: 0, y: 0, width: 512, height: 512 };
      const ai = {
        type: 'aiEdit',
        layerId: 'ai1',
        name: 'sunny',
        sha256: 'c'.repeat(64),
        x: 0,
        y: 0,
        width: 512,
        height: 512,
        generated: { provider: 'gemini', model: 'm', prompt: 'sunny', variants: ['c'.repeat(64)], references: [], costUsd: 0.04, jobId: 'job-1' },
      };
      const insertStep = old.prepare('INSERT INTO steps (id, project_id, parent_id, seq, kind, label, op_json, output_sha256, created_at) VALUES (?, 5, ?, ?, ?, ?, ?, ?, ?)');
      insertStep.run('s1', null, 1, 'addImageLayer', 'Add her.png', JSON.stringify(base), null, '2025-01-01');
      insertStep.run('s2', 's1', 2, 'aiEdit', 'Gemini: “sunny”', JSON.stringify(ai), 'c'.repeat(64), '2025-01-02');
      old.prepare("INSERT INTO characters (id, name, created_at) VALUES (9, 'Eileen', 'x')").run();
      old.prepare('INSERT INTO character_photos (character_id, photo_id, position) VALUES (9, 3, 0)').run();
      old.close();

      const db = openDatabase(file);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT count(*) FROM steps WHERE project_id = 5').pluck().get()).toBe(2);
      expect(db.prepare('SELECT photo_id FROM character_photos WHERE character_id = 9').pluck().get()).toBe(3);
      // A check can be stored for the old step, and the project shows it on that step.
      db.prepare(
        `INSERT INTO identity_checks (step_id, sha256, subject, project_id, character_id, character_name, verdict, distance, result_json, checked_at)
         VALUES ('s2', ?, 'original', 5, NULL, NULL, 'same', 0.21, ?, 'x'), ('s2', ?, 'character:9', 5, 9, 'Eileen', 'changed', 0.7, '{"referenceFaces":1}', 'x')`,
      ).run('c'.repeat(64), JSON.stringify({ verdict: 'same', distance: 0.21, faces: { original: 1, result: 1 }, pairs: [] }), 'c'.repeat(64));
      expect(() => db.prepare("INSERT INTO identity_checks (step_id, sha256, subject, project_id, verdict, result_json, checked_at) VALUES ('nope', 'x', 'original', 5, 'same', '{}', 'x')").run()).toThrow(
        /FOREIGN KEY/,
      );
      const library = new Library(db);
      const projects = new Projects(db, library, new StoredImages(db, new AssetStore(tmp.dir)));
      const steps = projects.state(5).steps;
      expect(steps[0]!.identity).toBeUndefined();
      expect(steps[1]!.identity).toMatchObject({
        verdict: 'same',
        distance: 0.21,
        sha256: 'c'.repeat(64),
        characters: [{ characterId: 9, name: 'Eileen', verdict: 'changed', distance: 0.7, referenceFaces: 1 }],
      });
      // Deleting the character keeps the score, without the link.
      db.prepare('DELETE FROM characters WHERE id = 9').run();
      expect(db.prepare("SELECT character_id, character_name FROM identity_checks WHERE subject = 'character:9'").get()).toEqual({ character_id: null, character_name: 'Eileen' });
      db.close();
    } finally {
      tmp.cleanup();
    }
  });
});
