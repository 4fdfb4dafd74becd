import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type DragEvent, type MouseEvent, type ReactNode } from 'react';
import type { PhotoSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { useApp } from '../app/context.js';
import { ColorDot } from './ColorLabels.js';
import type { PhotoPager } from './pager.js';
import type { Selection } from './selection.js';
import { Stars } from './Stars.js';

/** The drag type of photos dragged out of the grid (onto an album). */
export const PHOTO_DRAG_TYPE = 'application/x-promptroom-photos';

const MIN_CELL = 168;
const GAP = 10;
const PADDING = 14;
const CAPTION = 42;
/** Thumbnail box height over width. */
const THUMB_RATIO = 0.78;

export interface GridProps {
  pager: PhotoPager | null;
  /** Changes when the pager's contents change; the grid re-renders on it. */
  revision: number;
  selection: Selection;
  /** Scrolls the index into view whenever `seq` changes (keyboard moves). */
  scrollRequest: { index: number; seq: number } | null;
  empty: ReactNode;
  onColumns: (columns: number) => void;
  onCellClick: (index: number, photo: PhotoSummary, event: MouseEvent) => void;
  onCellOpen: (index: number) => void;
  onCellDragStart: (photo: PhotoSummary, event: DragEvent) => void;
}

/** Rows of thumbnails; only the rows on screen (plus a few) exist in the DOM. */
export function Grid({ pager, revision, selection, scrollRequest, empty, onColumns, onCellClick, onCellOpen, onCellDragStart }: GridProps) {
  const { t, bridge } = useApp();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const total = pager?.total ?? null;
  const inner = Math.max(MIN_CELL, width - PADDING * 2);
  const columns = Math.max(1, Math.floor((inner + GAP) / (MIN_CELL + GAP)));
  const cellWidth = (inner - GAP * (columns - 1)) / columns;
  const thumbHeight = Math.round(cellWidth * THUMB_RATIO);
  const rowHeight = thumbHeight + CAPTION + GAP;
  const rowCount = total ? Math.ceil(total / columns) : 0;

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 3,
    paddingStart: PADDING,
    paddingEnd: PADDING,
  });

  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);

  useEffect(() => onColumns(columns), [columns, onColumns]);

  const rows = virtualizer.getVirtualItems();
  const firstRow = rows[0]?.index ?? 0;
  const lastRow = rows[rows.length - 1]?.index ?? 0;

  useEffect(() => {
    pager?.setVisibleRange(firstRow * columns, (lastRow + 1) * columns - 1);
  }, [pager, firstRow, lastRow, columns]);

  useEffect(() => {
    if (scrollRequest) virtualizer.scrollToIndex(Math.floor(scrollRequest.index / columns), { align: 'auto' });
    // Only a new request scrolls; a resize must not yank the view back.
  }, [scrollRequest?.seq]);

  // Going to a new query starts at the top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [pager]);

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      data-testid="grid"
      data-total={total ?? ''}
      data-revision={revision}
      role="listbox"
      aria-label={t('grid.label')}
      aria-multiselectable="true"
      tabIndex={0}
    >
      {total === 0 ? empty : null}
      <div className="grid-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => {
          const cells: ReactNode[] = [];
          const start = row.index * columns;
          const end = Math.min(total ?? 0, start + columns);
          for (let index = start; index < end; index += 1) {
            const photo = pager?.get(index);
            cells.push(
              photo ? (
                <div
                  key={photo.id}
                  className={
                    'grid-cell' + (selection.ids.has(photo.id) ? ' selected' : '') + (selection.focus === index ? ' focused' : '')
                  }
                  role="option"
                  aria-selected={selection.ids.has(photo.id)}
                  data-testid="grid-cell"
                  data-photo-id={photo.id}
                  data-index={index}
                  data-file-name={photo.fileName}
                  draggable
                  onClick={(event) => onCellClick(index, photo, event)}
                  onDoubleClick={() => onCellOpen(index)}
                  onDragStart={(event) => onCellDragStart(photo, event)}
                >
                  <div className="thumb" style={{ height: thumbHeight }}>
                    <Thumb src={assetUrl(bridge.host, photo.sha256, 'thumb')} alt={photo.fileName} />
                  </div>
                  <div className="caption">
                    <span className="file-name" title={photo.fileName}>
                      {photo.fileName}
                    </span>
                    <span className="caption-meta">
                      <Stars rating={photo.rating} />
                      <ColorDot label={photo.colorLabel} />
                    </span>
                  </div>
                </div>
              ) : (
                <div key={`pending-${index}`} className="grid-cell pending" data-testid="grid-cell-pending" aria-hidden="true">
                  <div className="thumb" style={{ height: thumbHeight }} />
                  <div className="caption">
                    <span className="caption-placeholder" />
                  </div>
                </div>
              ),
            );
          }
          return (
            <div
              key={row.key}
              className="grid-row"
              style={{
                transform: `translateY(${row.start}px)`,
                height: rowHeight - GAP,
                gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
                gap: GAP,
                padding: `0 ${PADDING}px`,
              }}
            >
              {cells}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Thumb({ src, alt }: { src: string; alt: string }) {
  const [failed, setFailed] = useState(false);
  if (failed) return <div className="thumb-missing" role="img" aria-label={alt} />;
  return <img src={src} alt={alt} loading="lazy" decoding="async" draggable={false} onError={() => setFailed(true)} />;
}
