/**
 * The project's edit jobs, newest first: state, an indeterminate bar while one runs, attempts and
 * the next retry, the estimate and then the actual cost, Cancel while active, and every refusal
 * explained in words (with the model's own text when it answered with words but no picture).
 */
import type { EditJobInfo } from '../../shared/contract/api.js';
import { formatDateTime } from '../library/format.js';
import { useApp } from '../app/context.js';
import { formatUsd } from './engine.js';
import { explainJob, isActive, STATE_KEYS, useTicker } from './jobs.js';

export function JobsPanel({ jobs, onCancel }: { jobs: EditJobInfo[]; onCancel(jobId: string): void }) {
  const { t } = useApp();
  const now = useTicker(jobs.some((job) => job.nextAttemptAt !== null && isActive(job)));
  return (
    <section className="jobs-panel" data-testid="jobs-panel">
      {jobs.length === 0 ? (
        <p className="panel-hint">{t('ai.jobs.empty')}</p>
      ) : (
        <ul className="job-list">
          {jobs.map((job) => (
            <JobRow key={job.jobId} job={job} now={now} onCancel={onCancel} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function JobRow({ job, now, onCancel, compact = false }: { job: EditJobInfo; now: number; onCancel(jobId: string): void; compact?: boolean }) {
  const { t, locale } = useApp();
  const active = isActive(job);
  const why = explainJob(job, t);
  const retryIn = job.nextAttemptAt && active ? Math.max(0, Math.ceil((Date.parse(job.nextAttemptAt) - now) / 1000)) : null;
  const cost =
    job.state === 'succeeded'
      ? job.costUsd > 0
        ? formatUsd(job.costUsd)
        : job.provider === 'gemini'
          ? t('ai.jobs.cached')
          : t('ai.details.free')
      : job.costUsd > 0
        ? formatUsd(job.costUsd)
        : job.provider === 'gemini' && active
          ? t('ai.jobs.estimate', { usd: formatUsd(job.estimateUsd) })
          : null;
  return (
    <li className={`job-row state-${job.state}` + (compact ? ' compact' : '')} data-testid={compact ? 'active-job' : 'job-row'} data-job-id={job.jobId} data-state={job.state} data-error-kind={job.errorKind ?? ''}>
      <div className="job-head">
        <span className={`job-state state-${job.state}`} data-testid="job-state">
          {t(STATE_KEYS[job.state])}
        </span>
        <span className="job-engine muted small">{job.provider === 'gemini' ? job.model : t('ai.engine.local')}</span>
        <span className="toolbar-spacer" />
        {cost && (
          <span className="job-cost small" data-testid="job-cost">
            {cost}
          </span>
        )}
      </div>
      <div className="job-prompt" title={job.prompt}>
        “{job.prompt}”
      </div>
      {job.state === 'running' && <div className="indeterminate" role="progressbar" aria-label={t('ai.state.running')} />}
      {active && (job.attempts > 1 || retryIn !== null) && (
        <div className="muted small" data-testid="job-retry">
          {[job.attempts > 0 ? t('ai.jobs.attempt', { n: job.attempts }) : null, retryIn !== null ? t('ai.jobs.retryIn', { s: retryIn }) : null].filter(Boolean).join(' · ')}
        </div>
      )}
      {why && (
        <div className={'job-why' + (job.state === 'failed' ? ' failed' : '')} data-testid="job-explanation">
          <strong>{why}</strong>
          {job.error && job.errorKind !== 'cancelled' && <span className="job-detail">{job.error}</span>}
          {job.answerText && (
            <blockquote className="job-answer" data-testid="job-answer">
              {t('ai.jobs.modelSaid')} “{job.answerText}”
            </blockquote>
          )}
        </div>
      )}
      <div className="job-foot">
        {!compact && <span className="muted small">{formatDateTime(job.createdAt, locale)}</span>}
        <span className="toolbar-spacer" />
        {active && (
          <button className="button small" data-testid="job-cancel" onClick={() => onCancel(job.jobId)}>
            {t('ai.jobs.cancel')}
          </button>
        )}
      </div>
    </li>
  );
}
