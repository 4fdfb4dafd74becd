import { useEffect, useRef } from 'react';

export interface PendingConfirm {
  text: string;
  confirmLabel?: string | undefined;
  resolve: (answer: boolean) => void;
}

/** A small modal question; Enter confirms, Escape cancels. */
export function ConfirmDialog({
  pending,
  cancelLabel,
  defaultConfirmLabel,
  onDone,
}: {
  pending: PendingConfirm;
  cancelLabel: string;
  defaultConfirmLabel: string;
  onDone: (answer: boolean) => void;
}) {
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmButton.current?.focus(), []);
  return (
    <div
      className="modal-backdrop"
      data-modal="true"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onDone(false);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onDone(false);
        }
      }}
    >
      <div className="modal" role="alertdialog" aria-modal="true" aria-label={pending.text} data-testid="confirm-dialog">
        <p>{pending.text}</p>
        <div className="modal-buttons">
          <button className="button" onClick={() => onDone(false)} data-testid="confirm-cancel">
            {cancelLabel}
          </button>
          <button className="button danger" ref={confirmButton} onClick={() => onDone(true)} data-testid="confirm-ok">
            {pending.confirmLabel ?? defaultConfirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
