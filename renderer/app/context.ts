import { createContext, useContext, useEffect, useRef } from 'react';
import type { HostEvent } from '../../shared/contract/api.js';
import type { Client, HostBridge } from '../../shared/contract/bridge.js';
import type { LocaleCode, MessageKey, MessageParams } from '../../shared/i18n/index.js';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface ToastInput {
  kind: 'info' | 'error';
  text: string;
  action?: ToastAction;
  /** Milliseconds before it goes away by itself; errors stay a little longer by default. */
  timeoutMs?: number;
}

/** What every view needs: the host, the typed client, the language, toasts and confirmations. */
export interface AppServices {
  bridge: HostBridge;
  client: Client;
  locale: LocaleCode;
  setLocale(locale: LocaleCode): void;
  t(key: MessageKey, params?: MessageParams): string;
  tn(key: MessageKey, n: number, params?: MessageParams): string;
  toast(toast: ToastInput): number;
  dismissToast(id: number): void;
  /** Shows any error as a toast; answers undefined when the call failed. */
  attempt<T>(work: Promise<T>): Promise<T | undefined>;
  /** An in-window confirmation (native dialogs block the window and vanish under automation). */
  confirm(text: string, confirmLabel?: string): Promise<boolean>;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() outside <AppContext.Provider>');
  return services;
}

/** Calls `listener` for every host event while the component is mounted. */
export function useHostEvent(listener: (event: HostEvent) => void): void {
  const { bridge } = useApp();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => bridge.onEvent((event) => latest.current(event)), [bridge]);
}

/** A readable message for anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}
