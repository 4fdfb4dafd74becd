import { useCallback, useEffect, useState } from 'react';
import type { Settings } from '../../shared/contract/api.js';
import { useApp, useHostEvent } from '../app/context.js';
import type { EngineStatus } from './engine.js';

export interface EngineState {
  /** Null until the first answer. */
  status: EngineStatus | null;
  settings: Settings | null;
  /** The browser's idea of the network (a missing network makes the local engine the default). */
  online: boolean;
  refresh(): void;
}

/** `engine.status` and the settings, reloaded when the library changes and when the network comes or goes. */
export function useEngine(): EngineState {
  const { client } = useApp();
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [online, setOnline] = useState(() => navigator.onLine);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    const on = () => {
      setOnline(navigator.onLine);
      refresh();
    };
    // Back from another program (a key file written by hand, the network settings): ask again.
    window.addEventListener('online', on);
    window.addEventListener('offline', on);
    window.addEventListener('focus', on);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', on);
      window.removeEventListener('focus', on);
    };
  }, [refresh]);

  useHostEvent((event) => {
    if (event.type === 'library.changed') refresh();
  });

  useEffect(() => {
    let live = true;
    void Promise.all([client.call('engine.status', {}), client.call('settings.get', {})]).then(
      ([nextStatus, nextSettings]) => {
        if (!live) return;
        setStatus(nextStatus);
        setSettings(nextSettings);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, version]);

  return { status, settings, online, refresh };
}
