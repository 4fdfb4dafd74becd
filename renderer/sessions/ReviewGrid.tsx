import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SessionDetail, SessionItem } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { useApp } from '../app/context.js';
import { formatUsd } from './format.js';
import { ITEM_STATE_KEYS } from './keys.js';

const PAGE = 24;

type Mode = 'side' | 'slider';

/** A version of an item's result: when it changes, its preview is fetched again. */
function versionOf(item: SessionItem): string {
  return `${item.state}:${item.stepsDone}:${item.jobIds.length}`;
}

/**
 * The compare grid: before and after for each photo, side by side or with a slider. Keyboard:
 * arrows move, A accepts, R rejects, T retries with a tweak, U takes the decision back, S switches
 * the compare mode.
 */
export function ReviewGrid({ detail, onChanged }: { detail: SessionDetail; onChanged: () => void }) {
  const { client, bridge, t, attempt } = useApp();
  const [focus, setFocus] = useState(0);
  const [mode, setMode] = useState<Mode>('side');
  const [split, setSplit] = useState(50);
  const [tweak, setTweak] = useState<{ itemId: number; text: string } | null>(null);
  const [afters, setAfters] = useState<Map<number, { version: string; sha: string | null }>>(new Map());
  const grid = useRef<HTMLDivElement>(null);
  const columns = useRef(3);
  const items = detail.items;
  const page = Math.floor(focus / PAGE);
  const visible = items.slice(page * PAGE, page * PAGE + PAGE);

  // Fetch the “after” renders of the visible page whenever their result changes.
  useEffect(() => {
    let live = true;
    for (const item of visible) {
      const version = versionOf(item);
      if (afters.get(item.id)?.version === version) continue;
      if (item.stepsDone === 0 && item.state !== 'done' && item.state !== 'accepted' && item.state !== 'rejected') continue;
      void client
        .call('sessions.preview', { sessionId: detail.sessionId, itemId: item.id, maxEdge: 768 })
        .then((preview) => {
          if (live) setAfters((current) => new Map(current).set(item.id, { version, sha: preview.afterSha256 }));
        })
        .catch(() => {});
    }
    return () => {
      live = false;
    };
    // Keyed by the visible items' versions, not by the array itself.
  }, [client, detail.sessionId, visible.map((item) => `${item.id}:${versionOf(item)}`).join(',')]);

  useEffect(() => {
    const observer = new ResizeObserver(([entry]) => {
      if (entry) columns.current = Math.max(1, Math.floor(entry.contentRect.width / 340));
    });
    if (grid.current) observer.observe(grid.current);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    grid.current?.querySelector<HTMLElement>(`[data-index="${focus}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [focus]);

  const decide = useCallback(
    async (item: SessionItem, decision: 'accept' | 'reject' | 'undecided') => {
      if ((await attempt(client.call('sessions.review', { sessionId: detail.sessionId, itemId: item.id, decision }))) !== undefined) onChanged();
    },
    [attempt, client, detail.sessionId, onChanged],
  );

  const retry = useCallback(
    async (item: SessionItem, prompt?: string) => {
      if ((await attempt(client.call('sessions.retry', { sessionId: detail.sessionId, itemId: item.id, ...(prompt ? { prompt } : {}) }))) !== undefined) onChanged();
    },
    [attempt, client, detail.sessionId, onChanged],
  );

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (tweak || event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    const item = items[focus];
    const move = (to: number) => {
      event.preventDefault();
      setFocus(Math.max(0, Math.min(items.length - 1, to)));
    };
    switch (event.key) {
      case 'ArrowRight':
        return move(focus + 1);
      case 'ArrowLeft':
        return move(focus - 1);
      case 'ArrowDown':
        return move(focus + columns.current);
      case 'ArrowUp':
        return move(focus - columns.current);
      case 'Home':
        return move(0);
      case 'End':
        return move(items.length - 1);
    }
    if (!item || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'a') {
      event.preventDefault();
      void decide(item, 'accept').then(() => setFocus((f) => Math.min(items.length - 1, f + 1)));
    } else if (key === 'r') {
      event.preventDefault();
      void decide(item, 'reject').then(() => setFocus((f) => Math.min(items.length - 1, f + 1)));
    } else if (key === 'u') {
      event.preventDefault();
      void decide(item, 'undecided');
    } else if (key === 't') {
      event.preventDefault();
      setTweak({ itemId: item.id, text: '' });
    } else if (key === 's') {
      event.preventDefault();
      setMode((m) => (m === 'side' ? 'slider' : 'side'));
    }
  }

  return (
    <section className="review" aria-label={t('sessions.review')}>
      <div className="review-bar">
        <h2>{t('sessions.review')}</h2>
        <span className="muted small">{t('sessions.reviewKeys')}</span>
        <span className="toolbar-spacer" />
        <div className="segmented" role="group" aria-label={t('sessions.compare')}>
          <button className={'button small toggle' + (mode === 'side' ? ' active' : '')} onClick={() => setMode('side')} data-testid="compare-side">
            {t('sessions.compare.side')}
          </button>
          <button className={'button small toggle' + (mode === 'slider' ? ' active' : '')} onClick={() => setMode('slider')} data-testid="compare-slider">
            {t('sessions.compare.slider')}
          </button>
        </div>
        {mode === 'slider' && <input type="range" min={0} max={100} value={split} onChange={(event) => setSplit(Number(event.target.value))} aria-label={t('sessions.compare.slider')} />}
        {items.length > PAGE && (
          <span className="muted small">
            {t('sessions.page', { from: page * PAGE + 1, to: Math.min(items.length, page * PAGE + PAGE), total: items.length })}
          </span>
        )}
      </div>
      <div className="review-grid" ref={grid} tabIndex={0} onKeyDown={onKeyDown} role="grid" aria-label={t('sessions.review')} data-testid="review-grid">
        {visible.map((item, offset) => {
          const index = page * PAGE + offset;
          const after = afters.get(item.id)?.sha ?? null;
          const before = assetUrl(bridge.host, item.photoSha256, 'preview');
          return (
            <div
              key={item.id}
              data-index={index}
              data-state={item.state}
              data-testid="review-card"
              role="gridcell"
              aria-selected={index === focus}
              className={`review-card state-${item.state}` + (index === focus ? ' focused' : '')}
              onClick={() => {
                setFocus(index);
                grid.current?.focus();
              }}
            >
              {mode === 'side' ? (
                <div className="compare side">
                  <figure>
                    <img src={before} alt={t('sessions.before')} loading="lazy" />
                    <figcaption>{t('sessions.before')}</figcaption>
                  </figure>
                  <figure>
                    {after ? <img src={assetUrl(bridge.host, after, 'preview')} alt={t('sessions.after')} loading="lazy" /> : <div className="compare-pending">{t(ITEM_STATE_KEYS[item.state])}</div>}
                    <figcaption>{t('sessions.after')}</figcaption>
                  </figure>
                </div>
              ) : (
                <div className="compare slider">
                  <img src={before} alt={t('sessions.before')} loading="lazy" />
                  {after && <img className="compare-after" src={assetUrl(bridge.host, after, 'preview')} alt={t('sessions.after')} style={{ clipPath: `inset(0 0 0 ${split}%)` }} />}
                  <div className="compare-split" style={{ left: `${split}%` }} />
                </div>
              )}
              <div className="review-meta">
                <span className="review-name" title={item.fileName}>
                  {item.fileName}
                </span>
                <span className={`review-state state-${item.state}`}>{t(ITEM_STATE_KEYS[item.state])}</span>
                {item.costUsd > 0 && <span className="muted">{formatUsd(item.costUsd)}</span>}
              </div>
              {item.error && (
                <p className="review-error" title={item.error}>
                  {item.error}
                </p>
              )}
              <div className="review-actions">
                <button className="button small" disabled={!['done', 'rejected'].includes(item.state)} onClick={() => void decide(item, 'accept')} title="A">
                  {t('sessions.accept')}
                </button>
                <button className="button small" disabled={!['done', 'accepted'].includes(item.state)} onClick={() => void decide(item, 'reject')} title="R">
                  {t('sessions.reject')}
                </button>
                {item.state === 'failed' && (
                  <button className="button small" onClick={() => void retry(item)}>
                    {t('sessions.retry')}
                  </button>
                )}
                <button className="button small" disabled={item.state === 'pending' || item.state === 'running'} onClick={() => setTweak({ itemId: item.id, text: '' })} title="T">
                  {t('sessions.tweak')}
                </button>
              </div>
              {tweak?.itemId === item.id && (
                <form
                  className="review-tweak"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const text = tweak.text.trim();
                    setTweak(null);
                    grid.current?.focus();
                    if (text) void retry(item, text);
                  }}
                >
                  <input
                    className="text-input"
                    autoFocus
                    value={tweak.text}
                    placeholder={t('sessions.tweakPlaceholder')}
                    onChange={(event) => setTweak({ itemId: item.id, text: event.target.value })}
                    onKeyDown={(event) => {
                      if (event.key === 'Escape') {
                        event.stopPropagation();
                        setTweak(null);
                        grid.current?.focus();
                      }
                    }}
                    data-testid="tweak-input"
                  />
                  <button className="button small primary" type="submit">
                    {t('sessions.tweakRun')}
                  </button>
                </form>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}
