/** Parts of the prompt bar: the engine line, a reference chip, the AI region's tools. */
import { assetUrl } from '../../shared/contract/bridge.js';
import type { MessageKey } from '../../shared/i18n/index.js';
import { useApp } from '../app/context.js';
import { formatBudget, formatUsd, type EngineChoice, type EngineDecision, type EngineReason, type ModelInfo } from './engine.js';
import type { AiRegion, RegionTool } from './region.js';

const REASON_KEYS: Record<EngineReason, MessageKey> = {
  ready: 'ai.reason.ready',
  'chosen-no-key': 'ai.reason.chosenNoKey',
  'chosen-offline': 'ai.reason.chosenOffline',
  'no-key': 'ai.reason.noKey',
  offline: 'ai.reason.offline',
  'never-upload': 'ai.reason.neverUpload',
  chosen: 'ai.reason.chosen',
};

export interface Estimate {
  estimateUsd: number;
  monthSpendUsd: number;
  monthlyBudgetUsd: number | null;
}

/** Which engine runs and why (with a switch), the model and its price, the estimate and the month's spend. */
export function EngineLine(props: {
  decision: EngineDecision;
  choice: EngineChoice;
  onChoice(choice: EngineChoice): void;
  model: string;
  info: ModelInfo | null;
  estimate: Estimate | null;
  overBudget: boolean;
}) {
  const { decision, choice, onChoice, model, info, estimate, overBudget } = props;
  const { t } = useApp();
  const gemini = decision.engine === 'gemini';
  const reasonText = t(REASON_KEYS[decision.reason]);
  return (
    <div className="engine-line">
      <div className="segmented engine-toggle" role="group" aria-label={t('ai.engine.label')}>
        <button
          className={'button small toggle' + (gemini ? ' active' : '')}
          aria-pressed={gemini}
          data-testid="engine-gemini"
          onClick={() => onChoice(choice === 'gemini' ? 'auto' : 'gemini')}
        >
          {t('ai.engine.gemini')}
        </button>
        <button
          className={'button small toggle' + (!gemini ? ' active' : '')}
          aria-pressed={!gemini}
          data-testid="engine-local"
          onClick={() => onChoice(choice === 'local' ? 'auto' : 'local')}
        >
          {t('ai.engine.local')}
        </button>
      </div>
      <span className={'engine-reason small' + (decision.reason === 'ready' || decision.reason === 'chosen' ? '' : ' warn')} data-testid="engine-reason">
        {reasonText}
      </span>
      {choice !== 'auto' && (
        <button className="button link small" data-testid="engine-auto" onClick={() => onChoice('auto')}>
          {t('ai.engine.auto')}
        </button>
      )}
      <span className="toolbar-spacer" />
      {decision.engine === 'gemini' ? (
        <>
          <span className="model-info small" data-testid="model-info" title={model}>
            {info?.label ?? model}
            {info && <span className="muted"> · {t('ai.model.price', { usd: formatUsd(info.priceUsdPerImage) })}</span>}
          </span>
          {estimate && (
            <span className="estimate small" data-testid="estimate">
              {t('ai.estimate', { usd: formatUsd(estimate.estimateUsd) })}
            </span>
          )}
          {estimate && (
            <span className={'month-spend small' + (overBudget ? ' warn' : '')} data-testid="month-spend">
              {estimate.monthlyBudgetUsd === null
                ? t('ai.spend.noBudget', { spent: formatUsd(estimate.monthSpendUsd) })
                : t('ai.spend.ofBudget', { spent: formatUsd(estimate.monthSpendUsd), budget: formatBudget(estimate.monthlyBudgetUsd) })}
            </span>
          )}
        </>
      ) : (
        <span className="muted small" data-testid="local-note">
          {t('ai.local.note')}
        </span>
      )}
    </div>
  );
}

export interface Reference {
  id: number;
  sha256: string;
  fileName: string;
  neverUpload: boolean;
}

/** A photo dragged in as a reference: "Image 2", or the style to copy. */
export function ReferenceChip({ reference, label, isStyle, onStyle, onRemove }: { reference: Reference; label: string; isStyle: boolean; onStyle(): void; onRemove(): void }) {
  const { t, bridge } = useApp();
  return (
    <span className={'ref-chip' + (isStyle ? ' style' : '') + (reference.neverUpload ? ' blocked' : '')} data-testid="ref-chip" data-photo-id={reference.id} data-style={isStyle}>
      <img src={assetUrl(bridge.host, reference.sha256, 'thumb')} alt="" draggable={false} />
      <span className="ref-label" title={reference.fileName}>
        {label}
        {reference.neverUpload && <em> · {t('ai.refs.neverUpload')}</em>}
      </span>
      <button
        className={'chip-toggle' + (isStyle ? ' on' : '')}
        data-testid="ref-style"
        aria-pressed={isStyle}
        title={t('ai.refs.styleHint')}
        onClick={() => onStyle()}
      >
        {t('ai.refs.styleShort')}
      </button>
      <button className="chip-remove" data-testid="ref-remove" aria-label={t('ai.refs.remove', { name: reference.fileName })} title={t('ai.refs.remove', { name: reference.fileName })} onClick={() => onRemove()}>
        ×
      </button>
    </span>
  );
}

/** Paint, erase, invert and clear the AI region; the brush size while painting. */
export function RegionTools(props: {
  region: AiRegion;
  onRegion(region: AiRegion): void;
  tool: RegionTool;
  onTool(tool: RegionTool): void;
  brushSize: number;
  onBrushSize(size: number): void;
  longEdge: number;
}) {
  const { region, onRegion, tool, onTool, brushSize, onBrushSize, longEdge } = props;
  const { t } = useApp();
  return (
    <span className="option-group">
      <button
        className={'button small toggle' + (tool === 'brush' ? ' active' : '')}
        aria-pressed={tool === 'brush'}
        data-testid="region-paint"
        title={t('ai.region.paintHint')}
        onClick={() => onTool(tool === 'brush' ? null : 'brush')}
      >
        {t('ai.region.paint')}
      </button>
      {region.strokes.length > 0 && (
        <>
          <button
            className={'button small toggle' + (tool === 'eraser' ? ' active' : '')}
            aria-pressed={tool === 'eraser'}
            data-testid="region-erase"
            onClick={() => onTool(tool === 'eraser' ? null : 'eraser')}
          >
            {t('ai.region.erase')}
          </button>
          <button
            className={'button small toggle' + (region.inverted ? ' active' : '')}
            aria-pressed={region.inverted}
            data-testid="region-invert"
            onClick={() => onRegion({ ...region, inverted: !region.inverted })}
          >
            {t('ai.region.invert')}
          </button>
          <button
            className="button small"
            data-testid="region-clear"
            onClick={() => {
              onRegion({ ...region, strokes: [], inverted: false });
              onTool(null);
            }}
          >
            {t('ai.region.clear')}
          </button>
        </>
      )}
      {tool && (
        <label className="inline-size small" title="[ ]">
          {t('editor.brushSize')}
          <input
            type="range"
            className="range"
            data-testid="region-brush-size"
            min={1}
            max={Math.min(5000, Math.max(100, Math.round(longEdge / 2), brushSize))}
            value={brushSize}
            onChange={(event) => onBrushSize(Number(event.target.value))}
          />
          <span className="muted">{brushSize} px</span>
        </label>
      )}
    </span>
  );
}
