import { useRef, useState } from 'react';
import type { EngineName, Preset, PresetInput } from '../../shared/contract/api.js';
import { useApp } from '../app/context.js';

/** Steps as the editor writes them: one per line, “local:” or “gemini:” in front pins the engine. */
export function stepsToText(steps: Preset['steps']): string {
  return steps.map((step) => (step.engine ? `${step.engine}: ${step.prompt}` : step.prompt)).join('\n');
}

export function stepsFromText(text: string): PresetInput['steps'] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const match = /^(local|gemini)\s*:\s*(.+)$/i.exec(line);
      return match ? { prompt: match[2]!.trim(), engine: match[1]!.toLowerCase() as EngineName } : { prompt: line, engine: null };
    });
}

interface Draft {
  id: number | null;
  nameEn: string;
  nameZh: string;
  steps: string;
  engine: EngineName;
}

/** The presets: list, edit, add, delete, export and import as JSON. */
export function PresetsPanel({ presets, onChanged }: { presets: Preset[]; onChanged: () => void }) {
  const { client, t, locale, attempt, confirm, toast } = useApp();
  const [draft, setDraft] = useState<Draft | null>(null);
  const file = useRef<HTMLInputElement>(null);

  async function save() {
    if (!draft) return;
    const input = { nameEn: draft.nameEn.trim(), nameZh: draft.nameZh.trim() || draft.nameEn.trim(), steps: stepsFromText(draft.steps), engine: draft.engine };
    const saved = await attempt(draft.id === null ? client.call('presets.create', input) : client.call('presets.update', { id: draft.id, ...input }));
    if (saved) {
      setDraft(null);
      onChanged();
    }
  }

  async function remove(preset: Preset) {
    if (!(await confirm(t('presets.deleteConfirm', { name: locale === 'zh-CN' ? preset.nameZh : preset.nameEn }), t('presets.delete')))) return;
    if ((await attempt(client.call('presets.delete', { id: preset.id }))) !== undefined) onChanged();
  }

  async function exportAll() {
    const answer = await attempt(client.call('presets.export', {}));
    if (!answer) return;
    const url = URL.createObjectURL(new Blob([answer.json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'promptroom-presets.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async function importFile(chosen: File | undefined) {
    if (!chosen) return;
    const answer = await attempt(client.call('presets.import', { json: await chosen.text() }));
    if (answer) {
      toast({ kind: 'info', text: t('presets.imported', { n: answer.imported }) });
      onChanged();
    }
  }

  return (
    <section className="card presets-panel" data-testid="presets-panel" aria-label={t('presets.title')}>
      <div className="session-row">
        <h2>{t('presets.title')}</h2>
        <span className="toolbar-spacer" />
        <button className="button small" onClick={() => setDraft({ id: null, nameEn: '', nameZh: '', steps: '', engine: 'local' })} data-testid="preset-new">
          {t('presets.new')}
        </button>
        <button className="button small" onClick={() => void exportAll()}>
          {t('presets.export')}
        </button>
        <button className="button small" onClick={() => file.current?.click()}>
          {t('presets.import')}
        </button>
        <input ref={file} type="file" accept="application/json,.json" hidden onChange={(event) => void importFile(event.target.files?.[0])} />
      </div>
      <ul className="presets-list">
        {presets.map((preset) => (
          <li key={preset.id} className="preset-row" data-testid="preset-row">
            <div className="preset-text">
              <strong>{locale === 'zh-CN' ? preset.nameZh : preset.nameEn}</strong>
              <span className="muted">
                {' '}
                · {t(preset.engine === 'local' ? 'sessions.engine.local' : 'sessions.engine.gemini')} · {preset.steps.map((s) => s.prompt).join(' → ')}
              </span>
            </div>
            <button className="button small" onClick={() => setDraft({ id: preset.id, nameEn: preset.nameEn, nameZh: preset.nameZh, steps: stepsToText(preset.steps), engine: preset.engine })}>
              {t('presets.edit')}
            </button>
            <button className="button small danger" onClick={() => void remove(preset)}>
              {t('presets.delete')}
            </button>
          </li>
        ))}
      </ul>
      {draft && (
        <div className="preset-editor" data-testid="preset-editor">
          <label className="field">
            {t('presets.nameEn')}
            <input className="text-input" value={draft.nameEn} onChange={(event) => setDraft({ ...draft, nameEn: event.target.value })} />
          </label>
          <label className="field">
            {t('presets.nameZh')}
            <input className="text-input" value={draft.nameZh} onChange={(event) => setDraft({ ...draft, nameZh: event.target.value })} />
          </label>
          <label className="field">
            {t('sessions.engine')}
            <select className="select" value={draft.engine} onChange={(event) => setDraft({ ...draft, engine: event.target.value as EngineName })}>
              <option value="local">{t('sessions.engine.local')}</option>
              <option value="gemini">{t('sessions.engine.gemini')}</option>
            </select>
          </label>
          <label className="preset-steps-label">
            {t('presets.steps')}
            <textarea className="text-input preset-steps" rows={4} value={draft.steps} placeholder={t('presets.stepsHint')} onChange={(event) => setDraft({ ...draft, steps: event.target.value })} />
          </label>
          <div className="modal-buttons">
            <button className="button" onClick={() => setDraft(null)}>
              {t('dialog.cancel')}
            </button>
            <button className="button primary" disabled={!draft.nameEn.trim() || stepsFromText(draft.steps).length === 0} onClick={() => void save()}>
              {t('presets.save')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
