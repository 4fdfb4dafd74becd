/** The contract's `presets.*` and `sessions.*` calls, for the handler map in services/index.ts. */
import type { Handlers } from '../../../shared/contract/dispatch.js';
import type { Sessions } from './sessions.js';

export function sessionHandlers(sessions: Sessions): Partial<Handlers> {
  const { presets } = sessions;
  return {
    'presets.list': () => presets.list(),
    'presets.create': (input) => presets.create(input),
    'presets.update': ({ id, ...patch }) => presets.update(id, patch),
    'presets.delete': ({ id }) => {
      presets.delete(id);
      return null;
    },
    'presets.export': ({ ids }) => ({ json: presets.exportJson(ids) }),
    'presets.import': ({ json }) => ({ imported: presets.importJson(json) }),
    'sessions.getSettings': () => sessions.getSettings(),
    'sessions.setSettings': (patch) => sessions.setSettings(patch),
    'sessions.create': (input) => sessions.create(input),
    'sessions.list': () => sessions.list(),
    'sessions.get': ({ sessionId }) => sessions.detail(sessionId),
    'sessions.start': ({ sessionId }) => sessions.start(sessionId),
    'sessions.pause': ({ sessionId }) => sessions.pause(sessionId),
    'sessions.cancel': ({ sessionId }) => sessions.cancel(sessionId),
    'sessions.delete': ({ sessionId }) => {
      sessions.delete(sessionId);
      return null;
    },
    'sessions.review': ({ sessionId, itemId, decision }) => sessions.review(sessionId, itemId, decision),
    'sessions.retry': ({ sessionId, itemId, prompt }) => sessions.retry(sessionId, itemId, prompt),
    'sessions.preview': ({ sessionId, itemId, maxEdge }) => sessions.preview(sessionId, itemId, maxEdge),
    'sessions.exportAccepted': async ({ sessionId, options, folder }) => {
      const { job, count } = await sessions.exportAccepted(sessionId, options, folder);
      return { jobId: job.jobId, count };
    },
  };
}
