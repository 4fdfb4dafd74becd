import type { SessionSummary } from '../../shared/contract/api.js';
import { useApp } from '../app/context.js';
import { formatDuration, formatUsd } from './format.js';
import { SESSION_STATE_KEYS } from './keys.js';

/** Progress bar, ETA, cost so far and the estimate for the rest, with pause / resume / cancel. */
export function RunPanel({ session, onChanged }: { session: SessionSummary; onChanged: (next: SessionSummary) => void }) {
  const { client, t, attempt, confirm, toast, bridge } = useApp();
  const finished = session.done + session.failed;
  const percent = session.total === 0 ? 0 : Math.round((finished / session.total) * 100);
  const running = session.state === 'running';

  async function act(call: 'sessions.start' | 'sessions.pause' | 'sessions.cancel') {
    if (call === 'sessions.cancel' && !(await confirm(t('sessions.cancelConfirm'), t('sessions.cancel')))) return;
    const next = await attempt(client.call(call, { sessionId: session.sessionId }));
    if (next) onChanged(next);
  }

  async function exportAccepted() {
    const answer = await attempt(client.call('sessions.exportAccepted', { sessionId: session.sessionId, options: { format: 'jpeg', quality: 92, writeXmp: true } }));
    if (!answer) return;
    const job = await attempt(client.call('export.status', { jobId: answer.jobId }));
    const first = job?.files[0];
    toast({
      kind: 'info',
      text: t('sessions.exported', { n: job?.files.length ?? answer.count }),
      ...(bridge.host === 'browser' && first && job.files.length === 1 && { action: { label: t('sessions.download'), run: () => window.open(`/download/${first.downloadId}`) } }),
    });
  }

  return (
    <section className="run-panel" data-testid="run-panel" aria-label={t('sessions.progress')}>
      <div className="run-head">
        <h2 className="run-title">{session.name}</h2>
        <span className={`run-state state-${session.state}`} data-testid="run-state">
          {t(SESSION_STATE_KEYS[session.state])}
        </span>
        <span className="toolbar-spacer" />
        {running ? (
          <button className="button" onClick={() => void act('sessions.pause')} data-testid="run-pause">
            {t('sessions.pause')}
          </button>
        ) : (
          session.state !== 'cancelled' &&
          session.state !== 'done' && (
            <button className="button primary" onClick={() => void act('sessions.start')} data-testid="run-resume">
              {t(session.state === 'ready' ? 'sessions.start' : 'sessions.resume')}
            </button>
          )
        )}
        {(running || session.state === 'paused' || session.state === 'ready') && (
          <button className="button danger" onClick={() => void act('sessions.cancel')} data-testid="run-cancel">
            {t('sessions.cancel')}
          </button>
        )}
        <button className="button" disabled={session.accepted === 0} onClick={() => void exportAccepted()} data-testid="run-export">
          {t('sessions.exportAccepted', { n: session.accepted })}
        </button>
      </div>
      <div className="progress run-progress" role="progressbar" aria-valuemin={0} aria-valuemax={session.total} aria-valuenow={finished}>
        <div className={'progress-fill' + (session.failed > 0 ? ' with-failures' : '')} style={{ width: `${percent}%` }} />
      </div>
      <div className="run-figures" data-testid="run-figures">
        <span>{t('sessions.figures.done', { done: session.done, total: session.total })}</span>
        {session.failed > 0 && <span className="run-failed">{t('sessions.figures.failed', { n: session.failed })}</span>}
        {session.running > 0 && <span>{t('sessions.figures.running', { n: session.running })}</span>}
        {running && session.etaSeconds !== null && session.etaSeconds > 0 && <span>{t('sessions.figures.eta', { time: formatDuration(session.etaSeconds) })}</span>}
        <span>{t('sessions.figures.cost', { cost: formatUsd(session.costUsd) })}</span>
        {session.estimateRestUsd > 0 && <span>{t('sessions.figures.rest', { cost: formatUsd(session.estimateRestUsd) })}</span>}
        {session.budgetUsd !== null && <span>{t('sessions.figures.budget', { cost: formatUsd(session.budgetUsd) })}</span>}
        {session.mode === 'batch' && <span className="run-batch">{t('sessions.batchMode', { n: session.batchesPending })}</span>}
        <span className="muted">
          {t('sessions.figures.review', { accepted: session.accepted, rejected: session.rejected })}
        </span>
      </div>
      {session.message && (
        <p className={'run-message' + (session.pauseReason === 'budget' ? ' budget' : '')} role="status" data-testid="run-message">
          {session.message}
        </p>
      )}
    </section>
  );
}
