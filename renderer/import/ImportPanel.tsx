import { useApp } from '../app/context.js';
import type { Importer } from './useImporter.js';

/** Bottom-right: progress while importing, then what happened to every file. */
export function ImportPanel({ importer }: { importer: Importer }) {
  const { t, locale } = useApp();
  const { progress } = importer;
  if (progress.phase === 'idle') return null;

  if (progress.phase !== 'finished') {
    let text: string;
    let ratio: number | null = null;
    let done = 0;
    let total = 0;
    switch (progress.phase) {
      case 'collecting':
        text = t('import.collecting', { n: progress.found });
        break;
      case 'uploading':
        ({ done, total } = progress);
        text = t('import.uploading', { done, total });
        ratio = total ? done / total : 0;
        break;
      case 'starting':
        text = t('import.starting');
        break;
      case 'importing':
        ({ done, total } = progress);
        text = t('import.importing', { done, total });
        ratio = total ? done / total : 0;
        break;
    }
    return (
      <section className="import-panel" data-testid="import-progress" data-phase={progress.phase} data-done={done} data-total={total} aria-live="polite">
        <div className="import-row">
          <span className="import-text">{text}</span>
          <button className="button small" data-testid="import-cancel" onClick={importer.cancel}>
            {t('import.cancel')}
          </button>
        </div>
        <div
          className={'progress' + (ratio === null ? ' indeterminate' : '')}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={total || undefined}
          aria-valuenow={ratio === null ? undefined : done}
          aria-label={text}
        >
          <div className="progress-fill" style={ratio === null ? undefined : { width: `${Math.round(ratio * 100)}%` }} />
        </div>
      </section>
    );
  }

  const { summary, outcome, message } = progress;
  const title = outcome === 'succeeded' ? t('import.finished') : outcome === 'cancelled' ? t('import.cancelled') : t('import.failedJob');
  const nothing = summary.imported === 0 && summary.duplicates === 0 && summary.failed.length === 0 && outcome === 'succeeded';
  const number = new Intl.NumberFormat(locale);
  return (
    <section className={`import-panel summary outcome-${outcome}`} data-testid="import-summary" data-outcome={outcome} role="status">
      <div className="import-row">
        <h2 className="import-title">{title}</h2>
        <button className="button small" data-testid="import-close" onClick={importer.dismiss}>
          {t('import.close')}
        </button>
      </div>
      {message && <p className="import-message">{message}</p>}
      {nothing ? (
        <p className="muted">{t('import.nothing')}</p>
      ) : (
        <dl className="import-counts">
          <div>
            <dt>{t('import.imported')}</dt>
            <dd data-testid="summary-imported">{number.format(summary.imported)}</dd>
          </div>
          <div>
            <dt>{t('import.duplicates')}</dt>
            <dd data-testid="summary-duplicates">{number.format(summary.duplicates)}</dd>
          </div>
          <div className={summary.failed.length ? 'bad' : ''}>
            <dt>{t('import.failed')}</dt>
            <dd data-testid="summary-failed">{number.format(summary.failed.length)}</dd>
          </div>
        </dl>
      )}
      {summary.failed.length > 0 && (
        <ul className="import-failures" data-testid="import-failures">
          {summary.failed.slice(0, 500).map((failure, i) => (
            <li key={i} data-testid="import-failure" data-path={failure.path}>
              <span className="failure-name" title={failure.path}>
                {baseName(failure.path)}
              </span>
              <span className="failure-reason">{failure.reason}</span>
            </li>
          ))}
          {summary.failed.length > 500 && <li className="muted">…</li>}
        </ul>
      )}
    </section>
  );
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
