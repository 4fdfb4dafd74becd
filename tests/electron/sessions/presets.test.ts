import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/services/library/database.js';
import type { Services } from '../../../electron/services/index.js';
import { splitChain } from '../../../electron/services/sessions/recipe.js';
import { tempDir } from '../../support/fixtures.js';
import { openLibrary } from './helpers.js';

describe('presets', () => {
  const tmp = tempDir();
  let services: Services;
  beforeAll(async () => {
    services = await openLibrary(tmp.dir);
  });
  afterAll(() => {
    services.close();
    tmp.cleanup();
  });

  it('come seeded with the defaults, in English and Chinese, with the engine each prefers', () => {
    const presets = services.sessions.presets.list();
    const byName = new Map(presets.map((p) => [p.nameEn, p]));
    for (const name of ['Restore an old photo', 'Remove scratches and dust', 'Colourize', 'Passport photo', 'Product on white', 'Studio portrait light', 'Blur the background']) {
      expect(byName.get(name), name).toBeDefined();
      expect(byName.get(name)!.builtin).toBe(true);
    }
    expect(byName.get('Restore an old photo')).toMatchObject({ nameZh: '修复老照片', engine: 'local' });
    expect(byName.get('Colourize')!.engine).toBe('gemini');
    expect(byName.get('Restore, colourize, crop to 4:5')!.steps.map((s) => s.engine)).toEqual(['local', null, 'local']);
    expect(services.sessions.presets.find('修复老照片')!.nameEn).toBe('Restore an old photo');
    expect(services.sessions.presets.find('restore-old-photo')!.nameEn).toBe('Restore an old photo');
    expect(services.sessions.presets.find('make it pop')).toBeNull();
  });

  it('are created, edited and deleted', () => {
    const created = services.sessions.presets.create({ nameEn: 'Warm and crisp', nameZh: '暖而清晰', steps: [{ prompt: 'warmer', engine: null }, { prompt: 'sharpen', engine: 'local' }], engine: 'local' });
    expect(created).toMatchObject({ nameEn: 'Warm and crisp', builtin: false, steps: [{ prompt: 'warmer', engine: null }, { prompt: 'sharpen', engine: 'local' }] });
    const updated = services.sessions.presets.update(created.id, { nameZh: '暖色清晰', steps: [{ prompt: 'warmer', engine: null }] });
    expect(updated).toMatchObject({ nameEn: 'Warm and crisp', nameZh: '暖色清晰', steps: [{ prompt: 'warmer', engine: null }] });
    expect(() => services.sessions.presets.update(created.id, { steps: [] })).toThrow();
    services.sessions.presets.delete(created.id);
    expect(() => services.sessions.presets.get(created.id)).toThrow(/no preset/);
  });

  it('go out as JSON and come back the same; a clashing name gets a number', async () => {
    const mine = services.sessions.presets.create({ nameEn: 'Shoebox', nameZh: '鞋盒', steps: [{ prompt: 'restore this photo', engine: 'local' }, { prompt: 'crop to 4:5', engine: null }], engine: 'gemini' });
    const json = services.sessions.presets.exportJson([mine.id]);
    expect(JSON.parse(json)).toEqual({ format: 'promptroom-presets', version: 1, presets: [{ nameEn: 'Shoebox', nameZh: '鞋盒', steps: mine.steps, engine: 'gemini' }] });

    const other = tempDir();
    const fresh = await openLibrary(other.dir);
    try {
      expect(fresh.sessions.presets.importJson(json)).toBe(1);
      const back = fresh.sessions.presets.find('Shoebox')!;
      expect({ ...back, id: 0, updatedAt: '' }).toEqual({ ...mine, id: 0, updatedAt: '' });
      // Every preset of one library into another: all of them arrive, clashing names numbered.
      const all = services.sessions.presets.exportJson();
      const before = fresh.sessions.presets.list().length;
      expect(fresh.sessions.presets.importJson(all)).toBe(services.sessions.presets.list().length);
      expect(fresh.sessions.presets.list().length).toBe(before + services.sessions.presets.list().length);
      expect(fresh.sessions.presets.find('Shoebox (2)')?.nameZh).toBe('鞋盒（2）');
    } finally {
      fresh.close();
      other.cleanup();
    }
    expect(() => services.sessions.presets.importJson('{"format":"something else"}')).toThrow(/not a Promptroom presets file/);
    expect(() => services.sessions.presets.importJson('not json')).toThrow(/not JSON/);
  });

  it('go through the contract handlers too', async () => {
    const list = await services.handlers['presets.list']!({});
    expect(list.length).toBeGreaterThanOrEqual(8);
    const { json } = await services.handlers['presets.export']!({ ids: [list[0]!.id] });
    expect(JSON.parse(json).presets).toHaveLength(1);
  });
});

describe('a chained prompt', () => {
  it.each([
    ['restore, then colourize, then crop to 4:5', ['restore', 'colourize', 'crop to 4:5']],
    ['restore then crop to 4:5', ['restore', 'crop to 4:5']],
    ['make it warmer and then sharpen', ['make it warmer', 'sharpen']],
    ['修复，然后上色，再裁成 4:5', ['修复', '上色', '裁成 4:5']],
    ['brighter; more contrast → black and white', ['brighter', 'more contrast', 'black and white']],
    ['Put the product on a pure white background with a soft shadow.', ['Put the product on a pure white background with a soft shadow']],
  ])('“%s” is cut into its steps', (text, steps) => {
    expect(splitChain(text)).toEqual(steps);
  });
});

describe('migration 6', () => {
  it('upgrades a library holding photos and projects: presets seeded, sessions work on the old photos', async () => {
    const tmp = tempDir();
    try {
      const old = openDatabase(path.join(tmp.dir, 'library.sqlite3'), { upTo: 5 });
      old.prepare(`INSERT INTO photos (id, sha256, file_name, format, byte_size, width, height, imported_at) VALUES (7, ?, 'old.jpg', 'jpeg', 100, 64, 48, '2020-01-01T00:00:00Z')`).run('a'.repeat(64));
      old.prepare(`INSERT INTO projects (id, name, photo_id, width, height, created_at, updated_at) VALUES (3, 'kept', 7, 64, 48, '2020-01-01', '2020-01-01')`).run();
      expect(old.pragma('user_version', { simple: true })).toBe(5);
      old.close();

      const services = await openLibrary(tmp.dir);
      try {
        expect(services.library.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(6);
        expect(services.projects.list().map((p) => p.name)).toEqual(['kept']);
        expect(services.sessions.presets.list().filter((p) => p.builtin).length).toBe(8);
        const session = services.sessions.create({ photoIds: [7], recipe: { presetId: services.sessions.presets.find('Colourize')!.id } });
        expect(session).toMatchObject({ total: 1, engine: 'gemini', mode: 'direct', state: 'ready' });
        expect(services.projects.list(7)).toHaveLength(2);
      } finally {
        services.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
