import { useCallback, useEffect, useRef, useState } from 'react';
import type { Preset, SessionDetail, SessionSummary } from '../../shared/contract/api.js';
import { useApp, useHostEvent } from '../app/context.js';
import { formatUsd, idsFromHash } from './format.js';
import { NewSession } from './NewSession.js';
import { PresetsPanel } from './PresetsPanel.js';
import { ReviewGrid } from './ReviewGrid.js';
import { RunPanel } from './RunPanel.js';
import { SESSION_STATE_KEYS } from './keys.js';
import './sessions.css';

/** How often a running session's photos are fetched again at most (progress events come faster). */
const DETAIL_REFRESH_MS = 600;

/** The Sessions page: the list of sessions, a new one, presets, and the run and review of the chosen one. */
export function SessionsView() {
  const { client, t, tn, attempt } = useApp();
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [presets, setPresets] = useState<Preset[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const [panel, setPanel] = useState<'none' | 'new' | 'presets'>(() => (idsFromHash(window.location.hash).length > 0 ? 'new' : 'none'));
  const [handedIds] = useState<number[]>(() => idsFromHash(window.location.hash));
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const loadList = useCallback(async () => {
    const list = await attempt(client.call('sessions.list', {}));
    if (list) {
      setSessions(list);
      setSelected((current) => current ?? list[0]?.sessionId ?? null);
    }
  }, [attempt, client]);

  const loadPresets = useCallback(async () => {
    const list = await attempt(client.call('presets.list', {}));
    if (list) setPresets(list);
  }, [attempt, client]);

  const loadDetail = useCallback(async () => {
    const id = selectedRef.current;
    if (id === null) return setDetail(null);
    const next = await client.call('sessions.get', { sessionId: id }).catch(() => null);
    if (next && next.sessionId === selectedRef.current) setDetail(next);
  }, [client]);

  useEffect(() => {
    void loadList();
    void loadPresets();
  }, [loadList, loadPresets]);

  useEffect(() => {
    setDetail(null);
    void loadDetail();
  }, [selected, loadDetail]);

  useHostEvent((event) => {
    if (event.type !== 'session.progress') return;
    const progress = event.progress;
    setSessions((list) => list.map((s) => (s.sessionId === progress.sessionId ? { ...s, ...progress } : s)));
    if (progress.sessionId !== selectedRef.current) return;
    setDetail((current) => (current ? { ...current, ...progress } : current));
    if (!refreshTimer.current) {
      refreshTimer.current = setTimeout(() => {
        refreshTimer.current = null;
        void loadDetail();
      }, DETAIL_REFRESH_MS);
    }
  });
  useEffect(() => () => void (refreshTimer.current && clearTimeout(refreshTimer.current)), []);

  const onChanged = useCallback(() => {
    void loadDetail();
    void loadList();
  }, [loadDetail, loadList]);

  return (
    <div className="page-view sessions-view" data-testid="sessions-view">
      <header className="toolbar">
        <h1 className="page-title">{t('sessions.title')}</h1>
        <span className="toolbar-spacer" />
        <button className={'button toggle' + (panel === 'presets' ? ' active' : '')} onClick={() => setPanel(panel === 'presets' ? 'none' : 'presets')} data-testid="sessions-presets">
          {t('presets.title')}
        </button>
        <button className="button primary" onClick={() => setPanel('new')} data-testid="sessions-new">
          {t('sessions.new')}
        </button>
      </header>
      <div className="sessions-body">
        <aside className="sessions-list" aria-label={t('sessions.title')}>
          {sessions.length === 0 && <p className="muted sessions-empty">{t('sessions.empty')}</p>}
          {sessions.map((session) => {
            const finished = session.done + session.failed;
            return (
              <button
                key={session.sessionId}
                className={'session-entry' + (session.sessionId === selected ? ' active' : '')}
                onClick={() => {
                  setSelected(session.sessionId);
                  setPanel('none');
                }}
                data-testid="session-entry"
              >
                <span className="session-entry-name">{session.name}</span>
                <span className="session-entry-meta muted">
                  {t(SESSION_STATE_KEYS[session.state])} · {tn('sessions.photoCount', session.total)}
                  {session.costUsd > 0 ? ` · ${formatUsd(session.costUsd)}` : ''}
                </span>
                <span className="progress">
                  <span className="progress-fill" style={{ width: `${session.total ? (finished / session.total) * 100 : 0}%` }} />
                </span>
              </button>
            );
          })}
        </aside>
        <main className="sessions-main">
          {panel === 'new' && (
            <NewSession
              presets={presets}
              initialPhotoIds={handedIds}
              onClose={() => setPanel('none')}
              onCreated={(session) => {
                setPanel('none');
                if (window.location.hash.startsWith('#/sessions/new')) window.history.replaceState(window.history.state, '', '#/sessions');
                setSelected(session.sessionId);
                void loadList();
              }}
            />
          )}
          {panel === 'presets' && <PresetsPanel presets={presets} onChanged={() => void loadPresets()} />}
          {panel === 'none' && detail && (
            <>
              <RunPanel
                session={detail}
                onChanged={(next) => {
                  setDetail((current) => (current ? { ...current, ...next } : current));
                  onChanged();
                }}
              />
              <ReviewGrid detail={detail} onChanged={onChanged} />
            </>
          )}
          {panel === 'none' && !detail && sessions.length === 0 && (
            <div className="sessions-intro">
              <h2>{t('sessions.introTitle')}</h2>
              <p className="muted">{t('sessions.intro')}</p>
              <button className="button primary" onClick={() => setPanel('new')}>
                {t('sessions.new')}
              </button>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}
