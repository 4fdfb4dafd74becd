import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../electron/services/index.js';
import { LocalEngine } from '../../../electron/services/local/engine.js';
import { createEngineRunner } from '../../../electron/services/sessions/engine-runner.js';
import { tempDir } from '../../support/fixtures.js';
import { openLibrary, photoIds, writePhotos } from './helpers.js';

describe('a session on the full local engine', () => {
  const tmp = tempDir();
  let services: Services;
  let ids: number[];

  beforeAll(async () => {
    const lib = path.join(tmp.dir, 'lib');
    services = await openLibrary(lib, {
      localRunner: {
        // Built lazily: the runner needs the services' own projects and stores.
        apply: (projectId, text, signal) => runner().apply(projectId, text, signal),
        concurrency: 2,
      },
    });
    await services.runImport({ paths: await writePhotos(path.join(tmp.dir, 'photos'), 4) });
    ids = photoIds(services);
  }, 60_000);
  afterAll(() => {
    services.close();
    tmp.cleanup();
  });

  let built: ReturnType<typeof createEngineRunner> | null = null;
  function runner() {
    built ??= createEngineRunner({
      projects: services.projects,
      db: services.library.db,
      library: services.library,
      storedImages: services.storedImages,
      makeEngine: (projects) => new LocalEngine({ projects, storedImages: services.storedImages, locateImage: (sha) => services.locateImage(sha), library: services.library, runner: 'inline' }),
    });
    return built;
  }

  it('lands each instruction’s steps together, as the engine made them', async () => {
    const session = services.sessions.create({ photoIds: ids, recipe: { prompt: 'restore this photo, then sepia, then crop to 4:5' }, engine: 'local' });
    const done = await services.sessions.run(session.sessionId);
    expect(done).toMatchObject({ state: 'done', done: 4, failed: 0 });
    for (const item of services.sessions.detail(session.sessionId).items) {
      const steps = services.projects.state(item.projectId!).steps.slice(1);
      const labels = steps.map((s) => s.label);
      expect(new Set(labels).size, labels.join(' | ')).toBe(labels.length);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      expect(steps.at(-1)!.op.type).toBe('setTransform');
      expect(steps.at(-2)!.op.type).toBe('addAdjustmentLayer');
    }
  });

  it('passes on what the engine refuses, in its words', async () => {
    const session = services.sessions.create({ photoIds: ids.slice(0, 1), recipe: { prompt: 'add a dragon in the sky' }, engine: 'local' });
    await services.sessions.run(session.sessionId);
    const [item] = services.sessions.detail(session.sessionId).items;
    expect(item!.state).toBe('failed');
    expect(item!.error).toBeTruthy();
    expect(services.projects.state(item!.projectId!).steps).toHaveLength(1);
  });
});
