/**
 * The sliders of the selected adjustment layer. For a layer still being set up (the draft), the
 * first release records it as one "Add …" step with the value chosen; afterwards every release
 * records one change. Dragging previews; Escape cancels.
 */
import type { AdjustmentLayer } from '../../shared/document/model.js';
import type { Adjustment } from '../../shared/imaging/index.js';
import { useApp } from '../app/context.js';
import { KIND_NAME_KEYS, PARAMS, paramOf, withParam } from './adjustments.js';
import { CurveEditor } from './CurveEditor.js';
import { Slider } from './Slider.js';

export interface AdjustmentPanelProps {
  layer: AdjustmentLayer;
  isDraft: boolean;
  /** Live, records nothing. */
  onPreview(adjustment: Adjustment): void;
  /** One step (the draft's "Add …", else a change). */
  onCommit(adjustment: Adjustment): Promise<unknown>;
  onCancel(): void;
  onAddDraft(): void;
  onDiscardDraft(): void;
}

export function AdjustmentPanel({ layer, isDraft, onPreview, onCommit, onCancel, onAddDraft, onDiscardDraft }: AdjustmentPanelProps) {
  const { t } = useApp();
  const adjustment = layer.adjustment;
  const params = PARAMS[adjustment.kind];
  return (
    <section className="panel-section" data-testid="adjustment-panel" data-kind={adjustment.kind}>
      <header className="section-head">
        <h2 className="panel-title">{t(KIND_NAME_KEYS[adjustment.kind])}</h2>
      </header>
      {isDraft && <p className="panel-hint">{t('editor.draftHint')}</p>}
      {params.map((param) => (
        <Slider
          key={param.key}
          label={t(param.label)}
          testId={`param-${param.key}`}
          value={paramOf(adjustment, param.key)}
          min={param.min}
          max={param.max}
          step={param.step}
          digits={param.digits}
          unit={param.unit}
          neutral={param.neutral}
          title={t('editor.resetHint')}
          onPreview={(value) => onPreview(withParam(adjustment, param.key, value))}
          onCommit={(value) => onCommit(withParam(adjustment, param.key, value))}
          onCancel={onCancel}
        />
      ))}
      {adjustment.kind === 'curve' && (
        <CurveEditor
          points={adjustment.points}
          hint={t('editor.curveHint')}
          onPreview={(points) => onPreview({ kind: 'curve', points })}
          onCommit={(points) => onCommit({ kind: 'curve', points })}
          onCancel={onCancel}
        />
      )}
      {adjustment.kind === 'blackWhite' && !isDraft && <p className="panel-hint">{t('editor.noParams')}</p>}
      {isDraft && (
        <div className="button-row">
          <button className="button small primary" data-testid="draft-add" onClick={onAddDraft}>
            {t('editor.addLayer')}
          </button>
          <button className="button small" data-testid="draft-discard" onClick={onDiscardDraft}>
            {t('dialog.cancel')}
          </button>
        </div>
      )}
    </section>
  );
}
