import type { ColorLabel } from '../../shared/contract/api.js';
import { useApp } from '../app/context.js';

export const COLOR_LABELS: readonly ColorLabel[] = ['red', 'yellow', 'green', 'blue', 'purple'];

/** Keys 6–9 set these labels, as in most photo apps. */
export const LABEL_KEYS: Readonly<Record<string, ColorLabel>> = { '6': 'red', '7': 'yellow', '8': 'green', '9': 'blue' };

export function ColorDot({ label }: { label: ColorLabel | null }) {
  const { t } = useApp();
  if (!label) return <span className="color-dot none" data-testid="color-label" data-label="" aria-hidden="true" />;
  const name = t(`label.${label}`);
  return <span className={`color-dot ${label}`} data-testid="color-label" data-label={label} title={name} aria-label={name} role="img" />;
}

/** A row of label swatches plus "none"; the current one is marked. */
export function ColorLabelPicker({ value, onChange }: { value: ColorLabel | null | undefined; onChange: (label: ColorLabel | null) => void }) {
  const { t } = useApp();
  return (
    <div className="label-picker" role="radiogroup" aria-label={t('info.colorLabel')} data-testid="label-picker">
      <button
        type="button"
        role="radio"
        aria-checked={value === null}
        className={`swatch none${value === null ? ' current' : ''}`}
        title={t('label.none')}
        aria-label={t('label.none')}
        onClick={() => onChange(null)}
      />
      {COLOR_LABELS.map((label, i) => {
        const name = t(`label.${label}`);
        const key = i < 4 ? ` (${i + 6})` : '';
        return (
          <button
            key={label}
            type="button"
            role="radio"
            aria-checked={value === label}
            className={`swatch ${label}${value === label ? ' current' : ''}`}
            title={name + key}
            aria-label={name}
            data-label={label}
            onClick={() => onChange(label)}
          />
        );
      })}
    </div>
  );
}
