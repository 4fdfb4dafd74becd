/**
 * A slider with a number field. Dragging previews live and records nothing; releasing records
 * one step; Escape during the drag puts the value back and records nothing. The number field
 * records one step on Enter (or when it loses focus with a new value).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface SliderProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  digits?: number | undefined;
  unit?: string | undefined;
  /** What a double-click on the label returns to. */
  neutral?: number | undefined;
  testId?: string;
  disabled?: boolean;
  title?: string;
  onPreview(value: number): void;
  /** Records the value; answers whether it was recorded (the slider then follows `value`). */
  onCommit(value: number): Promise<unknown> | void;
  onCancel(): void;
}

const COMMIT_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);

export function Slider(props: SliderProps) {
  const { label, value, min, max, step, digits = 0, unit, neutral, testId, disabled } = props;
  const [live, setLive] = useState<number | null>(null);
  const [text, setText] = useState<string | null>(null);
  const dragging = useRef(false);
  const cancelled = useRef(false);
  const committing = useRef(false);
  const editing = useRef(false);
  /** The value when the current gesture (a drag, arrow keys) began; null between gestures. */
  const start = useRef<number | null>(null);
  const shown = live ?? value;

  // A new value from outside ends the local override, unless a gesture is still going (its
  // preview comes back as `value` too).
  useEffect(() => {
    if (start.current === null && !committing.current) setLive(null);
  }, [value]);

  function commit(next: number, base = value) {
    const clamped = Math.min(max, Math.max(min, next));
    if (clamped === base) {
      setLive(null);
      props.onCancel();
      return;
    }
    setLive(clamped);
    committing.current = true;
    void Promise.resolve(props.onCommit(clamped)).finally(() => {
      committing.current = false;
      setLive(null);
    });
  }

  /** The end of a drag or of arrow-key presses: one step if the value moved. */
  function endGesture() {
    const base = start.current;
    start.current = null;
    if (base === null) return;
    if (live === null || live === base) {
      setLive(null);
      props.onCancel();
      return;
    }
    commit(live, base);
  }

  function cancel() {
    cancelled.current = dragging.current;
    start.current = null;
    setLive(null);
    props.onCancel();
  }

  function onRangeKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Escape' && start.current !== null) {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    } else if (COMMIT_KEYS.has(event.key) && start.current === null && !committing.current) {
      start.current = value;
    }
  }

  function onRangeKeyUp(event: KeyboardEvent<HTMLInputElement>) {
    if (COMMIT_KEYS.has(event.key) && !dragging.current) endGesture();
  }

  const format = (n: number) => n.toFixed(digits);

  /** Ends typing in the number field once (Enter then the blur it causes must not record twice). */
  function finishEditing(record: boolean) {
    if (!editing.current) return;
    editing.current = false;
    const typed = text;
    setText(null);
    if (!record || typed === null) return;
    const parsed = Number(typed.trim().replace(',', '.').replace('−', '-'));
    if (typed.trim() !== '' && Number.isFinite(parsed) && parsed !== value) commit(parsed);
  }

  return (
    <div className={'slider' + (disabled ? ' disabled' : '')} data-testid={testId}>
      <div className="slider-head">
        <span
          className="slider-label"
          title={neutral !== undefined ? props.title : undefined}
          onDoubleClick={() => {
            if (neutral !== undefined && !disabled) commit(neutral);
          }}
        >
          {label}
        </span>
        <span className="slider-value">
          <input
            className="slider-number"
            type="text"
            inputMode="decimal"
            data-testid={testId ? `${testId}-number` : undefined}
            aria-label={label}
            disabled={disabled}
            value={text ?? format(shown)}
            onFocus={(event) => {
              editing.current = true;
              setText(format(shown));
              event.currentTarget.select();
            }}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                finishEditing(true);
                event.currentTarget.blur();
              } else if (event.key === 'Escape') {
                event.stopPropagation();
                finishEditing(false);
                event.currentTarget.blur();
              }
            }}
            onBlur={() => finishEditing(true)}
          />
          {unit && <span className="slider-unit">{unit}</span>}
        </span>
      </div>
      <input
        className="range"
        type="range"
        min={min}
        max={max}
        step={step}
        value={shown}
        disabled={disabled}
        aria-label={label}
        data-testid={testId ? `${testId}-range` : undefined}
        onPointerDown={() => {
          dragging.current = true;
          cancelled.current = false;
          if (start.current === null) start.current = value;
        }}
        onChange={(event) => {
          if (cancelled.current) return;
          const next = Number(event.target.value);
          if (start.current === null) start.current = value;
          setLive(next);
          props.onPreview(next);
        }}
        onPointerUp={() => {
          dragging.current = false;
          if (cancelled.current) {
            cancelled.current = false;
            return;
          }
          endGesture();
        }}
        onKeyDown={onRangeKeyDown}
        onKeyUp={onRangeKeyUp}
        onBlur={() => {
          if (!dragging.current) endGesture();
        }}
        style={{ ['--fill' as string]: `${((shown - min) / (max - min)) * 100}%` }}
      />
    </div>
  );
}
