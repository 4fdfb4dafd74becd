import { useApp } from '../app/context.js';
import { newSessionHash } from './format.js';

/** “Start a session…” for a selection of photos: opens the Sessions page with them (for the library's toolbar or menu). */
export function StartSessionButton({ photoIds, className = 'button' }: { photoIds: readonly number[]; className?: string }) {
  const { t } = useApp();
  return (
    <button
      className={className}
      data-testid="start-session"
      disabled={photoIds.length === 0}
      onClick={() => {
        window.location.hash = newSessionHash(photoIds);
      }}
    >
      {t('sessions.startFromSelection')}
    </button>
  );
}
