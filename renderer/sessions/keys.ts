/** Message keys for the states the sessions page shows. */
import type { SessionItem, SessionSummary } from '../../shared/contract/api.js';
import type { MessageKey } from '../../shared/i18n/index.js';

export const SESSION_STATE_KEYS: Record<SessionSummary['state'], MessageKey> = {
  ready: 'sessions.state.ready',
  running: 'sessions.state.running',
  paused: 'sessions.state.paused',
  done: 'sessions.state.done',
  cancelled: 'sessions.state.cancelled',
};

export const ITEM_STATE_KEYS: Record<SessionItem['state'], MessageKey> = {
  pending: 'sessions.item.pending',
  running: 'sessions.item.running',
  done: 'sessions.item.done',
  failed: 'sessions.item.failed',
  accepted: 'sessions.item.accepted',
  rejected: 'sessions.item.rejected',
};
