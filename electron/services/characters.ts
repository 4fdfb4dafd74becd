import { UserFacingError } from '../../shared/contract/result.js';
import type { Db } from './library/database.js';

export interface Character {
  id: number;
  name: string;
  photoIds: number[];
}

/** `@Name` in a prompt: letters (any script), digits, _ and -. */
const MENTION = /@([\p{L}\p{N}_-]+)/gu;

/** Named people, pets or products, each with reference photos that `@Name` attaches to an edit. */
export class Characters {
  constructor(private readonly db: Db) {}

  list(): Character[] {
    const rows = this.db.prepare('SELECT id, name FROM characters ORDER BY name COLLATE NOCASE').all() as { id: number; name: string }[];
    return rows.map((row) => ({ ...row, photoIds: this.photosOf(row.id) }));
  }

  create(name: string, photoIds: number[]): Character {
    assertName(name);
    const id = this.db.transaction(() => {
      let created: number;
      try {
        created = Number(this.db.prepare('INSERT INTO characters (name, created_at) VALUES (?, ?)').run(name, new Date().toISOString()).lastInsertRowid);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UserFacingError('conflict', `There is already a character named ${name}.`);
        throw error;
      }
      this.setPhotos(created, photoIds);
      return created;
    })();
    return { id, name, photoIds: this.photosOf(id) };
  }

  update(id: number, changes: { name?: string; photoIds?: number[] }): Character {
    this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM characters WHERE id = ?').get(id) === undefined) throw new UserFacingError('not-found', `There is no character with id ${id}.`);
      if (changes.name !== undefined) {
        assertName(changes.name);
        this.db.prepare('UPDATE characters SET name = ? WHERE id = ?').run(changes.name, id);
      }
      if (changes.photoIds) this.setPhotos(id, changes.photoIds);
    })();
    return this.list().find((c) => c.id === id)!;
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM characters WHERE id = ?').run(id).changes === 0) throw new UserFacingError('not-found', `There is no character with id ${id}.`);
  }

  /**
   * The reference photos `@Name` mentions bring, within `limit`: taken in turns (each character's
   * first photo, then each one's second…) so every character mentioned is represented.
   */
  referencesFor(prompt: string, limit: number): { photoIds: number[]; names: string[] } {
    const names = [...new Set([...prompt.matchAll(MENTION)].map((m) => m[1]!))];
    if (names.length === 0) return { photoIds: [], names: [] };
    const all = this.list();
    const found = names.map((name) => {
      const character = all.find((c) => c.name.localeCompare(name, undefined, { sensitivity: 'accent' }) === 0);
      if (!character) throw new UserFacingError('invalid-argument', `There is no character named @${name}. Create it in Characters first.`);
      if (character.photoIds.length === 0) throw new UserFacingError('invalid-argument', `@${character.name} has no reference photos yet.`);
      return character;
    });
    const photoIds: number[] = [];
    for (let round = 0; photoIds.length < limit; round++) {
      const taken = found.map((c) => c.photoIds[round]).filter((id): id is number => id !== undefined);
      if (taken.length === 0) break;
      for (const id of taken) if (photoIds.length < limit && !photoIds.includes(id)) photoIds.push(id);
    }
    return { photoIds, names: found.map((c) => c.name) };
  }

  /** The known characters a prompt names with `@Name` (unknown names are left out, never refused). */
  mentionedIn(prompt: string): Character[] {
    const names = new Set([...prompt.matchAll(MENTION)].map((m) => m[1]!));
    if (names.size === 0) return [];
    return this.list().filter((c) => [...names].some((name) => c.name.localeCompare(name, undefined, { sensitivity: 'accent' }) === 0));
  }

  private photosOf(id: number): number[] {
    return this.db.prepare('SELECT photo_id FROM character_photos WHERE character_id = ? ORDER BY position').pluck().all(id) as number[];
  }

  private setPhotos(id: number, photoIds: number[]): void {
    this.db.prepare('DELETE FROM character_photos WHERE character_id = ?').run(id);
    const insert = this.db.prepare('INSERT INTO character_photos (character_id, photo_id, position) VALUES (?, ?, ?)');
    [...new Set(photoIds)].forEach((photoId, position) => {
      if (this.db.prepare('SELECT 1 FROM photos WHERE id = ?').get(photoId) === undefined) throw new UserFacingError('not-found', `There is no photo with id ${photoId}.`);
      insert.run(id, photoId, position);
    });
  }
}

function assertName(name: string): void {
  if (!/^[\p{L}\p{N}_-]{1,60}$/u.test(name)) {
    throw new UserFacingError('invalid-argument', 'A character name is one word of letters, digits, _ or - (it is written @Name in prompts).');
  }
}
