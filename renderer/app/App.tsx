import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HostBridge } from '../../shared/contract/bridge.js';
import { createClient } from '../../shared/contract/bridge.js';
import { localeFromSystem, t, tn, type LocaleCode, type MessageKey, type MessageParams } from '../../shared/i18n/index.js';
import { CharactersView } from '../characters/CharactersView.js';
import { LibraryView } from '../library/LibraryView.js';
import { SettingsView } from '../settings/SettingsView.js';
import { SessionsView } from '../sessions/SessionsView.js';
// The navigation rail's styles live with the pages it leads to.
import '../settings/settings.css';
import { ConfirmDialog, type PendingConfirm } from './ConfirmDialog.js';
import { AppContext, errorMessage, type AppServices, type ToastInput } from './context.js';
import { Toasts, type Toast } from './Toasts.js';

// The editor (Konva, the render worker) loads only when a photo is opened for editing.
const EditorView = lazy(() => import('../editor/EditorView.js').then((module) => ({ default: module.EditorView })));

type Boot = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready' };

/** Which window shows: the library, a page, or the editor on a photo (kept in the address's hash so a reload stays). */
type Route = { view: 'library' } | { view: 'settings' } | { view: 'characters' } | { view: 'sessions' } | { view: 'editor'; photoId: number; projectId: number | null };

/** The navigation rail beside every window but the editor. */
const NAV_ITEMS: { view: 'library' | 'characters' | 'sessions' | 'settings'; label: MessageKey }[] = [
  { view: 'library', label: 'nav.library' },
  { view: 'characters', label: 'nav.characters' },
  { view: 'sessions', label: 'nav.sessions' },
  { view: 'settings', label: 'nav.settings' },
];

function routeFromHash(hash: string): Route {
  if (hash === '#/settings') return { view: 'settings' };
  if (hash === '#/characters') return { view: 'characters' };
  if (/^#\/sessions(\/|$)/.test(hash)) return { view: 'sessions' };
  const match = /^#\/edit\/(\d+)(?:\/(\d+))?$/.exec(hash);
  if (!match) return { view: 'library' };
  return { view: 'editor', photoId: Number(match[1]), projectId: match[2] ? Number(match[2]) : null };
}

function hashOf(route: Route): string {
  if (route.view === 'settings' || route.view === 'characters' || route.view === 'sessions') return `#/${route.view}`;
  return route.view === 'editor' ? `#/edit/${route.photoId}${route.projectId === null ? '' : `/${route.projectId}`}` : '';
}

export interface AppProps {
  bridge: HostBridge;
  initialLocale: LocaleCode;
  /** Told whenever the language changes (the bridge words its own errors with it). */
  onLocaleChange?: (locale: LocaleCode) => void;
}

export function App({ bridge, initialLocale, onLocaleChange }: AppProps) {
  const client = useMemo(() => createClient(bridge), [bridge]);
  const [locale, setLocaleState] = useState<LocaleCode>(initialLocale);
  const [boot, setBoot] = useState<Boot>({ status: 'loading' });
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [pendingConfirm, setPendingConfirm] = useState<PendingConfirm | null>(null);
  const nextToastId = useRef(1);
  const confirmRef = useRef<PendingConfirm | null>(null);
  const [route, setRoute] = useState<Route>(() => routeFromHash(window.location.hash));

  // The browser's Back and Forward move between the library and the editor.
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('popstate', onHash);
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('popstate', onHash);
      window.removeEventListener('hashchange', onHash);
    };
  }, []);

  const go = useCallback((next: Route, replace = false) => {
    const url = window.location.pathname + window.location.search + hashOf(next);
    if (replace) window.history.replaceState(window.history.state, '', url);
    else window.history.pushState(null, '', url);
    setRoute(next);
  }, []);
  const openEditor = useCallback((photoId: number) => go({ view: 'editor', photoId, projectId: null }), [go]);
  const closeEditor = useCallback(() => go({ view: 'library' }), [go]);
  const onProjectChange = useCallback(
    (projectId: number) => {
      const current = routeFromHash(window.location.hash);
      if (current.view === 'editor' && current.projectId !== projectId) go({ ...current, projectId }, true);
    },
    [go],
  );

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t(locale, 'app.name');
    onLocaleChange?.(locale);
  }, [locale, onLocaleChange]);

  const load = useCallback(async () => {
    setBoot({ status: 'loading' });
    try {
      const [info, settings] = await Promise.all([client.call('app.info', {}), client.call('settings.get', {})]);
      setLocaleState(settings.locale ?? localeFromSystem(info.systemLocale));
      setBoot({ status: 'ready' });
    } catch (error) {
      setBoot({ status: 'failed', message: errorMessage(error) });
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const dismissToast = useCallback((id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)), []);

  const toast = useCallback((input: ToastInput) => {
    const id = nextToastId.current++;
    // Keep the newest few: a burst of failures must not bury the window.
    setToasts((list) => [...list.slice(-3), { ...input, id }]);
    return id;
  }, []);

  const services = useMemo<AppServices>(() => {
    const attempt = async <T,>(work: Promise<T>): Promise<T | undefined> => {
      try {
        return await work;
      } catch (error) {
        toast({ kind: 'error', text: errorMessage(error) });
        return undefined;
      }
    };
    return {
      bridge,
      client,
      locale,
      t: (key: MessageKey, params?: MessageParams) => t(locale, key, params),
      tn: (key: MessageKey, n: number, params?: MessageParams) => tn(locale, key, n, params),
      setLocale(next) {
        setLocaleState(next);
        void attempt(client.call('settings.set', { locale: next }));
      },
      toast,
      dismissToast,
      attempt,
      confirm(text, confirmLabel) {
        return new Promise<boolean>((resolve) => {
          confirmRef.current?.resolve(false);
          const pending = { text, confirmLabel, resolve };
          confirmRef.current = pending;
          setPendingConfirm(pending);
        });
      },
    };
  }, [bridge, client, locale, toast, dismissToast]);

  // Anything that escapes a handler still reaches the person, never just the console.
  useEffect(() => {
    const onRejection = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      toast({ kind: 'error', text: errorMessage(event.reason) });
    };
    window.addEventListener('unhandledrejection', onRejection);
    return () => window.removeEventListener('unhandledrejection', onRejection);
  }, [toast]);

  return (
    <AppContext.Provider value={services}>
      {boot.status === 'ready' ? (
        route.view === 'editor' ? (
          <Suspense
            fallback={
              <div className="splash" data-testid="editor-loading">
                <div className="splash-mark" aria-hidden="true" />
              </div>
            }
          >
            <EditorView key={route.photoId} photoId={route.photoId} projectId={route.projectId} onClose={closeEditor} onProjectChange={onProjectChange} />
          </Suspense>
        ) : (
          <div className="app-frame">
            <nav className="app-rail" aria-label={t(locale, 'nav.label')} data-testid="app-nav">
              {NAV_ITEMS.map((item) => (
                <button
                  key={item.view}
                  className={'rail-item' + (route.view === item.view ? ' active' : '')}
                  data-testid={`nav-${item.view}`}
                  aria-current={route.view === item.view ? 'page' : undefined}
                  onClick={() => go({ view: item.view })}
                >
                  <span className={`rail-icon nav-${item.view}`} aria-hidden="true" />
                  {t(locale, item.label)}
                </button>
              ))}
            </nav>
            <div className="app-view">
              {route.view === 'settings' ? <SettingsView /> : route.view === 'characters' ? <CharactersView /> : route.view === 'sessions' ? <SessionsView /> : <LibraryView onEdit={openEditor} />}
            </div>
          </div>
        )
      ) : boot.status === 'loading' ? (
        <div className="splash" data-testid="app-loading">
          <div className="splash-mark" aria-hidden="true" />
          <p>{t(locale, 'app.loading')}</p>
        </div>
      ) : (
        <div className="splash" data-testid="app-load-failed" role="alert">
          <h1>{t(locale, 'app.loadFailed')}</h1>
          <p className="muted">{boot.message}</p>
          <button className="button primary" onClick={() => void load()}>
            {t(locale, 'app.retry')}
          </button>
        </div>
      )}
      <Toasts toasts={toasts} onDismiss={dismissToast} dismissLabel={t(locale, 'toast.dismiss')} />
      {pendingConfirm && (
        <ConfirmDialog
          pending={pendingConfirm}
          cancelLabel={t(locale, 'dialog.cancel')}
          defaultConfirmLabel={t(locale, 'dialog.confirm')}
          onDone={(answer) => {
            pendingConfirm.resolve(answer);
            confirmRef.current = null;
            setPendingConfirm(null);
          }}
        />
      )}
    </AppContext.Provider>
  );
}
