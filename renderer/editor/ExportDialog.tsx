/**
 * Export one project (from the editor) or many (from the library): format, quality, size,
 * sharpening and metadata; progress from `export.progress` events, with `export.status` polled
 * as well (an event stream can drop); finished files as download links on the browser host.
 */
import { useEffect, useRef, useState } from 'react';
import type { ExportJob, ExportOptions } from '../../shared/contract/api.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';

type Format = 'jpeg' | 'png' | 'webp' | 'tiff';

const POLL_MS = 600;

export interface ExportDialogProps {
  projectIds: number[];
  title: string;
  /** Photos of the selection that have no project (and so are not exported). */
  skipped?: number;
  onClose(): void;
}

/** The download link of a finished export on the browser host. */
export function downloadUrl(downloadId: string): string {
  return `/download/${downloadId}`;
}

export function ExportDialog({ projectIds, title, skipped = 0, onClose }: ExportDialogProps) {
  const { t, tn, client, bridge } = useApp();
  const [format, setFormat] = useState<Format>('jpeg');
  const [quality, setQuality] = useState(90);
  const [fullSize, setFullSize] = useState(true);
  const [maxEdge, setMaxEdge] = useState(2048);
  const [sharpen, setSharpen] = useState(0);
  const [keepExif, setKeepExif] = useState(true);
  const [stripGps, setStripGps] = useState(true);
  const [writeXmp, setWriteXmp] = useState(true);
  const [job, setJob] = useState<ExportJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const jobId = useRef<string | null>(null);
  const [polling, setPolling] = useState<string | null>(null);
  const first = useRef<HTMLSelectElement>(null);

  useEffect(() => first.current?.focus(), []);

  useHostEvent((event) => {
    if (event.type === 'export.progress' && event.job.jobId === jobId.current) setJob(event.job);
  });

  const running = starting || job?.state === 'running';

  // Events can be missed (a reconnecting stream); the status call cannot.
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => {
      client.call('export.status', { jobId: polling }).then(
        (status) => {
          setJob((current) => (current && current.state !== 'running' ? current : status));
          if (status.state !== 'running') setPolling(null);
        },
        () => {},
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [polling, client]);

  async function start() {
    const options: ExportOptions = {
      format,
      quality,
      sharpen,
      keepExif,
      stripGps,
      writeXmp,
      ...(fullSize ? {} : { maxEdge: Math.max(16, Math.min(100_000, Math.round(maxEdge))) }),
    };
    setError(null);
    setJob(null);
    setStarting(true);
    try {
      const started = await client.call('export.start', { projectIds, options });
      jobId.current = started.jobId;
      const status = await client.call('export.status', { jobId: started.jobId });
      setJob((current) => (current && current.state !== 'running' ? current : status));
      if (status.state === 'running') setPolling(started.jobId);
    } catch (failure) {
      jobId.current = null;
      setError(errorMessage(failure));
    } finally {
      setStarting(false);
    }
  }

  const done = job !== null && job.state !== 'running';
  const percent = job && job.total > 0 ? Math.round((job.done / job.total) * 100) : 0;

  return (
    <div
      className="modal-backdrop"
      data-modal="true"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget && !running) onClose();
      }}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Escape' && !running) onClose();
      }}
    >
      <div className="modal export-dialog" role="dialog" aria-modal="true" aria-label={title} data-testid="export-dialog">
        <h2 className="dialog-title">{title}</h2>
        {skipped > 0 && <p className="panel-hint">{tn('export.skipped', skipped)}</p>}
        <div className="form-grid">
          <label>{t('export.format')}</label>
          <select ref={first} className="select" data-testid="export-format" value={format} disabled={running} onChange={(event) => setFormat(event.target.value as Format)}>
            <option value="jpeg">JPEG</option>
            <option value="png">PNG</option>
            <option value="webp">WebP</option>
            <option value="tiff">TIFF</option>
          </select>
          {(format === 'jpeg' || format === 'webp') && (
            <>
              <label htmlFor="export-quality">{t('export.quality')}</label>
              <span className="inline-range">
                <input
                  id="export-quality"
                  className="range"
                  type="range"
                  min={1}
                  max={100}
                  value={quality}
                  disabled={running}
                  onChange={(event) => setQuality(Number(event.target.value))}
                  style={{ ['--fill' as string]: `${quality}%` }}
                />
                <span className="range-value">{quality}</span>
              </span>
            </>
          )}
          <label>{t('export.size')}</label>
          <span className="inline-options">
            <label className="check">
              <input type="radio" name="export-size" checked={fullSize} disabled={running} onChange={() => setFullSize(true)} data-testid="export-full" />
              {t('export.fullSize')}
            </label>
            <label className="check">
              <input type="radio" name="export-size" checked={!fullSize} disabled={running} onChange={() => setFullSize(false)} data-testid="export-long-edge" />
              {t('export.longEdge')}
            </label>
            <input
              className="text-input number"
              type="number"
              min={16}
              max={100000}
              value={maxEdge}
              disabled={running || fullSize}
              aria-label={t('export.longEdge')}
              onChange={(event) => setMaxEdge(Number(event.target.value))}
            />
            <span className="muted">px</span>
          </span>
          <label htmlFor="export-sharpen">{t('export.sharpen')}</label>
          <span className="inline-range">
            <input
              id="export-sharpen"
              className="range"
              type="range"
              min={0}
              max={100}
              value={sharpen}
              disabled={running}
              onChange={(event) => setSharpen(Number(event.target.value))}
              style={{ ['--fill' as string]: `${sharpen}%` }}
            />
            <span className="range-value">{sharpen}</span>
          </span>
          <label>{t('export.metadata')}</label>
          <span className="inline-options column">
            <label className="check">
              <input type="checkbox" checked={keepExif} disabled={running} onChange={(event) => setKeepExif(event.target.checked)} />
              {t('export.keepExif')}
            </label>
            <label className="check indent">
              <input type="checkbox" checked={stripGps} disabled={running || !keepExif} onChange={(event) => setStripGps(event.target.checked)} />
              {t('export.stripGps')}
            </label>
            <label className="check">
              <input type="checkbox" checked={writeXmp} disabled={running} onChange={(event) => setWriteXmp(event.target.checked)} />
              {t('export.writeXmp')}
            </label>
          </span>
        </div>
        {(running || done) && job && (
          <div className="export-progress" data-testid="export-progress" data-state={job.state}>
            <div className="import-row">
              <span>{done ? t(job.state === 'succeeded' ? 'export.done' : 'export.failed') : t('export.progress', { done: job.done, total: job.total })}</span>
              <span className="muted">{percent}%</span>
            </div>
            <div className="progress">
              <div className="progress-fill" style={{ width: `${percent}%` }} />
            </div>
          </div>
        )}
        {error && (
          <p className="import-message" role="alert">
            {error}
          </p>
        )}
        {done && job && (
          <ul className="export-files" data-testid="export-files">
            {job.files.map((file) => (
              <li key={file.downloadId}>
                {bridge.host === 'browser' ? (
                  <a href={downloadUrl(file.downloadId)} download={file.fileName} data-testid="export-download" data-download-id={file.downloadId}>
                    {t('export.download', { name: file.fileName })}
                  </a>
                ) : (
                  <span>{t('export.saved', { name: file.fileName })}</span>
                )}
              </li>
            ))}
            {job.failed.map((failure) => (
              <li key={failure.projectId} className="failure-reason">
                {failure.reason}
              </li>
            ))}
          </ul>
        )}
        <div className="modal-buttons">
          <button className="button" onClick={onClose} disabled={running} data-testid="export-close">
            {done ? t('import.close') : t('dialog.cancel')}
          </button>
          {!done && (
            <button className="button primary" onClick={() => void start()} disabled={running || projectIds.length === 0} data-testid="export-start">
              {projectIds.length > 1 ? t('export.startMany', { n: projectIds.length }) : t('export.start')}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
