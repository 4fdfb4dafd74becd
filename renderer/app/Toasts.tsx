import { useEffect } from 'react';
import type { ToastInput } from './context.js';

export interface Toast extends ToastInput {
  id: number;
}

const DEFAULT_TIMEOUT_MS = { info: 6000, error: 9000 } as const;

export function Toasts({ toasts, onDismiss, dismissLabel }: { toasts: Toast[]; onDismiss: (id: number) => void; dismissLabel: string }) {
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <ToastView key={toast.id} toast={toast} onDismiss={onDismiss} dismissLabel={dismissLabel} />
      ))}
    </div>
  );
}

function ToastView({ toast, onDismiss, dismissLabel }: { toast: Toast; onDismiss: (id: number) => void; dismissLabel: string }) {
  const timeout = toast.timeoutMs ?? DEFAULT_TIMEOUT_MS[toast.kind];
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), timeout);
    return () => clearTimeout(timer);
  }, [toast.id, timeout, onDismiss]);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid="toast" data-kind={toast.kind}>
      <span className="toast-text">{toast.text}</span>
      {toast.action && (
        <button
          className="toast-action"
          data-testid="toast-action"
          onClick={() => {
            toast.action?.run();
            onDismiss(toast.id);
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button className="toast-close" aria-label={dismissLabel} title={dismissLabel} onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
