/**
 * The Layers panel: the stack top-first with visibility, drag to reorder, rename (double-click),
 * and for the selected layer its opacity, blend mode, duplicate/delete and its mask (brush,
 * eraser, feather, invert, clear, delete).
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { BLEND_KEYS } from '../../shared/document/labels.js';
import type { Layer, LayerStack, Operation } from '../../shared/document/model.js';
import { BLEND_MODES, type AdjustmentKind, type BlendMode } from '../../shared/imaging/index.js';
import { AiLayerDetails } from '../ai/AiLayerDetails.js';
import { useApp } from '../app/context.js';
import { ADJUSTMENT_KINDS, KIND_NAME_KEYS } from './adjustments.js';
import type { BrushSettings, Tool } from './Canvas.js';
import { Slider } from './Slider.js';

const LAYER_DRAG_TYPE = 'application/x-promptroom-layer';

export interface LayersPanelProps {
  stack: LayerStack;
  selectedId: string | null;
  /** The adjustment layer being set up and not yet recorded. */
  draftId: string | null;
  onSelect(id: string): void;
  commit(op: Operation): Promise<boolean>;
  preview(op: Operation | null): void;
  onAddAdjustment(kind: AdjustmentKind): void;
  onDuplicate(layer: Layer): void;
  onDelete(layer: Layer): void;
  tool: Tool;
  onTool(tool: Tool): void;
  brush: BrushSettings;
  onBrush(brush: BrushSettings): void;
  /** The document's long edge: the brush can grow to half of it. */
  longEdge: number;
}

export function LayersPanel(props: LayersPanelProps) {
  const { stack, selectedId, draftId, onSelect, commit, preview } = props;
  const { t } = useApp();
  const [menuOpen, setMenuOpen] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [dropAt, setDropAt] = useState<{ id: string; above: boolean } | null>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const topFirst = [...stack.layers].reverse();
  const selected = stack.layers.find((layer) => layer.id === selectedId) ?? null;
  const isDraft = selected !== null && selected.id === draftId;

  useEffect(() => {
    if (!menuOpen) return;
    const close = (event: MouseEvent) => {
      if (!menuRef.current?.contains(event.target as Node)) setMenuOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopImmediatePropagation();
        setMenuOpen(false);
      }
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', onKey, { capture: true });
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', onKey, { capture: true });
    };
  }, [menuOpen]);

  function onDragStart(event: DragEvent, layer: Layer) {
    event.dataTransfer.setData(LAYER_DRAG_TYPE, layer.id);
    event.dataTransfer.effectAllowed = 'move';
  }

  function onDragOver(event: DragEvent, layer: Layer) {
    if (!Array.from(event.dataTransfer.types).includes(LAYER_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
    setDropAt({ id: layer.id, above: event.clientY < rect.top + rect.height / 2 });
  }

  function onDrop(event: DragEvent, target: Layer) {
    const id = event.dataTransfer.getData(LAYER_DRAG_TYPE);
    const above = dropAt?.above ?? false;
    setDropAt(null);
    if (!id || id === target.id || id === draftId) return;
    event.preventDefault();
    const from = stack.layers.findIndex((layer) => layer.id === id);
    let to = stack.layers.findIndex((layer) => layer.id === target.id);
    if (from < 0 || to < 0) return;
    // Bottom-first indices: "above" in the list means a higher index.
    if (above) to += 1;
    if (from < to) to -= 1;
    if (to !== from) void commit({ type: 'moveLayer', layerId: id, toIndex: to });
  }

  return (
    <section className="panel-section" data-testid="layers-panel">
      <header className="section-head">
        <h2 className="panel-title">{t('editor.layers')}</h2>
        <div className="menu-anchor" ref={menuRef}>
          <button
            className="button small"
            data-testid="add-adjustment"
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen((open) => !open)}
          >
            + {t('editor.addAdjustment')}
          </button>
          {menuOpen && (
            <div className="menu adjust-menu" role="menu" data-menu="true">
              {ADJUSTMENT_KINDS.map((kind) => (
                <button
                  key={kind}
                  role="menuitem"
                  data-testid={`add-adjustment-${kind}`}
                  onClick={() => {
                    setMenuOpen(false);
                    props.onAddAdjustment(kind);
                  }}
                >
                  {t(KIND_NAME_KEYS[kind])}
                </button>
              ))}
            </div>
          )}
        </div>
      </header>
      <ul className="layer-list" role="listbox" aria-label={t('editor.layers')}>
        {topFirst.map((layer) => (
          <li
            key={layer.id}
            className={
              'layer-row' +
              (layer.id === selectedId ? ' selected' : '') +
              (layer.visible ? '' : ' hidden-layer') +
              (layer.id === draftId ? ' draft' : '') +
              (dropAt?.id === layer.id ? (dropAt.above ? ' drop-above' : ' drop-below') : '')
            }
            role="option"
            aria-selected={layer.id === selectedId}
            data-testid="layer-row"
            data-layer-id={layer.id}
            data-layer-name={layer.name}
            data-layer-kind={layer.kind}
            draggable={layer.id !== draftId && renaming !== layer.id}
            onClick={() => onSelect(layer.id)}
            onDragStart={(event) => onDragStart(event, layer)}
            onDragOver={(event) => onDragOver(event, layer)}
            onDragLeave={() => setDropAt(null)}
            onDrop={(event) => onDrop(event, layer)}
            onDragEnd={() => setDropAt(null)}
          >
            <button
              className={'eye' + (layer.visible ? ' on' : '')}
              data-testid="layer-visibility"
              title={t(layer.visible ? 'editor.hideLayer' : 'editor.showLayer')}
              aria-label={t(layer.visible ? 'editor.hideLayer' : 'editor.showLayer')}
              aria-pressed={layer.visible}
              disabled={layer.id === draftId}
              onClick={(event) => {
                event.stopPropagation();
                void commit({ type: 'setLayerProps', layerId: layer.id, props: { visible: !layer.visible } });
              }}
            />
            <span className={`layer-icon kind-${layer.kind}`} aria-hidden="true" />
            {renaming === layer.id ? (
              <RenameField
                initial={layer.name}
                onDone={(name) => {
                  setRenaming(null);
                  if (name && name !== layer.name) void commit({ type: 'setLayerProps', layerId: layer.id, props: { name: name.slice(0, 200) } });
                }}
              />
            ) : (
              <span
                className="layer-name"
                title={t('editor.renameHint')}
                onDoubleClick={(event) => {
                  event.stopPropagation();
                  if (layer.id !== draftId) setRenaming(layer.id);
                }}
              >
                {layer.name}
                {layer.id === draftId && <em className="draft-note"> · {t('editor.draft')}</em>}
              </span>
            )}
            {layer.kind === 'image' && layer.generated && (
              <span className="ai-chip" title={t('ai.details.title')} data-testid="ai-chip">
                {t('ai.layerBadge')}
              </span>
            )}
            {layer.mask && (
              <span className={'mask-chip' + (layer.mask.inverted ? ' inverted' : '')} title={t('editor.hasMask')} data-testid="mask-chip">
                {t('editor.maskShort')}
              </span>
            )}
            {layer.opacity < 1 && <span className="layer-opacity">{Math.round(layer.opacity * 100)}%</span>}
          </li>
        ))}
      </ul>
      {selected && !isDraft && (
        <div className="layer-props" data-testid="layer-props">
          <Slider
            label={t('editor.opacity')}
            testId="layer-opacity"
            value={Math.round(selected.opacity * 100)}
            min={0}
            max={100}
            step={1}
            unit="%"
            neutral={100}
            title={t('editor.resetHint')}
            onPreview={(value) => preview({ type: 'setLayerProps', layerId: selected.id, props: { opacity: value / 100 } })}
            onCommit={(value) => {
              preview(null);
              return commit({ type: 'setLayerProps', layerId: selected.id, props: { opacity: value / 100 } });
            }}
            onCancel={() => preview(null)}
          />
          <label className="prop-row">
            <span>{t('editor.blendMode')}</span>
            <select
              className="select"
              data-testid="layer-blend"
              value={selected.blendMode}
              onChange={(event) => void commit({ type: 'setLayerProps', layerId: selected.id, props: { blendMode: event.target.value as BlendMode } })}
            >
              {BLEND_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {t(BLEND_KEYS[mode])}
                </option>
              ))}
            </select>
          </label>
          <div className="button-row">
            <button className="button small" data-testid="layer-duplicate" onClick={() => props.onDuplicate(selected)}>
              {t('editor.duplicate')}
            </button>
            <button className="button small danger" data-testid="layer-delete" disabled={stack.layers.length <= 1} onClick={() => props.onDelete(selected)}>
              {t('editor.delete')}
            </button>
            {!selected.mask && (
              <button
                className="button small"
                data-testid="add-mask"
                onClick={() => {
                  void commit({ type: 'addMask', layerId: selected.id }).then((ok) => {
                    if (ok) props.onTool('brush');
                  });
                }}
              >
                {t('editor.addMask')}
              </button>
            )}
          </div>
          {selected.kind === 'image' && selected.generated && <AiLayerDetails layer={selected} />}
          {selected.mask && <MaskSection {...props} layer={selected} />}
        </div>
      )}
    </section>
  );
}

function MaskSection({ layer, commit, preview, tool, onTool, brush, onBrush, longEdge }: LayersPanelProps & { layer: Layer }) {
  const { t } = useApp();
  const mask = layer.mask!;
  return (
    <div className="mask-section" data-testid="mask-section">
      <h3 className="sub-title">{t('editor.mask')}</h3>
      <p className="panel-hint">{t('editor.maskHint')}</p>
      <div className="segmented" role="group" aria-label={t('editor.maskTools')}>
        <button
          className={'button small toggle' + (tool === 'brush' ? ' active' : '')}
          aria-pressed={tool === 'brush'}
          data-testid="tool-brush"
          title={`${t('editor.brush')} (B)`}
          onClick={() => onTool(tool === 'brush' ? 'none' : 'brush')}
        >
          {t('editor.brush')}
        </button>
        <button
          className={'button small toggle' + (tool === 'eraser' ? ' active' : '')}
          aria-pressed={tool === 'eraser'}
          data-testid="tool-eraser"
          title={`${t('editor.eraser')} (E)`}
          onClick={() => onTool(tool === 'eraser' ? 'none' : 'eraser')}
        >
          {t('editor.eraser')}
        </button>
      </div>
      <Slider
        label={t('editor.brushSize')}
        testId="brush-size"
        value={brush.size}
        min={1}
        max={Math.min(5000, Math.max(100, Math.round(longEdge / 2), brush.size))}
        step={1}
        unit="px"
        title="[ ]"
        onPreview={(size) => onBrush({ ...brush, size })}
        onCommit={(size) => onBrush({ ...brush, size })}
        onCancel={() => {}}
      />
      <Slider
        label={t('editor.hardness')}
        testId="brush-hardness"
        value={Math.round(brush.hardness * 100)}
        min={0}
        max={100}
        step={1}
        unit="%"
        onPreview={(value) => onBrush({ ...brush, hardness: value / 100 })}
        onCommit={(value) => onBrush({ ...brush, hardness: value / 100 })}
        onCancel={() => {}}
      />
      <Slider
        label={t('editor.feather')}
        testId="mask-feather"
        value={mask.feather}
        min={0}
        max={200}
        step={1}
        unit="px"
        neutral={0}
        title={t('editor.resetHint')}
        onPreview={(feather) => preview({ type: 'setMaskProps', layerId: layer.id, feather })}
        onCommit={(feather) => {
          preview(null);
          return commit({ type: 'setMaskProps', layerId: layer.id, feather });
        }}
        onCancel={() => preview(null)}
      />
      <div className="button-row">
        <button className="button small" data-testid="mask-invert" onClick={() => void commit({ type: 'setMaskProps', layerId: layer.id, inverted: !mask.inverted })}>
          {t('editor.invertMask')}
        </button>
        <button className="button small" data-testid="mask-clear" disabled={mask.strokes.length === 0} onClick={() => void commit({ type: 'clearMask', layerId: layer.id })}>
          {t('editor.clearMask')}
        </button>
        <button
          className="button small danger"
          data-testid="mask-delete"
          onClick={() => {
            if (tool === 'brush' || tool === 'eraser') onTool('none');
            void commit({ type: 'deleteMask', layerId: layer.id });
          }}
        >
          {t('editor.deleteMask')}
        </button>
      </div>
    </div>
  );
}

function RenameField({ initial, onDone }: { initial: string; onDone(name: string | null): void }) {
  const [text, setText] = useState(initial);
  const done = useRef(false);
  const finish = (name: string | null) => {
    if (done.current) return;
    done.current = true;
    onDone(name);
  };
  return (
    <input
      className="name-input layer-rename"
      data-testid="layer-rename"
      autoFocus
      value={text}
      maxLength={200}
      onClick={(event) => event.stopPropagation()}
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Enter') finish(text.trim() || null);
        else if (event.key === 'Escape') finish(null);
      }}
      onBlur={() => finish(text.trim() || null)}
    />
  );
}
