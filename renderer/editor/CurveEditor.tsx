/**
 * A small tone-curve editor: drag points (live preview, one step on release, Escape cancels),
 * click the curve to add a point (up to 16), double-click a point to remove it. The line drawn
 * is the kernel's own lookup table, so what you see is what renders.
 */
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { CurvePoint } from '../../shared/imaging/index.js';
import { curveLut } from '../../shared/imaging/adjust.js';

const SIZE = 216;
const PAD = 8;
const MAX_POINTS = 16;

export interface CurveEditorProps {
  points: CurvePoint[];
  hint: string;
  onPreview(points: CurvePoint[]): void;
  onCommit(points: CurvePoint[]): Promise<unknown> | void;
  onCancel(): void;
}

export function CurveEditor({ points, hint, onPreview, onCommit, onCancel }: CurveEditorProps) {
  const [live, setLive] = useState<CurvePoint[] | null>(null);
  const drag = useRef<{ index: number; pointerId: number; moved: boolean } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const shown = live ?? points;

  // New points from outside end the local override, except mid-drag (the preview comes back as `points`).
  const base = useRef<CurvePoint[] | null>(null);
  useEffect(() => {
    if (!drag.current && base.current === null) setLive(null);
  }, [points]);

  useEffect(() => {
    if (live === null) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && drag.current) {
        event.preventDefault();
        event.stopImmediatePropagation();
        drag.current = null;
        base.current = null;
        setLive(null);
        onCancel();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [live !== null, onCancel]);

  const toScreen = (p: CurvePoint) => ({ x: PAD + (p.x / 255) * SIZE, y: PAD + SIZE - (p.y / 255) * SIZE });
  function toCurve(event: { clientX: number; clientY: number }): CurvePoint {
    const rect = svg.current!.getBoundingClientRect();
    const x = ((event.clientX - rect.left - PAD) / SIZE) * 255;
    const y = 255 - ((event.clientY - rect.top - PAD) / SIZE) * 255;
    return { x: Math.round(Math.min(255, Math.max(0, x))), y: Math.round(Math.min(255, Math.max(0, y))) };
  }

  function finish(next: CurvePoint[]) {
    const from = base.current ?? points;
    base.current = null;
    const changed = JSON.stringify(next) !== JSON.stringify(from);
    if (!changed) {
      setLive(null);
      onCancel();
      return;
    }
    setLive(next);
    void Promise.resolve(onCommit(next)).finally(() => setLive(null));
  }

  function onPointerDownPoint(event: ReactPointerEvent, index: number) {
    event.stopPropagation();
    svg.current?.setPointerCapture(event.pointerId);
    drag.current = { index, pointerId: event.pointerId, moved: false };
    base.current = shown;
    setLive(shown);
  }

  function onPointerDownBackground(event: ReactPointerEvent) {
    if (shown.length >= MAX_POINTS) return;
    const at = toCurve(event);
    if (shown.some((p) => p.x === at.x)) return;
    const next = [...shown, at].sort((a, b) => a.x - b.x);
    const index = next.indexOf(at);
    svg.current?.setPointerCapture(event.pointerId);
    drag.current = { index, pointerId: event.pointerId, moved: true };
    base.current = shown;
    setLive(next);
    onPreview(next);
  }

  function onPointerMove(event: ReactPointerEvent) {
    const current = drag.current;
    if (!current || current.pointerId !== event.pointerId || live === null) return;
    const at = toCurve(event);
    const lo = current.index === 0 ? 0 : live[current.index - 1]!.x + 1;
    const hi = current.index === live.length - 1 ? 255 : live[current.index + 1]!.x - 1;
    const next = live.map((p, i) => (i === current.index ? { x: Math.min(hi, Math.max(lo, at.x)), y: at.y } : p));
    current.moved = true;
    setLive(next);
    onPreview(next);
  }

  function onPointerUp(event: ReactPointerEvent) {
    const current = drag.current;
    if (!current || current.pointerId !== event.pointerId) return;
    drag.current = null;
    if (live && current.moved) finish(live);
    else {
      base.current = null;
      setLive(null);
    }
  }

  function removePoint(index: number) {
    if (index === 0 || index === shown.length - 1 || shown.length <= 2) return;
    base.current = points;
    finish(shown.filter((_, i) => i !== index));
  }

  const lut = curveLut(shown);
  const path = Array.from(lut, (y, x) => `${x === 0 ? 'M' : 'L'}${(PAD + (x / 255) * SIZE).toFixed(1)},${(PAD + SIZE - (y / 255) * SIZE).toFixed(1)}`).join('');

  return (
    <div className="curve-editor" data-testid="curve-editor">
      <svg
        ref={svg}
        width={SIZE + PAD * 2}
        height={SIZE + PAD * 2}
        onPointerDown={onPointerDownBackground}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        role="img"
        aria-label={hint}
      >
        <rect x={PAD} y={PAD} width={SIZE} height={SIZE} className="curve-bg" />
        {[1, 2, 3].map((i) => (
          <g key={i} className="curve-grid">
            <line x1={PAD + (SIZE * i) / 4} y1={PAD} x2={PAD + (SIZE * i) / 4} y2={PAD + SIZE} />
            <line x1={PAD} y1={PAD + (SIZE * i) / 4} x2={PAD + SIZE} y2={PAD + (SIZE * i) / 4} />
          </g>
        ))}
        <line x1={PAD} y1={PAD + SIZE} x2={PAD + SIZE} y2={PAD} className="curve-diagonal" />
        <path d={path} className="curve-line" />
        {shown.map((p, index) => {
          const at = toScreen(p);
          return (
            <circle
              key={index}
              cx={at.x}
              cy={at.y}
              r={5}
              className="curve-point"
              data-testid="curve-point"
              onPointerDown={(event) => onPointerDownPoint(event, index)}
              onDoubleClick={() => removePoint(index)}
            />
          );
        })}
      </svg>
      <p className="panel-hint">{hint}</p>
    </div>
  );
}
