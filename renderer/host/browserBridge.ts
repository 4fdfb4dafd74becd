/**
 * The HostBridge of the browser host: calls over `fetch`, events over server-sent events,
 * dropped files through the upload endpoint. The Electron preload gives the same interface, so
 * nothing above this file knows which host it talks to.
 */
import { HostEvent as HostEventSchema, type HostEvent } from '../../shared/contract/api.js';
import type { HostBridge } from '../../shared/contract/bridge.js';
import { CallError } from '../../shared/contract/bridge.js';
import { fail, type Result } from '../../shared/contract/result.js';
import { t, type LocaleCode, type MessageKey, type MessageParams } from '../../shared/i18n/index.js';

const TOKEN_KEY = 'promptroom.token';
const TOKEN_HEADER = 'x-promptroom-token';
/** How long to wait before reopening an event stream the server closed. */
const RECONNECT_MS = 3000;

export interface BrowserBridgeOptions {
  /** The language of the bridge's own messages (host unreachable, refused, ...). */
  locale?: () => LocaleCode;
  window?: Window;
}

/**
 * Takes the session token from `?token=` once, keeps it in sessionStorage so a reload still
 * works, and removes it from the address bar (and so from history and screenshots).
 */
export function takeToken(win: Window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  let stored: string | null = null;
  try {
    stored = win.sessionStorage.getItem(TOKEN_KEY);
    if (fromUrl) win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
  } catch {
    // Storage can be disabled; the token then lives for this page only.
  }
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  }
  return fromUrl || stored;
}

export function createBrowserBridge(options: BrowserBridgeOptions = {}): HostBridge {
  const win = options.window ?? window;
  const token = takeToken(win) ?? '';
  const message = (key: MessageKey, params?: MessageParams) => t(options.locale?.() ?? 'en', key, params);

  async function readResult(response: Response): Promise<Result<unknown>> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (isResult(body)) return body;
    if (response.status === 401 || response.status === 403) {
      return fail('internal', message('app.hostRefused', { status: response.status }));
    }
    return fail('internal', message('app.hostBadAnswer', { status: response.status }));
  }

  async function post(path: string, headers: Record<string, string>, body: BodyInit): Promise<Result<unknown>> {
    let response: Response;
    try {
      response = await win.fetch(path, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: token, ...headers },
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      return fail('internal', message('app.hostUnreachable'));
    }
    return readResult(response);
  }

  const listeners = new Set<(event: HostEvent) => void>();
  let source: EventSource | null = null;

  function openEvents(): void {
    let opened = false;
    const es = new EventSource('/api/events');
    source = es;
    es.onopen = () => {
      // Events sent while we were disconnected are lost: tell everyone to reload what they show.
      if (opened) emit({ type: 'library.changed' });
      opened = true;
    };
    es.onmessage = (message: MessageEvent) => {
      const event = parseEvent(message.data);
      if (event) emit(event);
    };
    es.onerror = () => {
      // The browser retries by itself unless the server answered with an error status.
      if (es.readyState === EventSource.CLOSED && source === es) {
        source = null;
        win.setTimeout(() => {
          if (!source && listeners.size > 0) {
            openEvents();
          }
        }, RECONNECT_MS);
      }
    };
  }

  function emit(event: HostEvent): void {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('A host event listener failed', error);
      }
    }
  }

  return {
    host: 'browser',
    call(name, input) {
      return post(`/api/call/${encodeURIComponent(name)}`, { 'content-type': 'application/json' }, JSON.stringify(input ?? {}));
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!source) openEvents();
      return () => {
        listeners.delete(listener);
      };
    },
    async upload(file, name) {
      const result = await post(
        '/api/upload',
        { 'x-file-name': encodeURIComponent(name), 'content-type': 'application/octet-stream' },
        file,
      );
      if (!result.ok) throw new CallError(result.error);
      const stagedId = (result.value as { stagedId?: unknown } | null)?.stagedId;
      if (typeof stagedId !== 'string') throw new CallError({ code: 'internal', message: message('app.hostBadAnswer', { status: 200 }) });
      return stagedId;
    },
  };
}

function isResult(body: unknown): body is Result<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  if (body.ok === true) return 'value' in body;
  if (body.ok !== false || !('error' in body)) return false;
  const error = body.error as { code?: unknown; message?: unknown } | null;
  return typeof error === 'object' && error !== null && typeof error.message === 'string' && typeof error.code === 'string';
}

/** A HostEvent from an SSE `data` field, or null for anything this renderer does not know. */
export function parseEvent(data: unknown): HostEvent | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  // The contract's own schema: every event type it knows, and nothing else.
  const parsed = HostEventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
