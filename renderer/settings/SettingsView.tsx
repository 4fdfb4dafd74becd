/**
 * Settings: the Gemini key (write-only: the window only ever learns whether one is set), the
 * model with its limits and price, the monthly budget, the pixel limit and the language; then
 * what the cloud cost this month (per project) and the log of every upload.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallOutput, ProjectSummary, Settings } from '../../shared/contract/api.js';
import { locales, type LocaleCode } from '../../shared/i18n/index.js';
import { formatBudget, formatUsd, type EngineStatus } from '../ai/engine.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';
import { formatBytes, formatDateTime } from '../library/format.js';
import './settings.css';

type ModelList = CallOutput<'gemini.listModels'>;
type Spend = CallOutput<'spend.summary'>;
type Uploads = CallOutput<'uploads.list'>;

/** How many photos of the upload log get their names looked up. */
const NAME_LOOKUPS = 60;

export function SettingsView() {
  const { client, t, locale, setLocale, toast, confirm } = useApp();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [models, setModels] = useState<ModelList | null>(null);
  const [spend, setSpend] = useState<Spend | null>(null);
  const [uploads, setUploads] = useState<Uploads | null>(null);
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [names, setNames] = useState<ReadonlyMap<number, string>>(new Map());
  const [savingKey, setSavingKey] = useState(false);
  const [keyMessage, setKeyMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [version, setVersion] = useState(0);
  // Uncontrolled on purpose: a controlled input would mirror the key into the value attribute.
  const keyInput = useRef<HTMLInputElement>(null);

  useHostEvent((event) => {
    if (event.type === 'library.changed' || (event.type === 'edit.progress' && event.job.state === 'succeeded')) setVersion((v) => v + 1);
  });

  const loadStatus = useCallback(async () => {
    const [nextStatus, nextModels] = await Promise.all([client.call('engine.status', {}), client.call('gemini.listModels', {})]);
    setStatus(nextStatus);
    setModels(nextModels);
  }, [client]);

  useEffect(() => {
    let live = true;
    void Promise.all([
      client.call('settings.get', {}),
      client.call('spend.summary', {}),
      client.call('uploads.list', {}),
      client.call('projects.list', {}),
    ]).then(
      ([nextSettings, nextSpend, nextUploads, nextProjects]) => {
        if (!live) return;
        setSettings(nextSettings);
        setSpend(nextSpend);
        setUploads(nextUploads);
        setProjects(nextProjects);
      },
      (error: unknown) => live && toast({ kind: 'error', text: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [client, toast, version]);

  useEffect(() => {
    loadStatus().catch((error: unknown) => toast({ kind: 'error', text: errorMessage(error) }));
  }, [loadStatus, toast]);

  // The upload log names the photos sent.
  useEffect(() => {
    if (!uploads) return;
    const wanted = [...new Set(uploads.flatMap((row) => row.photoIds))].filter((id) => !names.has(id)).slice(0, NAME_LOOKUPS);
    if (wanted.length === 0) return;
    let live = true;
    void Promise.all(wanted.map((id) => client.call('photos.get', { id }).then((photo) => [id, photo.fileName] as const, () => [id, `#${id}`] as const))).then((found) => {
      if (live) setNames((current) => new Map([...current, ...found]));
    });
    return () => {
      live = false;
    };
  }, [client, uploads]);

  async function change(patch: Partial<Settings>) {
    try {
      setSettings(await client.call('settings.set', patch));
      // The spending card shows the budget too.
      if (patch.monthlyBudgetUsd !== undefined) setVersion((v) => v + 1);
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
    }
  }

  async function saveKey() {
    const key = keyInput.current?.value.trim() ?? '';
    if (!key) return;
    setSavingKey(true);
    setKeyMessage(null);
    try {
      await client.call('gemini.setKey', { key });
      if (keyInput.current) keyInput.current.value = '';
      setKeyMessage({ kind: 'ok', text: t('settings.key.saved') });
      await loadStatus();
    } catch (error) {
      setKeyMessage({ kind: 'error', text: errorMessage(error) });
    } finally {
      setSavingKey(false);
    }
  }

  async function forgetKey() {
    if (!(await confirm(t('settings.key.forgetConfirm'), t('settings.key.forget')))) return;
    try {
      await client.call('gemini.setKey', { key: null });
      await loadStatus();
      setKeyMessage({ kind: 'ok', text: t('settings.key.forgotten') });
    } catch (error) {
      setKeyMessage({ kind: 'error', text: errorMessage(error) });
    }
  }

  const keySet = status?.gemini.available ?? false;
  const projectName = (id: number) => projects.find((p) => p.id === id)?.name ?? t('settings.spend.project', { id });
  const modelOptions = mergeModels(models, status, settings?.model ?? null);
  const chosen = status?.models.find((m) => m.name === settings?.model) ?? null;

  return (
    <div className="settings-view page-view" data-testid="settings-view" data-locale={locale}>
      <header className="toolbar">
        <h1 className="page-title">{t('settings.title')}</h1>
      </header>
      <div className="page-scroll">
        <div className="page-columns">
          <section className="card" data-testid="settings-gemini">
            <h2>{t('settings.key.title')}</h2>
            <p className={'key-status' + (keySet ? ' set' : '')} data-testid="key-status" data-set={keySet}>
              {status === null ? t('app.loading') : keySet ? `✓ ${t('settings.key.isSet')}` : t('settings.key.notSet')}
            </p>
            {status && !keySet && <p className="muted small">{status.gemini.reason}</p>}
            <form
              className="key-form"
              onSubmit={(event) => {
                event.preventDefault();
                void saveKey();
              }}
            >
              <input
                ref={keyInput}
                className="text-input"
                type="password"
                name="gemini-key"
                autoComplete="off"
                spellCheck={false}
                data-testid="key-input"
                placeholder={keySet ? t('settings.key.replacePlaceholder') : t('settings.key.placeholder')}
                aria-label={t('settings.key.label')}
              />
              <button className="button primary" type="submit" data-testid="key-save" disabled={savingKey}>
                {t('settings.key.save')}
              </button>
              {keySet && (
                <button className="button danger" type="button" data-testid="key-forget" onClick={() => void forgetKey()}>
                  {t('settings.key.forget')}
                </button>
              )}
            </form>
            {keyMessage && (
              <p className={'small ' + (keyMessage.kind === 'ok' ? 'ok-text' : 'error-text')} role={keyMessage.kind === 'ok' ? 'status' : 'alert'} data-testid="key-message">
                {keyMessage.text}
              </p>
            )}
            <p className="panel-hint">{t('settings.key.hint')}</p>
          </section>

          <section className="card" data-testid="settings-model">
            <h2>{t('settings.model.title')}</h2>
            <label className="form-row">
              <span>{t('settings.model.label')}</span>
              <select
                className="select"
                data-testid="model-select"
                value={settings?.model ?? ''}
                disabled={!settings}
                onChange={(event) => void change({ model: event.target.value })}
              >
                {modelOptions.map((option) => (
                  <option key={option.name} value={option.name}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
            {chosen ? (
              <p className="muted small" data-testid="model-facts">
                {t('settings.model.facts', { refs: chosen.maxReferenceImages, usd: formatUsd(chosen.priceUsdPerImage) })}
              </p>
            ) : (
              settings && <p className="muted small">{t('settings.model.unknown')}</p>
            )}
            <table className="data-table model-table">
              <thead>
                <tr>
                  <th>{t('settings.model.label')}</th>
                  <th>{t('settings.model.refs')}</th>
                  <th>{t('settings.model.price')}</th>
                </tr>
              </thead>
              <tbody>
                {status?.models.map((model) => (
                  <tr key={model.name} className={model.name === settings?.model ? 'current' : ''}>
                    <td title={model.name}>{model.label}</td>
                    <td>{model.maxReferenceImages}</td>
                    <td>{formatUsd(model.priceUsdPerImage)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <NumberSetting
              label={t('settings.budget.label')}
              testId="budget-input"
              unit="USD"
              value={settings?.monthlyBudgetUsd ?? null}
              allowEmpty
              emptyText={t('settings.budget.none')}
              min={0}
              max={100_000}
              step={0.5}
              onSave={(value) => void change({ monthlyBudgetUsd: value })}
            />
            <p className="panel-hint">{t('settings.budget.hint')}</p>
          </section>

          <section className="card" data-testid="settings-general">
            <h2>{t('settings.general.title')}</h2>
            <label className="form-row">
              <span>{t('app.language')}</span>
              <select className="select" data-testid="settings-language" value={locale} onChange={(event) => setLocale(event.target.value as LocaleCode)}>
                {locales.map((option) => (
                  <option key={option.code} value={option.code} lang={option.code}>
                    {option.name}
                  </option>
                ))}
              </select>
            </label>
            <NumberSetting
              label={t('settings.pixels.label')}
              testId="pixel-limit-input"
              unit="MP"
              value={settings?.pixelLimitMegapixels ?? null}
              min={1}
              max={10_000}
              step={1}
              integer
              onSave={(value) => value !== null && void change({ pixelLimitMegapixels: value })}
            />
            <p className="panel-hint">{t('settings.pixels.hint')}</p>
          </section>

          <section className="card" data-testid="settings-spend">
            <h2>{t('settings.spend.title')}</h2>
            {spend && (
              <>
                <p className="spend-total" data-testid="spend-month">
                  {spend.monthlyBudgetUsd === null
                    ? t('ai.spend.noBudget', { spent: formatUsd(spend.monthSpendUsd) })
                    : t('ai.spend.ofBudget', { spent: formatUsd(spend.monthSpendUsd), budget: formatBudget(spend.monthlyBudgetUsd) })}
                </p>
                {spend.monthlyBudgetUsd !== null && spend.monthlyBudgetUsd > 0 && (
                  <div className="budget-bar" aria-hidden="true">
                    <div style={{ width: `${Math.min(100, (spend.monthSpendUsd / spend.monthlyBudgetUsd) * 100)}%` }} />
                  </div>
                )}
                {spend.byProject.length === 0 ? (
                  <p className="muted small">{t('settings.spend.none')}</p>
                ) : (
                  <table className="data-table" data-testid="spend-projects">
                    <thead>
                      <tr>
                        <th>{t('settings.spend.projectColumn')}</th>
                        <th>{t('settings.spend.costColumn')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {spend.byProject.map((row) => (
                        <tr key={row.projectId}>
                          <td>{projectName(row.projectId)}</td>
                          <td>{formatUsd(row.costUsd)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            )}
          </section>

          <section className="card wide" data-testid="settings-uploads">
            <h2>{t('settings.uploads.title')}</h2>
            <p className="panel-hint">{t('settings.uploads.hint')}</p>
            {uploads && uploads.length === 0 && <p className="muted small">{t('settings.uploads.none')}</p>}
            {uploads && uploads.length > 0 && (
              <table className="data-table" data-testid="upload-log">
                <thead>
                  <tr>
                    <th>{t('settings.uploads.when')}</th>
                    <th>{t('settings.uploads.model')}</th>
                    <th>{t('settings.uploads.images')}</th>
                    <th>{t('settings.uploads.bytes')}</th>
                    <th>{t('settings.uploads.photos')}</th>
                    <th>{t('settings.uploads.prompt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {uploads.map((row, index) => (
                    <tr key={`${row.jobId}-${index}`} data-testid="upload-row">
                      <td>{formatDateTime(row.sentAt, locale)}</td>
                      <td>{row.model}</td>
                      <td>{row.imageCount}</td>
                      <td>{formatBytes(row.bytes, locale)}</td>
                      <td className="wrap">{row.photoIds.map((id) => names.get(id) ?? `#${id}`).join(', ')}</td>
                      <td className="wrap prompt-cell">“{row.prompt}”</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}

/** The known table, the models the key can use, and the current choice: each once. */
function mergeModels(listed: ModelList | null, status: EngineStatus | null, current: string | null): { name: string; label: string }[] {
  const options = new Map<string, string>();
  for (const model of status?.models ?? []) options.set(model.name, model.label);
  for (const model of listed ?? []) if (!options.has(model.name)) options.set(model.name, model.displayName || model.name);
  if (current && !options.has(current)) options.set(current, current);
  return [...options].map(([name, label]) => ({ name, label }));
}

function NumberSetting(props: {
  label: string;
  testId: string;
  unit: string;
  value: number | null;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  allowEmpty?: boolean;
  emptyText?: string;
  onSave(value: number | null): void;
}) {
  const [text, setText] = useState(props.value === null ? '' : String(props.value));
  useEffect(() => setText(props.value === null ? '' : String(props.value)), [props.value]);
  function save() {
    const trimmed = text.trim();
    if (trimmed === '') {
      if (props.allowEmpty) props.onSave(null);
      else setText(props.value === null ? '' : String(props.value));
      return;
    }
    const parsed = Number(trimmed);
    if (!Number.isFinite(parsed)) {
      setText(props.value === null ? '' : String(props.value));
      return;
    }
    const value = Math.min(props.max, Math.max(props.min, props.integer ? Math.round(parsed) : parsed));
    setText(String(value));
    if (value !== props.value) props.onSave(value);
  }
  return (
    <label className="form-row">
      <span>{props.label}</span>
      <span className="number-setting">
        <input
          className="text-input number"
          type="number"
          data-testid={props.testId}
          min={props.min}
          max={props.max}
          step={props.step}
          value={text}
          placeholder={props.emptyText}
          onChange={(event) => setText(event.target.value)}
          onBlur={save}
          onKeyDown={(event) => {
            if (event.key === 'Enter') save();
          }}
        />
        <span className="muted small">{props.unit}</span>
      </span>
    </label>
  );
}
