/**
 * Crop (with aspect presets, applied with Enter), quarter turns, straighten and flips. Each
 * action is one `setTransform` step; the straighten slider previews while dragged.
 */
import type { DocTransform, Operation } from '../../shared/document/model.js';
import type { MessageKey } from '../../shared/i18n/index.js';
import { useApp } from '../app/context.js';
import { Slider } from './Slider.js';

export type AspectKey = 'free' | 'original' | '1:1' | '4:5' | '3:2' | '16:9';

export const ASPECTS: { key: AspectKey; label: MessageKey }[] = [
  { key: 'free', label: 'editor.aspect.free' },
  { key: 'original', label: 'editor.aspect.original' },
  { key: '1:1', label: 'editor.aspect.square' },
  { key: '4:5', label: 'editor.aspect.4x5' },
  { key: '3:2', label: 'editor.aspect.3x2' },
  { key: '16:9', label: 'editor.aspect.16x9' },
];

export interface TransformPanelProps {
  transform: DocTransform;
  cropping: boolean;
  aspect: AspectKey;
  onAspect(aspect: AspectKey): void;
  onStartCrop(): void;
  onApplyCrop(): void;
  onCancelCrop(): void;
  onRemoveCrop(): void;
  onRotate(clockwise: boolean): void;
  commit(op: Operation): Promise<boolean>;
  preview(op: Operation | null): void;
}

export function TransformPanel(props: TransformPanelProps) {
  const { transform, cropping, aspect, commit, preview } = props;
  const { t } = useApp();
  return (
    <section className="panel-section" data-testid="transform-panel">
      <header className="section-head">
        <h2 className="panel-title">{t('editor.transform')}</h2>
      </header>
      <div className="button-row">
        {cropping ? (
          <>
            <button className="button small primary" data-testid="crop-apply" title={`${t('editor.applyCrop')} (Enter)`} onClick={props.onApplyCrop}>
              {t('editor.applyCrop')}
            </button>
            <button className="button small" data-testid="crop-cancel" title={`${t('dialog.cancel')} (Esc)`} onClick={props.onCancelCrop}>
              {t('dialog.cancel')}
            </button>
          </>
        ) : (
          <button className="button small" data-testid="crop-start" title={`${t('editor.crop')} (C)`} onClick={props.onStartCrop}>
            {t('editor.crop')}
          </button>
        )}
        {transform.crop && !cropping && (
          <button className="button small" data-testid="crop-remove" onClick={props.onRemoveCrop}>
            {t('editor.removeCrop')}
          </button>
        )}
      </div>
      {cropping && (
        <div className="aspect-row" role="radiogroup" aria-label={t('editor.aspect')}>
          {ASPECTS.map((option) => (
            <button
              key={option.key}
              role="radio"
              aria-checked={aspect === option.key}
              className={'chip' + (aspect === option.key ? ' active' : '')}
              data-testid={`aspect-${option.key}`}
              onClick={() => props.onAspect(option.key)}
            >
              {t(option.label)}
            </button>
          ))}
        </div>
      )}
      <div className="button-row">
        <button className="button small icon-text" data-testid="rotate-left" title={`${t('editor.rotateLeft')} (Shift+R)`} onClick={() => props.onRotate(false)}>
          ⟲ {t('editor.rotateLeft')}
        </button>
        <button className="button small icon-text" data-testid="rotate-right" title={`${t('editor.rotateRight')} (R)`} onClick={() => props.onRotate(true)}>
          ⟳ {t('editor.rotateRight')}
        </button>
      </div>
      <div className="button-row">
        <button
          className={'button small toggle' + (transform.flipHorizontal ? ' active' : '')}
          aria-pressed={transform.flipHorizontal}
          data-testid="flip-h"
          onClick={() => void commit({ type: 'setTransform', transform: { flipHorizontal: !transform.flipHorizontal } })}
        >
          ⇋ {t('editor.flipH')}
        </button>
        <button
          className={'button small toggle' + (transform.flipVertical ? ' active' : '')}
          aria-pressed={transform.flipVertical}
          data-testid="flip-v"
          onClick={() => void commit({ type: 'setTransform', transform: { flipVertical: !transform.flipVertical } })}
        >
          ⇵ {t('editor.flipV')}
        </button>
      </div>
      <Slider
        label={t('editor.straighten')}
        testId="straighten"
        value={transform.straighten}
        min={-45}
        max={45}
        step={0.1}
        digits={1}
        unit="°"
        neutral={0}
        title={t('editor.resetHint')}
        onPreview={(straighten) => preview({ type: 'setTransform', transform: { straighten } })}
        onCommit={(straighten) => {
          preview(null);
          return commit({ type: 'setTransform', transform: { straighten } });
        }}
        onCancel={() => preview(null)}
      />
    </section>
  );
}
