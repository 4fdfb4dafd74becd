/**
 * The History panel: every step with its label, when it was made and a small picture of the
 * result (rendered lazily, only for rows on screen). Click a step to go back (or forward) to it;
 * branches left by an undo followed by a new change stay listed, indented, and clickable.
 */
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { StepIdentity } from '../../shared/contract/document.js';
import type { History } from '../../shared/document/history.js';
import type { StepId } from '../../shared/document/model.js';
import type { LocaleCode } from '../../shared/i18n/index.js';
import { IdentityBadge, stepIdentity, useIdentityUpdates } from '../ai/IdentityBadge.js';
import { useApp } from '../app/context.js';
import { historyRows } from './historyTree.js';
import { stepLabels } from './stepLabels.js';

export interface Thumbnail {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface HistoryPanelProps {
  history: History;
  /** The document size (labels replay the steps to name layers). */
  width: number;
  height: number;
  onJump(id: StepId): void;
  thumbnail(id: StepId): Promise<Thumbnail | null>;
}

export function HistoryPanel({ history, width, height, onJump, thumbnail }: HistoryPanelProps) {
  const { t, tn, locale } = useApp();
  const rows = useMemo(() => historyRows(history), [history]);
  // English shows the stored labels as they are; other languages word the operations themselves.
  const labels = useMemo(() => (locale === 'en' ? null : stepLabels(history, width, height, t)), [history, width, height, locale, t]);
  const scroller = useRef<HTMLOListElement>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // Keep the current step in view as it moves.
  useEffect(() => {
    const element = scroller.current?.querySelector<HTMLElement>('[data-head="true"]');
    element?.scrollIntoView({ block: 'nearest' });
  }, [history.head]);

  const branches = rows.filter((row) => row.forks).length;
  // Steps with new pixels carry their face check once it ran (projects.open), or it arrives as an event.
  const identityUpdates = useIdentityUpdates(history.steps);
  const identityOf = (step: (typeof rows)[number]['step']): StepIdentity | undefined => stepIdentity(step, history.steps, identityUpdates);

  return (
    <section className="history-panel" data-testid="history-panel" data-branches={branches}>
      <header className="section-head">
        <span className="muted small" data-testid="history-count">
          {tn('editor.stepCount', rows.length)}
        </span>
        {branches > 0 && <span className="muted small">{tn('editor.branchCount', branches)}</span>}
      </header>
      <ol className="history-list" ref={scroller}>
        {rows.map((row) => (
          <li key={row.step.id} style={{ paddingLeft: 6 + row.depth * 14 }}>
            <button
              className={
                'history-row' +
                (row.isHead ? ' head' : '') +
                (row.applied ? ' applied' : '') +
                (row.ahead ? ' ahead' : '') +
                (!row.applied && !row.ahead ? ' other-branch' : '')
              }
              data-testid="history-row"
              data-step-id={row.step.id}
              data-label={row.step.label}
              data-depth={row.depth}
              data-head={row.isHead}
              data-branch={row.depth > 0}
              aria-current={row.isHead ? 'step' : undefined}
              title={`${labels?.get(row.step.id) ?? row.step.label} — ${new Date(row.step.createdAt).toLocaleString(locale)}`}
              onClick={() => onJump(row.step.id)}
            >
              {row.forks && <span className="fork-mark" aria-label={t('editor.branch')} title={t('editor.branch')} />}
              <HistoryThumb id={row.step.id} thumbnail={thumbnail} root={scroller} />
              <span className="history-text">
                <span className="history-label">{labels?.get(row.step.id) ?? row.step.label}</span>
                <span className="history-time">{relativeTime(row.step.createdAt, now, locale)}</span>
                {identityOf(row.step) && <IdentityBadge check={identityOf(row.step)!} />}
              </span>
            </button>
          </li>
        ))}
      </ol>
      <p className="panel-hint history-hint">{t('editor.historyHint')}</p>
    </section>
  );
}

function HistoryThumb({ id, thumbnail, root }: { id: StepId; thumbnail: HistoryPanelProps['thumbnail']; root: RefObject<HTMLOListElement | null> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [visible, setVisible] = useState(false);

  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        setVisible(true);
        observer.disconnect();
      }
    }, { root: root.current, rootMargin: '120px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [root]);

  useEffect(() => {
    if (!visible) return;
    let live = true;
    void thumbnail(id).then((image) => {
      const element = canvas.current;
      if (!live || !image || !element) return;
      element.width = image.width;
      element.height = image.height;
      element.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
      element.dataset.ready = 'true';
    });
    return () => {
      live = false;
    };
  }, [visible, id, thumbnail]);

  return <canvas ref={canvas} className="history-thumb" width={1} height={1} aria-hidden="true" />;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "2 minutes ago", "刚刚" … */
export function relativeTime(iso: string, now: number, locale: LocaleCode): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, 'second');
}
