/**
 * The prompt bar under the picture: say what to change, Ctrl+Enter (⌘Enter) sends it. It shows
 * which engine will run and why, the model and its price, the estimate and the month's spend
 * against the budget; takes reference photos dragged in from the library (one may be the style),
 * `@Name` characters, a painted region (or the selected layer's mask), a number of variants, a
 * fresh variant past the cache, and follow-ups that continue an AI layer's conversation. The
 * local engine answers at once (`local.apply`) or says why it can't and offers the queue for Gemini.
 */
import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { CallInput, CallOutput, EditJobInfo, PhotoDetail } from '../../shared/contract/api.js';
import { CallError } from '../../shared/contract/bridge.js';
import type { ImageLayer, Layer } from '../../shared/document/model.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';
import { PHOTO_DRAG_TYPE } from '../library/Grid.js';
import { decideEngine, formatBudget, modelInfo, referenceLimit, type EngineChoice } from './engine.js';
import { explainJob, isActive, useTicker } from './jobs.js';
import { JobRow } from './JobsPanel.js';
import { completeMention, mentionAt, mentionedNames, sameName, suggest } from './mentions.js';
import { EngineLine, ReferenceChip, RegionTools, type Estimate, type Reference } from './PromptParts.js';
import type { AiRegion, RegionTool } from './region.js';
import type { EngineState } from './useEngine.js';
import { VariantsTray } from './Variants.js';

type CharacterInfo = CallOutput<'characters.list'>[number];

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const ESTIMATE_DEBOUNCE_MS = 250;

type Notice =
  | { kind: 'refused'; reason: string; reasonZh: string; cloudable: boolean; prompt: string }
  | { kind: 'error'; text: string }
  | { kind: 'info'; text: string };

export interface PromptBarProps {
  engine: EngineState;
  projectId: number;
  photoId: number;
  selected: Layer | null;
  region: AiRegion;
  onRegion(region: AiRegion): void;
  regionTool: RegionTool;
  onRegionTool(tool: RegionTool): void;
  brushSize: number;
  onBrushSize(size: number): void;
  longEdge: number;
  jobs: EditJobInfo[];
  onSubmitted(job: EditJobInfo): void;
  onCancel(jobId: string): void;
  /** The local engine committed steps: reload the project. */
  onLocalSteps(stepIds: string[]): void;
  onChooseVariant(layerId: string, sha256: string): void;
  /** A commit is in flight (variant swaps wait for it). */
  busy: boolean;
}

export function PromptBar(props: PromptBarProps) {
  const { engine, projectId, photoId, selected, region, jobs } = props;
  const { client, t, tn, locale } = useApp();
  const [prompt, setPrompt] = useState('');
  const [choice, setChoice] = useState<EngineChoice>('auto');
  const [variants, setVariants] = useState(1);
  const [fresh, setFresh] = useState(false);
  const [continueOn, setContinueOn] = useState(true);
  const [useLayerMask, setUseLayerMask] = useState(true);
  const [refs, setRefs] = useState<Reference[]>([]);
  const [styleId, setStyleId] = useState<number | null>(null);
  const [limitNote, setLimitNote] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [sending, setSending] = useState(false);
  const [photo, setPhoto] = useState<PhotoDetail | null>(null);
  const [characters, setCharacters] = useState<CharacterInfo[]>([]);
  const [caret, setCaret] = useState(0);
  const [menuIndex, setMenuIndex] = useState(0);
  const [menuClosed, setMenuClosed] = useState(false);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [mine, setMine] = useState<ReadonlySet<string>>(new Set());
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [libraryVersion, setLibraryVersion] = useState(0);
  /** Bumped when the field gains focus: the budget may have changed in another window. */
  const [freshness, setFreshness] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);

  useHostEvent((event) => {
    if (event.type === 'library.changed') setLibraryVersion((v) => v + 1);
  });

  // The photo's "never upload" flag decides the default engine.
  useEffect(() => {
    let live = true;
    client.call('photos.get', { id: photoId }).then(
      (value) => live && setPhoto(value),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, photoId, libraryVersion]);

  useEffect(() => {
    let live = true;
    client.call('characters.list', {}).then(
      (list) => live && setCharacters(list),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, libraryVersion]);

  const keySet = engine.status?.gemini.available ?? false;
  const decision = decideEngine(choice, { keySet, online: engine.online, neverUpload: photo?.neverUpload ?? false });
  const gemini = decision.engine === 'gemini';
  const model = engine.settings?.model ?? 'gemini-2.5-flash-image';
  const info = modelInfo(engine.status, model);
  const limit = referenceLimit(info);

  const aiLayer: ImageLayer | null = selected?.kind === 'image' && selected.generated ? selected : null;
  const continuing = gemini && aiLayer !== null && aiLayer.generated?.provider === 'gemini' && continueOn;
  const layerMask = selected?.mask && selected.mask.strokes.length > 0 ? selected.mask : null;
  const regionMask = region.strokes.length > 0 ? region : useLayerMask && layerMask ? layerMask : null;

  const mentions = useMemo(() => {
    return mentionedNames(prompt).map((name) => ({ name, character: characters.find((c) => sameName(c.name, name)) ?? null }));
  }, [prompt, characters]);
  const mentionedPhotos = mentions.reduce((n, m) => n + (m.character?.photoIds.length ?? 0), 0);
  const room = Math.max(0, limit - refs.length);
  const inputImages = 1 + refs.length + Math.min(room, mentionedPhotos);
  const overLimit = refs.length > limit;

  const at = menuClosed ? null : mentionAt(prompt, caret);
  const suggestions = at ? suggest(characters, at.query) : [];
  const menuOpen = at !== null && suggestions.length > 0;

  // The estimate and the month's spend, asked again as the edit takes shape.
  useEffect(() => {
    if (!gemini) return;
    let live = true;
    const timer = setTimeout(() => {
      client
        .call('edit.estimate', { model, inputImages: Math.min(20, inputImages), promptChars: prompt.trim().length, variants })
        .then((value) => live && setEstimate(value), () => {});
    }, ESTIMATE_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, gemini, model, inputImages, prompt, variants, jobs.length, libraryVersion, freshness]);

  const overBudget =
    gemini && estimate !== null && estimate.monthlyBudgetUsd !== null && estimate.monthSpendUsd + estimate.estimateUsd > estimate.monthlyBudgetUsd + 1e-9;

  const active = jobs.filter(isActive);
  const failed = jobs.find((job) => mine.has(job.jobId) && job.state === 'failed' && !dismissed.has(job.jobId)) ?? null;
  const now = useTicker(active.some((job) => job.nextAttemptAt !== null));

  function remember(job: EditJobInfo) {
    setMine((set) => new Set([...set, job.jobId]));
    props.onSubmitted(job);
  }

  async function submitGemini(text: string, options: { fromLocal: boolean }) {
    const request: CallInput<'edit.submit'> = {
      projectId,
      prompt: text,
      provider: 'gemini',
      model,
      mask: !options.fromLocal && regionMask ? { strokes: regionMask.strokes, feather: regionMask.feather, inverted: regionMask.inverted } : null,
      referencePhotoIds: refs.filter((ref) => ref.id !== styleId).map((ref) => ref.id),
      stylePhotoId: styleId,
      variants,
      fresh,
      continueLayerId: !options.fromLocal && continuing && aiLayer ? aiLayer.id : null,
    };
    const job = await client.call('edit.submit', request);
    remember(job);
    return job;
  }

  async function send() {
    const text = prompt.trim();
    if (!text || sending) return;
    // Past the budget is only a warning here (the figures may be a moment old): the host decides.
    if (gemini && overLimit) return;
    setSending(true);
    setNotice(null);
    try {
      if (gemini) {
        await submitGemini(text, { fromLocal: false });
        setPrompt('');
        setFresh(false);
      } else {
        const result = await client.call('local.apply', { projectId, instruction: text });
        if (result.refused) {
          setNotice({ kind: 'refused', ...result.refused, prompt: text });
        } else {
          setPrompt('');
          props.onLocalSteps(result.stepIds);
          setNotice({ kind: 'info', text: tn('ai.local.applied', result.stepIds.length) });
        }
      }
    } catch (error) {
      setNotice({ kind: 'error', text: describeCallError(error) });
    } finally {
      setSending(false);
    }
  }

  function describeCallError(error: unknown): string {
    if (error instanceof CallError && (error.error.code === 'unsupported' || error.error.code === 'unknown-call')) {
      return t('ai.local.unavailable', { reason: error.message.replace(/[.。]\s*$/, '') });
    }
    return errorMessage(error);
  }

  async function queueForGemini(text: string) {
    setSending(true);
    try {
      await submitGemini(text, { fromLocal: true });
      setNotice({ kind: 'info', text: t('ai.local.queued') });
      setPrompt('');
    } catch (error) {
      setNotice({ kind: 'error', text: errorMessage(error) });
    } finally {
      setSending(false);
    }
  }

  async function restore() {
    setSending(true);
    setNotice(null);
    try {
      const result = await client.call('local.restore', { projectId });
      props.onLocalSteps(result.stepIds);
      setNotice({ kind: 'info', text: tn('ai.local.restored', result.stepIds.length) });
    } catch (error) {
      setNotice({ kind: 'error', text: describeCallError(error) });
    } finally {
      setSending(false);
    }
  }

  // ---- references ---------------------------------------------------------------------------

  async function addReferences(ids: number[]) {
    setLimitNote(null);
    let next = [...refs];
    for (const id of ids) {
      if (next.some((ref) => ref.id === id)) continue;
      if (next.length >= limit) {
        setLimitNote(t('ai.refs.limit', { model: info?.label ?? model, n: limit }));
        break;
      }
      try {
        const detail = await client.call('photos.get', { id });
        next = [...next, { id, sha256: detail.sha256, fileName: detail.fileName, neverUpload: detail.neverUpload }];
      } catch (error) {
        setNotice({ kind: 'error', text: errorMessage(error) });
      }
    }
    setRefs(next);
  }

  function removeReference(id: number) {
    setRefs((list) => list.filter((ref) => ref.id !== id));
    if (styleId === id) setStyleId(null);
    setLimitNote(null);
  }

  function carriesPhotos(event: DragEvent) {
    return Array.from(event.dataTransfer.types).includes(PHOTO_DRAG_TYPE);
  }

  function onDrop(event: DragEvent) {
    setDropping(false);
    if (!carriesPhotos(event)) return;
    event.preventDefault();
    event.stopPropagation();
    let ids: number[] = [];
    try {
      ids = (JSON.parse(event.dataTransfer.getData(PHOTO_DRAG_TYPE)) as unknown[]).filter((id): id is number => typeof id === 'number' && Number.isInteger(id) && id > 0);
    } catch {
      return;
    }
    void addReferences(ids);
  }

  // ---- keyboard and @Name ----------------------------------------------------------------------

  function choose(name: string) {
    const element = input.current;
    const position = element?.selectionStart ?? caret;
    const next = completeMention(prompt, position, name);
    setPrompt(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.caret, next.caret);
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (menuOpen) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setMenuIndex((i) => (i + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if ((event.key === 'Enter' && !event.ctrlKey && !event.metaKey) || event.key === 'Tab') {
        event.preventDefault();
        const picked = suggestions[Math.min(menuIndex, suggestions.length - 1)];
        if (picked) choose(picked.name);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setMenuClosed(true);
        return;
      }
    }
    if (event.key === 'Enter' && (IS_MAC ? event.metaKey : event.ctrlKey)) {
      event.preventDefault();
      void send();
      return;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      event.currentTarget.blur();
    }
    // Typing stays in the field: the editor's single-key shortcuts must not fire.
    event.stopPropagation();
  }

  // ---- render -----------------------------------------------------------------------------------

  const sendKey = IS_MAC ? '⌘↵' : 'Ctrl+Enter';
  const refusalReason = notice?.kind === 'refused' ? (locale === 'zh-CN' ? notice.reasonZh : notice.reason) : null;

  return (
    <section
      className={'prompt-bar' + (dropping ? ' dropping' : '')}
      data-testid="prompt-bar"
      data-engine={decision.engine}
      data-reason={decision.reason}
      onDragOver={(event) => {
        if (!carriesPhotos(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={onDrop}
    >
      {aiLayer && <VariantsTray projectId={projectId} layer={aiLayer} busy={props.busy} onChoose={(sha) => props.onChooseVariant(aiLayer.id, sha)} />}

      {active.length > 0 && (
        <ul className="active-jobs" data-testid="active-jobs">
          {active.slice(0, 3).map((job) => (
            <JobRow key={job.jobId} job={job} now={now} onCancel={props.onCancel} compact />
          ))}
        </ul>
      )}

      {failed && (
        <div className="prompt-notice failed" role="alert" data-testid="prompt-refusal" data-error-kind={failed.errorKind ?? ''}>
          <div className="notice-text">
            <strong>{explainJob(failed, t)}</strong>
            <span className="notice-detail">
              “{failed.prompt}” · {failed.error}
            </span>
            {failed.answerText && (
              <blockquote className="job-answer">
                {t('ai.jobs.modelSaid')} “{failed.answerText}”
              </blockquote>
            )}
          </div>
          <button className="notice-close" aria-label={t('toast.dismiss')} title={t('toast.dismiss')} onClick={() => setDismissed((set) => new Set([...set, failed.jobId]))}>
            ×
          </button>
        </div>
      )}

      {notice && (
        <div
          className={'prompt-notice ' + (notice.kind === 'info' ? 'info' : 'failed')}
          role={notice.kind === 'info' ? 'status' : 'alert'}
          data-testid={notice.kind === 'refused' ? 'local-refusal' : 'prompt-notice'}
        >
          <div className="notice-text">
            {notice.kind === 'refused' ? (
              <>
                <strong>{t('ai.local.refused')}</strong>
                <span className="notice-detail" data-testid="local-refusal-reason">
                  {refusalReason}
                </span>
              </>
            ) : (
              <span>{notice.text}</span>
            )}
          </div>
          {notice.kind === 'refused' && notice.cloudable && (
            <button className="button small primary" data-testid="queue-for-gemini" disabled={sending} onClick={() => void queueForGemini(notice.prompt)}>
              {t('ai.local.queueForGemini')}
            </button>
          )}
          <button className="notice-close" aria-label={t('toast.dismiss')} title={t('toast.dismiss')} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}

      <EngineLine decision={decision} choice={choice} onChoice={setChoice} model={model} info={info} estimate={gemini ? estimate : null} overBudget={overBudget} />

      {(refs.length > 0 || mentions.length > 0 || (gemini && (regionMask || layerMask || continuing || aiLayer)) || limitNote || overBudget) && (
        <div className="chip-line">
          {gemini &&
            refs.map((ref, index) => (
              <ReferenceChip
                key={ref.id}
                reference={ref}
                label={ref.id === styleId ? t('ai.refs.style') : t('ai.refs.image', { n: refs.slice(0, index + 1).filter((r) => r.id !== styleId).length + 1 })}
                isStyle={ref.id === styleId}
                onStyle={() => setStyleId(styleId === ref.id ? null : ref.id)}
                onRemove={() => removeReference(ref.id)}
              />
            ))}
          {gemini &&
            mentions.map((mention) => (
              <span key={mention.name} className={'mention-chip' + (mention.character ? '' : ' unknown')} data-testid="mention-chip" data-name={mention.name}>
                @{mention.character?.name ?? mention.name}
                <span className="muted">
                  {mention.character
                    ? mention.character.photoIds.length > 0
                      ? tn('ai.mentions.photos', mention.character.photoIds.length)
                      : t('ai.mentions.noPhotos')
                    : t('ai.mentions.unknown')}
                </span>
              </span>
            ))}
          {gemini && region.strokes.length > 0 && (
            <span className="region-chip" data-testid="region-chip" data-inverted={region.inverted}>
              {region.inverted ? t('ai.region.onlyOutside') : t('ai.region.onlyInside')}
            </span>
          )}
          {gemini && region.strokes.length === 0 && layerMask && selected && (
            <label className="check region-chip" data-testid="use-layer-mask-label">
              <input type="checkbox" data-testid="use-layer-mask" checked={useLayerMask} onChange={(event) => setUseLayerMask(event.target.checked)} />
              {t('ai.region.layerMask', { name: selected.name })}
            </label>
          )}
          {gemini && aiLayer && aiLayer.generated?.provider === 'gemini' && (
            <label className="check continue-chip" title={t('ai.continue.hint')}>
              <input type="checkbox" data-testid="continue-toggle" checked={continueOn} onChange={(event) => setContinueOn(event.target.checked)} />
              {t('ai.continue.label', { prompt: shorten(aiLayer.generated.prompt, 32) })}
            </label>
          )}
          {limitNote && (
            <span className="limit-note" role="alert" data-testid="ref-limit-message">
              {limitNote}
            </span>
          )}
          {overBudget && estimate && (
            <span className="limit-note" role="alert" data-testid="over-budget">
              {t('ai.spend.overBudget', { budget: formatBudget(estimate.monthlyBudgetUsd ?? 0) })}
            </span>
          )}
          {gemini && overLimit && !limitNote && (
            <span className="limit-note" role="alert" data-testid="ref-limit-message">
              {t('ai.refs.overLimit', { model: info?.label ?? model, n: limit })}
            </span>
          )}
        </div>
      )}

      <div className="prompt-row">
        <div className="prompt-field">
          <textarea
            ref={input}
            className="prompt-input"
            data-testid="prompt-input"
            rows={2}
            maxLength={20_000}
            value={prompt}
            placeholder={gemini ? t('ai.prompt.placeholder') : t('ai.prompt.placeholderLocal')}
            aria-label={t('ai.prompt.label')}
            onChange={(event) => {
              setPrompt(event.target.value);
              setCaret(event.target.selectionStart);
              setMenuClosed(false);
              setMenuIndex(0);
            }}
            onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(() => setMenuClosed(true), 150)}
            onFocus={() => {
              setMenuClosed(false);
              setFreshness((n) => n + 1);
            }}
          />
          {menuOpen && (
            <ul className="mention-menu menu" role="listbox" data-testid="mention-menu">
              {suggestions.map((character, index) => (
                <li
                  key={character.id}
                  role="option"
                  aria-selected={index === menuIndex}
                  className={index === menuIndex ? 'active' : ''}
                  data-testid="mention-option"
                  data-name={character.name}
                  onMouseDown={(event) => {
                    event.preventDefault();
                    choose(character.name);
                  }}
                >
                  @{character.name} <span className="muted small">{tn('ai.mentions.photos', character.photoIds.length)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <button
          className="button primary send-button"
          data-testid="prompt-send"
          disabled={!prompt.trim() || sending || (gemini && overLimit)}
          onClick={() => void send()}
          title={`${t('ai.prompt.send')} (${sendKey})`}
        >
          {sending ? t('ai.prompt.sending') : gemini ? t('ai.prompt.send') : t('ai.prompt.apply')}
          <span className="kbd">{sendKey}</span>
        </button>
      </div>

      <div className="option-line">
        {gemini ? (
          <>
            <span className="option-group" role="group" aria-label={t('ai.variants.count')}>
              <span className="muted small">{t('ai.variants.count')}</span>
              {[1, 2, 3, 4].map((n) => (
                <button key={n} className={'button small toggle count' + (variants === n ? ' active' : '')} aria-pressed={variants === n} data-testid={`variants-${n}`} onClick={() => setVariants(n)}>
                  {n}
                </button>
              ))}
            </span>
            <label className="check small" title={t('ai.fresh.hint')}>
              <input type="checkbox" data-testid="fresh-toggle" checked={fresh} onChange={(event) => setFresh(event.target.checked)} />
              {t('ai.fresh.label')}
            </label>
            <RegionTools
              region={region}
              onRegion={props.onRegion}
              tool={props.regionTool}
              onTool={props.onRegionTool}
              brushSize={props.brushSize}
              onBrushSize={props.onBrushSize}
              longEdge={props.longEdge}
            />
          </>
        ) : (
          <>
            <span className="muted small">{t('ai.local.examples')}</span>
          </>
        )}
        <span className="toolbar-spacer" />
        <button className="button small" data-testid="restore-photo" disabled={sending} onClick={() => void restore()} title={t('ai.local.restoreHint')}>
          {t('ai.local.restore')}
        </button>
      </div>
      {dropping && <div className="prompt-drop-hint">{t('ai.refs.dropHint', { n: limit })}</div>}
    </section>
  );
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
