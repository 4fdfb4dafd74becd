import { useEffect, useState } from 'react';
import type { EngineName, PhotoSummary, Preset, SessionSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { useApp } from '../app/context.js';
import { formatUsd } from './format.js';

type Source = { kind: 'selection' } | { kind: 'album'; albumId: number } | { kind: 'pick' };

/** The form that starts a session: which photos, which recipe, which engine, what budget. */
export function NewSession({
  presets,
  initialPhotoIds,
  onCreated,
  onClose,
}: {
  presets: Preset[];
  initialPhotoIds: number[];
  onCreated: (session: SessionSummary) => void;
  onClose: () => void;
}) {
  const { client, bridge, t, tn, locale, attempt } = useApp();
  const [source, setSource] = useState<Source>(initialPhotoIds.length > 0 ? { kind: 'selection' } : { kind: 'pick' });
  const [albums, setAlbums] = useState<{ id: number; name: string; count: number }[]>([]);
  const [library, setLibrary] = useState<PhotoSummary[]>([]);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [recipeKind, setRecipeKind] = useState<'preset' | 'prompt'>('preset');
  const [presetId, setPresetId] = useState<number | null>(presets[0]?.id ?? null);
  const [prompt, setPrompt] = useState('');
  const [engine, setEngine] = useState<EngineName | 'preset'>('preset');
  const [budget, setBudget] = useState('');
  const [batchThreshold, setBatchThreshold] = useState(50);
  const [estimate, setEstimate] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void attempt(client.call('albums.list', {})).then((list) => list && setAlbums(list));
    void attempt(client.call('sessions.getSettings', {})).then((settings) => settings && setBatchThreshold(settings.batchThreshold));
    void attempt(client.call('photos.list', { sort: 'importedAt', order: 'desc', limit: 500 })).then((page) => page && setLibrary(page.items));
  }, [client, attempt]);

  // The presets may arrive after the form opens.
  useEffect(() => {
    if (presetId === null && presets[0]) setPresetId(presets[0].id);
  }, [presets, presetId]);

  const preset = presets.find((p) => p.id === presetId) ?? null;
  const chosenEngine: EngineName = engine === 'preset' ? (recipeKind === 'preset' ? (preset?.engine ?? 'gemini') : 'gemini') : engine;
  const count = source.kind === 'selection' ? initialPhotoIds.length : source.kind === 'album' ? (albums.find((a) => a.id === source.albumId)?.count ?? 0) : picked.size;
  const steps = recipeKind === 'preset' ? (preset?.steps ?? []) : prompt.trim() ? [{ prompt: prompt.trim(), engine: null }] : [];
  const cloudSteps = steps.filter((step) => (chosenEngine === 'local' ? false : (step.engine ?? chosenEngine) === 'gemini')).length;
  const batch = cloudSteps > 0 && count >= batchThreshold;

  // What the cloud steps should cost, from the model table (half price through the Batch API).
  useEffect(() => {
    if (cloudSteps === 0 || count === 0) {
      setEstimate(0);
      return;
    }
    let live = true;
    void client
      .call('edit.estimate', { model: 'gemini-2.5-flash-image', inputImages: 1, promptChars: 200, variants: 1 })
      .then((answer) => live && setEstimate(answer.estimateUsd * cloudSteps * count * (batch ? 0.5 : 1)))
      .catch(() => live && setEstimate(null));
    return () => {
      live = false;
    };
  }, [client, cloudSteps, count, batch]);

  const name = (p: Preset) => (locale === 'zh-CN' ? p.nameZh : p.nameEn);
  const canStart = count > 0 && steps.length > 0 && !busy;

  async function start() {
    setBusy(true);
    const budgetUsd = budget.trim() === '' ? null : Number(budget);
    const created = await attempt(
      client.call('sessions.create', {
        ...(source.kind === 'album' ? { albumId: source.albumId } : { photoIds: source.kind === 'selection' ? initialPhotoIds : [...picked] }),
        recipe: recipeKind === 'preset' && presetId !== null ? { presetId } : { prompt: prompt.trim() },
        ...(engine !== 'preset' && { engine }),
        budgetUsd: budgetUsd !== null && Number.isFinite(budgetUsd) ? budgetUsd : null,
        start: true,
      }),
    );
    setBusy(false);
    if (created) onCreated(created);
  }

  return (
    <section className="card session-new" data-testid="session-new" aria-label={t('sessions.new')}>
      <h2>{t('sessions.new')}</h2>
      <fieldset className="session-fieldset">
        <legend>{t('sessions.photos')}</legend>
        {initialPhotoIds.length > 0 && (
          <label className="radio">
            <input type="radio" checked={source.kind === 'selection'} onChange={() => setSource({ kind: 'selection' })} />
            {tn('sessions.fromSelection', initialPhotoIds.length)}
          </label>
        )}
        <label className="radio">
          <input type="radio" checked={source.kind === 'album'} disabled={albums.length === 0} onChange={() => albums[0] && setSource({ kind: 'album', albumId: albums[0].id })} />
          {t('sessions.fromAlbum')}
          {source.kind === 'album' && (
            <select className="select" value={source.albumId} onChange={(event) => setSource({ kind: 'album', albumId: Number(event.target.value) })} data-testid="session-album">
              {albums.map((album) => (
                <option key={album.id} value={album.id}>
                  {album.name} ({album.count})
                </option>
              ))}
            </select>
          )}
        </label>
        <label className="radio">
          <input type="radio" checked={source.kind === 'pick'} onChange={() => setSource({ kind: 'pick' })} />
          {t('sessions.pickPhotos')} {source.kind === 'pick' && <span className="muted">{tn('sessions.pickedCount', picked.size)}</span>}
        </label>
        {source.kind === 'pick' && (
          <div className="session-picker" data-testid="session-picker">
            <div className="session-picker-actions">
              <button className="button small" onClick={() => setPicked(new Set(library.map((p) => p.id)))}>
                {t('sessions.pickAll')}
              </button>
              <button className="button small" onClick={() => setPicked(new Set())}>
                {t('sessions.pickNone')}
              </button>
            </div>
            <div className="session-picker-grid">
              {library.map((photo) => (
                <button
                  key={photo.id}
                  className={'session-pick' + (picked.has(photo.id) ? ' picked' : '')}
                  aria-pressed={picked.has(photo.id)}
                  title={photo.fileName}
                  onClick={() =>
                    setPicked((current) => {
                      const next = new Set(current);
                      if (next.has(photo.id)) next.delete(photo.id);
                      else next.add(photo.id);
                      return next;
                    })
                  }
                >
                  <img src={assetUrl(bridge.host, photo.sha256, 'thumb')} alt={photo.fileName} loading="lazy" />
                </button>
              ))}
            </div>
          </div>
        )}
      </fieldset>

      <fieldset className="session-fieldset">
        <legend>{t('sessions.recipe')}</legend>
        <label className="radio">
          <input type="radio" checked={recipeKind === 'preset'} onChange={() => setRecipeKind('preset')} />
          {t('sessions.usePreset')}
          <select className="select" value={presetId ?? ''} disabled={recipeKind !== 'preset'} onChange={(event) => setPresetId(Number(event.target.value))} data-testid="session-preset">
            {presets.map((p) => (
              <option key={p.id} value={p.id}>
                {name(p)}
              </option>
            ))}
          </select>
        </label>
        {recipeKind === 'preset' && preset && (
          <ol className="session-steps">
            {preset.steps.map((step, index) => (
              <li key={index}>
                {step.prompt} <span className="muted">{step.engine ? `· ${t(step.engine === 'local' ? 'sessions.engine.local' : 'sessions.engine.gemini')}` : ''}</span>
              </li>
            ))}
          </ol>
        )}
        <label className="radio">
          <input type="radio" checked={recipeKind === 'prompt'} onChange={() => setRecipeKind('prompt')} />
          {t('sessions.usePrompt')}
        </label>
        {recipeKind === 'prompt' && (
          <textarea
            className="text-input session-prompt"
            value={prompt}
            placeholder={t('sessions.promptPlaceholder')}
            onChange={(event) => setPrompt(event.target.value)}
            data-testid="session-prompt"
            rows={2}
          />
        )}
      </fieldset>

      <div className="session-row">
        <label className="field">
          {t('sessions.engine')}
          <select className="select" value={engine} onChange={(event) => setEngine(event.target.value as EngineName | 'preset')} data-testid="session-engine">
            <option value="preset">{t('sessions.engine.preferred', { engine: t(chosenEngine === 'local' ? 'sessions.engine.local' : 'sessions.engine.gemini') })}</option>
            <option value="local">{t('sessions.engine.local')}</option>
            <option value="gemini">{t('sessions.engine.gemini')}</option>
          </select>
        </label>
        <label className="field">
          {t('sessions.budget')}
          <input className="text-input session-budget" inputMode="decimal" value={budget} placeholder={t('sessions.noBudget')} onChange={(event) => setBudget(event.target.value)} />
        </label>
      </div>
      <p className="muted session-estimate" data-testid="session-estimate">
        {count === 0
          ? t('sessions.chooseSomePhotos')
          : cloudSteps === 0
            ? t('sessions.estimateLocal', { n: count })
            : t(batch ? 'sessions.estimateBatch' : 'sessions.estimate', { n: count, cost: estimate === null ? '?' : formatUsd(estimate) })}
      </p>
      <div className="modal-buttons">
        <button className="button" onClick={onClose}>
          {t('dialog.cancel')}
        </button>
        <button className="button primary" disabled={!canStart} onClick={() => void start()} data-testid="session-start">
          {t('sessions.startRun')}
        </button>
      </div>
    </section>
  );
}
