/**
 * The picture on a react-konva Stage: zoom (wheel around the pointer, fit, 100 %), pan (space+drag
 * or the middle button), the brush on masks, the crop frame, and before/after. Nothing here
 * records history: strokes and crops are handed up and committed by the editor.
 */
import type Konva from 'konva';
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type DragEvent, type PointerEvent as ReactPointerEvent, type Ref } from 'react';
import { Circle, Group, Image as KonvaImage, Layer, Line, Rect, Stage, Transformer } from 'react-konva';
import type { CropRect, LayerStack, MaskStroke } from '../../shared/document/model.js';
import { clamp, documentToOutput, outputToDocument, outputZoom, type Point, type Size } from './geometry.js';

/** A finished render on screen: its pixels and the stack (and so the geometry) it shows. */
export interface Picture {
  canvas: HTMLCanvasElement;
  /** Output size in document pixels (the canvas may be smaller: a proxy). */
  width: number;
  height: number;
  stack: LayerStack;
}

export type Tool = 'none' | 'brush' | 'eraser' | 'crop';

export interface BrushSettings {
  /** Diameter in document pixels. */
  size: number;
  hardness: number;
}

export interface View {
  /** Screen pixels per document pixel. */
  scale: number;
  x: number;
  y: number;
}

export interface CanvasHandle {
  fit(): void;
  actualSize(): void;
  zoomBy(factor: number): void;
}

export interface CanvasProps {
  ref?: Ref<CanvasHandle>;
  after: Picture | null;
  before: Picture | null;
  showBefore: boolean;
  /** Split position 0..1 across the picture, or null when the split view is off. */
  split: number | null;
  onSplit(position: number): void;
  tool: Tool;
  brush: BrushSettings;
  /** The layer whose mask the brush paints, or null when there is none to paint. */
  paintTarget: string | null;
  /** Live while painting (stroke), cancelled (null, false), or finished (stroke, true). */
  onStroke(stroke: MaskStroke | null, done: boolean): void;
  crop: CropRect | null;
  /** Width over height, or null for a free crop. */
  cropAspect: number | null;
  onCrop(rect: CropRect): void;
  onZoom(percent: number): void;
  onDropFiles(files: File[], at: Point): void;
  onDropPhotos(ids: number[], at: Point): void;
  photoDragType: string;
  busyText: string | null;
  beforeText: string;
  brokenText: string | null;
  /** A region painted for an AI edit (document pixels), shown as a tint; not part of the picture. */
  region?: { strokes: MaskStroke[]; inverted: boolean } | null;
}

const MIN_SCALE = 0.02;
const MAX_SCALE = 32;
const FIT_PADDING = 28;
const CHECKER = 'repeating-conic-gradient(#1b1c20 0% 25%, #212328 0% 50%) 50% / 20px 20px';

export function Canvas(props: CanvasProps) {
  const { after, before, showBefore, split, tool, brush, paintTarget, crop, cropAspect } = props;
  const container = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const fitMode = useRef(true);
  const [spaceHeld, setSpaceHeld] = useState(false);
  const [pointer, setPointer] = useState<Point | null>(null);
  const [panning, setPanning] = useState(false);
  const [strokePoints, setStrokePoints] = useState<Point[] | null>(null);
  const gesture = useRef<
    | { kind: 'pan'; startX: number; startY: number; view: View; pointerId: number }
    | { kind: 'stroke'; output: Point[]; doc: Point[]; pointerId: number; erase: boolean; stack: LayerStack }
    | null
  >(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });

  const picture = showBefore && before ? before : after;
  const pictureWidth = after?.width ?? 0;
  const pictureHeight = after?.height ?? 0;

  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    const measure = () => setSize({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const fitView = useCallback((): View | null => {
    if (!pictureWidth || !pictureHeight || !size.width || !size.height) return null;
    const scale = clamp(
      Math.min((size.width - FIT_PADDING * 2) / pictureWidth, (size.height - FIT_PADDING * 2) / pictureHeight),
      MIN_SCALE,
      MAX_SCALE,
    );
    return { scale, x: (size.width - pictureWidth * scale) / 2, y: (size.height - pictureHeight * scale) / 2 };
  }, [pictureWidth, pictureHeight, size.width, size.height]);

  // Fit until the person zooms or pans; then leave the view alone.
  useLayoutEffect(() => {
    if (!fitMode.current) return;
    const next = fitView();
    if (next) setView(next);
  }, [fitView]);

  useEffect(() => {
    props.onZoom(Math.round(view.scale * window.devicePixelRatio * 100));
  }, [view.scale]);

  const zoomAround = useCallback((factor: number, at: Point) => {
    fitMode.current = false;
    setView((current) => {
      const scale = clamp(current.scale * factor, MIN_SCALE, MAX_SCALE);
      const ratio = scale / current.scale;
      return { scale, x: at.x - (at.x - current.x) * ratio, y: at.y - (at.y - current.y) * ratio };
    });
  }, []);

  useImperativeHandle(
    props.ref,
    () => ({
      fit() {
        fitMode.current = true;
        const next = fitView();
        if (next) setView(next);
      },
      actualSize() {
        // One screen (device) pixel per image pixel at full resolution, centred where we look.
        zoomAround((1 / window.devicePixelRatio) / view.scale, { x: size.width / 2, y: size.height / 2 });
      },
      zoomBy(factor) {
        zoomAround(factor, { x: size.width / 2, y: size.height / 2 });
      },
    }),
    [fitView, size.height, size.width, view.scale, zoomAround],
  );

  // The wheel zooms around the pointer; it must be a non-passive listener to keep the page still.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      const at = { x: event.clientX - rect.left, y: event.clientY - rect.top };
      if (event.ctrlKey || Math.abs(event.deltaY) >= Math.abs(event.deltaX)) {
        const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
        zoomAround(Math.pow(1.0015, -delta), at);
      } else {
        fitMode.current = false;
        setView((current) => ({ ...current, x: current.x - event.deltaX, y: current.y - event.deltaY }));
      }
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [zoomAround]);

  // Space held = the hand tool (unless typing in a field).
  useEffect(() => {
    const isField = (target: EventTarget | null) =>
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) || (target instanceof HTMLInputElement && !['range', 'checkbox', 'radio'].includes(target.type)));
    const down = (event: KeyboardEvent) => {
      if (event.key === ' ' && !isField(event.target) && !document.querySelector('[data-modal]')) {
        event.preventDefault();
        // Space over the picture means the hand, not "press the button that last had focus".
        if (document.activeElement instanceof HTMLButtonElement || document.activeElement instanceof HTMLInputElement) document.activeElement.blur();
        setSpaceHeld(true);
      }
    };
    const up = (event: KeyboardEvent) => {
      if (event.key === ' ') setSpaceHeld(false);
    };
    const blur = () => setSpaceHeld(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, []);

  const cancelStroke = useCallback(() => {
    if (gesture.current?.kind !== 'stroke') return;
    gesture.current = null;
    setStrokePoints(null);
    latest.current.onStroke(null, false);
  }, []);

  // Escape during a stroke cancels it (before the editor's own Escape handling sees the key).
  useEffect(() => {
    if (!strokePoints) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopImmediatePropagation();
        cancelStroke();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [strokePoints !== null, cancelStroke]);

  function local(event: { clientX: number; clientY: number }): Point {
    const rect = container.current!.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  function toOutput(point: Point): Point {
    return { x: (point.x - view.x) / view.scale, y: (point.y - view.y) / view.scale };
  }

  function strokeOf(doc: Point[], erase: boolean): MaskStroke {
    return {
      points: doc.map((p) => ({ x: Math.round(p.x * 100) / 100, y: Math.round(p.y * 100) / 100 })),
      size: clamp(brush.size, 1, 5000),
      hardness: clamp(brush.hardness, 0, 1),
      erase,
    };
  }

  const painting = (tool === 'brush' || tool === 'eraser') && paintTarget !== null && after !== null;

  function onPointerDown(event: ReactPointerEvent<HTMLDivElement>) {
    if (gesture.current) return;
    const at = local(event);
    if (event.button === 1 || (event.button === 0 && spaceHeld)) {
      event.preventDefault();
      container.current?.setPointerCapture(event.pointerId);
      gesture.current = { kind: 'pan', startX: at.x, startY: at.y, view, pointerId: event.pointerId };
      setPanning(true);
      return;
    }
    if (event.button === 0 && painting && after) {
      event.preventDefault();
      container.current?.setPointerCapture(event.pointerId);
      const output = toOutput(at);
      const doc = outputToDocument(after.stack, output);
      gesture.current = { kind: 'stroke', output: [output], doc: [doc], pointerId: event.pointerId, erase: tool === 'eraser', stack: after.stack };
      setStrokePoints([output]);
      props.onStroke(strokeOf([doc], tool === 'eraser'), false);
    }
  }

  function onPointerMove(event: ReactPointerEvent<HTMLDivElement>) {
    const at = local(event);
    setPointer(at);
    const current = gesture.current;
    if (!current || current.pointerId !== event.pointerId) return;
    if (current.kind === 'pan') {
      fitMode.current = false;
      setView({ ...current.view, x: current.view.x + at.x - current.startX, y: current.view.y + at.y - current.startY });
      return;
    }
    const output = toOutput(at);
    const last = current.output[current.output.length - 1]!;
    // Dabs closer than a tenth of the brush add nothing but size to the step.
    const minStep = Math.max(0.5, (brush.size * outputZoom(current.stack)) / 10);
    if (Math.hypot(output.x - last.x, output.y - last.y) < minStep || current.doc.length >= 10_000) return;
    current.output.push(output);
    current.doc.push(outputToDocument(current.stack, output));
    setStrokePoints([...current.output]);
    props.onStroke(strokeOf(current.doc, current.erase), false);
  }

  function onPointerUp(event: ReactPointerEvent<HTMLDivElement>) {
    const current = gesture.current;
    if (!current || current.pointerId !== event.pointerId) return;
    gesture.current = null;
    container.current?.releasePointerCapture(event.pointerId);
    if (current.kind === 'pan') {
      setPanning(false);
      return;
    }
    setStrokePoints(null);
    props.onStroke(strokeOf(current.doc, current.erase), true);
  }

  function onPointerCancel(event: ReactPointerEvent<HTMLDivElement>) {
    if (gesture.current?.kind === 'stroke') cancelStroke();
    else if (gesture.current?.pointerId === event.pointerId) {
      gesture.current = null;
      setPanning(false);
    }
  }

  function dropPoint(event: DragEvent): Point {
    const output = toOutput(local(event));
    return after ? outputToDocument(after.stack, output) : output;
  }

  function onDragOver(event: DragEvent<HTMLDivElement>) {
    const types = Array.from(event.dataTransfer.types);
    if (types.includes('Files') || types.includes(props.photoDragType)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    const types = Array.from(event.dataTransfer.types);
    if (types.includes(props.photoDragType)) {
      event.preventDefault();
      try {
        const ids = (JSON.parse(event.dataTransfer.getData(props.photoDragType)) as unknown[]).filter(
          (id): id is number => typeof id === 'number' && Number.isInteger(id) && id > 0,
        );
        if (ids.length) props.onDropPhotos(ids, dropPoint(event));
      } catch {
        // Not ours after all.
      }
      return;
    }
    if (types.includes('Files')) {
      event.preventDefault();
      const files = Array.from(event.dataTransfer.files).filter((file) => file.type.startsWith('image/') || /\.(jpe?g|png|webp|tiff?|gif|avif|heic|heif)$/i.test(file.name));
      if (files.length) props.onDropFiles(files, dropPoint(event));
    }
  }

  const cursor = panning ? 'grabbing' : spaceHeld ? 'grab' : painting ? 'none' : tool === 'crop' ? 'default' : 'default';
  const zoom = after ? outputZoom(after.stack) : 1;
  const brushRadius = (brush.size * zoom * view.scale) / 2;
  // At high zoom show real pixels rather than a smeared proxy.
  const renderPixelsPerScreenPixel = picture ? picture.canvas.width / picture.width / view.scale : 1;

  return (
    <div
      ref={container}
      className="editor-canvas"
      data-testid="editor-canvas"
      data-tool={tool}
      data-region-strokes={props.region?.strokes.length ?? 0}
      data-zoom={view.scale.toFixed(4)}
      data-view={`${view.x.toFixed(1)},${view.y.toFixed(1)},${view.scale.toFixed(5)}`}
      style={{ cursor, background: CHECKER }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
      onPointerLeave={() => setPointer(null)}
      onAuxClick={(event) => event.preventDefault()}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      {size.width > 0 && (
        <Stage width={size.width} height={size.height} listening={tool === 'crop' || split !== null}>
          <Layer imageSmoothingEnabled={renderPixelsPerScreenPixel > 0.5}>
            <Group x={view.x} y={view.y} scaleX={view.scale} scaleY={view.scale}>
              {picture && (
                <>
                  <Rect width={picture.width} height={picture.height} fill="#000" shadowColor="#000" shadowBlur={24} shadowOpacity={0.5} listening={false} />
                  <KonvaImage image={picture.canvas} width={picture.width} height={picture.height} listening={false} />
                </>
              )}
              {split !== null && before && after && !showBefore && (
                <Group clipX={0} clipY={0} clipWidth={after.width * split} clipHeight={after.height} listening={false}>
                  <KonvaImage image={before.canvas} width={after.width} height={after.height} />
                </Group>
              )}
              {strokePoints && (
                <Line
                  points={strokePoints.flatMap((p) => [p.x, p.y])}
                  stroke={tool === 'eraser' ? 'rgba(255, 120, 110, 0.55)' : 'rgba(91, 156, 255, 0.55)'}
                  strokeWidth={brush.size * zoom}
                  lineCap="round"
                  lineJoin="round"
                  listening={false}
                />
              )}
            </Group>
            {tool === 'crop' && after && crop && (
              <CropFrame view={view} bounds={{ width: after.width, height: after.height }} crop={crop} aspect={cropAspect} onCrop={props.onCrop} />
            )}
            {split !== null && after && !showBefore && (
              <SplitHandle view={view} picture={after} position={split} onSplit={props.onSplit} />
            )}
            {painting && pointer && !spaceHeld && !panning && (
              <>
                <Circle x={pointer.x} y={pointer.y} radius={Math.max(1, brushRadius)} stroke="rgba(0,0,0,0.6)" strokeWidth={3} listening={false} />
                <Circle x={pointer.x} y={pointer.y} radius={Math.max(1, brushRadius)} stroke="rgba(255,255,255,0.9)" strokeWidth={1} listening={false} />
              </>
            )}
          </Layer>
          {props.region && props.region.strokes.length > 0 && after && !showBefore && (
            <RegionOverlay view={view} picture={after} strokes={props.region.strokes} inverted={props.region.inverted} painting={painting} />
          )}
        </Stage>
      )}
      {showBefore && before && (
        <div className="canvas-badge" data-testid="before-badge">
          {props.beforeText}
        </div>
      )}
      {props.busyText && <div className="canvas-status">{props.busyText}</div>}
      {props.brokenText && (
        <div className="canvas-broken" role="status" data-testid="broken-layers">
          {props.brokenText}
        </div>
      )}
    </div>
  );
}

const REGION_TINT = '#ff4f9a';
/** Strong while painting; faint otherwise, so the edited pixels under it stay visible. */
const REGION_OPACITY = { painting: 0.45, idle: 0.2 };

/**
 * The AI region as a tint over the picture: strokes drawn opaque on their own layer (erasing with
 * destination-out), the whole layer made translucent, so overlapping strokes do not darken.
 */
function RegionOverlay({ view, picture, strokes, inverted, painting }: { view: View; picture: Picture; strokes: MaskStroke[]; inverted: boolean; painting: boolean }) {
  const layer = useRef<Konva.Layer>(null);
  useEffect(() => {
    const element = layer.current?.getNativeCanvasElement();
    if (element) element.style.opacity = String(painting ? REGION_OPACITY.painting : REGION_OPACITY.idle);
  });
  const zoom = outputZoom(picture.stack);
  return (
    <Layer ref={layer} listening={false}>
      <Group x={view.x} y={view.y} scaleX={view.scale} scaleY={view.scale} clipX={0} clipY={0} clipWidth={picture.width} clipHeight={picture.height}>
        {inverted && <Rect width={picture.width} height={picture.height} fill={REGION_TINT} />}
        {strokes.map((stroke, index) => {
          const points = stroke.points.map((point) => documentToOutput(picture.stack, point));
          const composite = stroke.erase !== inverted ? 'destination-out' : 'source-over';
          const width = stroke.size * zoom;
          return points.length === 1 ? (
            <Circle key={index} x={points[0]!.x} y={points[0]!.y} radius={width / 2} fill={REGION_TINT} globalCompositeOperation={composite} />
          ) : (
            <Line
              key={index}
              points={points.flatMap((p) => [p.x, p.y])}
              stroke={REGION_TINT}
              strokeWidth={width}
              lineCap="round"
              lineJoin="round"
              globalCompositeOperation={composite}
            />
          );
        })}
      </Group>
    </Layer>
  );
}

/** The crop rectangle with its handles; the outside is dimmed and thirds are drawn inside. */
function CropFrame({ view, bounds, crop, aspect, onCrop }: { view: View; bounds: Size; crop: CropRect; aspect: number | null; onCrop(rect: CropRect): void }) {
  const rect = useRef<Konva.Rect>(null);
  const transformer = useRef<Konva.Transformer>(null);
  useEffect(() => {
    if (rect.current && transformer.current) {
      transformer.current.nodes([rect.current]);
      transformer.current.getLayer()?.batchDraw();
    }
  }, []);

  const sx = view.x + crop.x * view.scale;
  const sy = view.y + crop.y * view.scale;
  const sw = crop.width * view.scale;
  const sh = crop.height * view.scale;
  const ix = view.x;
  const iy = view.y;
  const iw = bounds.width * view.scale;
  const ih = bounds.height * view.scale;

  function commitFromNode() {
    const node = rect.current;
    if (!node) return;
    const width = node.width() * node.scaleX();
    const height = node.height() * node.scaleY();
    node.scaleX(1);
    node.scaleY(1);
    const x = (node.x() - view.x) / view.scale;
    const y = (node.y() - view.y) / view.scale;
    const w = clamp(width / view.scale, 1, bounds.width);
    const h = clamp(height / view.scale, 1, bounds.height);
    onCrop({ x: clamp(x, 0, bounds.width - w), y: clamp(y, 0, bounds.height - h), width: w, height: h });
  }

  const shade = 'rgba(8, 9, 11, 0.62)';
  return (
    <>
      <Rect x={ix} y={iy} width={iw} height={Math.max(0, sy - iy)} fill={shade} listening={false} />
      <Rect x={ix} y={sy + sh} width={iw} height={Math.max(0, iy + ih - sy - sh)} fill={shade} listening={false} />
      <Rect x={ix} y={sy} width={Math.max(0, sx - ix)} height={sh} fill={shade} listening={false} />
      <Rect x={sx + sw} y={sy} width={Math.max(0, ix + iw - sx - sw)} height={sh} fill={shade} listening={false} />
      {[1, 2].map((i) => (
        <Line key={`v${i}`} points={[sx + (sw * i) / 3, sy, sx + (sw * i) / 3, sy + sh]} stroke="rgba(255,255,255,0.35)" strokeWidth={1} listening={false} />
      ))}
      {[1, 2].map((i) => (
        <Line key={`h${i}`} points={[sx, sy + (sh * i) / 3, sx + sw, sy + (sh * i) / 3]} stroke="rgba(255,255,255,0.35)" strokeWidth={1} listening={false} />
      ))}
      <Rect
        ref={rect}
        name="crop-rect"
        x={sx}
        y={sy}
        width={sw}
        height={sh}
        stroke="#fff"
        strokeWidth={1}
        strokeScaleEnabled={false}
        draggable
        dragBoundFunc={(pos) => ({ x: clamp(pos.x, ix, ix + iw - sw), y: clamp(pos.y, iy, iy + ih - sh) })}
        onDragEnd={commitFromNode}
        onTransformEnd={commitFromNode}
      />
      <Transformer
        ref={transformer}
        rotateEnabled={false}
        keepRatio={aspect !== null}
        flipEnabled={false}
        enabledAnchors={
          aspect !== null
            ? ['top-left', 'top-right', 'bottom-left', 'bottom-right']
            : ['top-left', 'top-center', 'top-right', 'middle-right', 'bottom-right', 'bottom-center', 'bottom-left', 'middle-left']
        }
        anchorSize={10}
        anchorCornerRadius={2}
        anchorStroke="#fff"
        anchorFill="#3d86ff"
        borderEnabled={false}
        ignoreStroke
        boundBoxFunc={(old, next) => {
          const inside =
            next.x >= ix - 0.5 && next.y >= iy - 0.5 && next.x + next.width <= ix + iw + 0.5 && next.y + next.height <= iy + ih + 0.5;
          return inside && next.width >= 8 && next.height >= 8 ? next : old;
        }}
      />
    </>
  );
}

/** The before/after divider: before on the left of it, after on the right. */
function SplitHandle({ view, picture, position, onSplit }: { view: View; picture: Picture; position: number; onSplit(position: number): void }) {
  const x = view.x + picture.width * position * view.scale;
  const top = view.y;
  const height = picture.height * view.scale;
  const left = view.x;
  const width = picture.width * view.scale;
  return (
    <>
      <Line points={[x, top, x, top + height]} stroke="#fff" strokeWidth={1.5} listening={false} shadowColor="#000" shadowBlur={4} />
      <Circle
        x={x}
        y={top + height / 2}
        radius={11}
        fill="#1d1f23"
        stroke="#fff"
        strokeWidth={1.5}
        draggable
        dragBoundFunc={(pos) => ({ x: clamp(pos.x, left, left + width), y: top + height / 2 })}
        onDragMove={(event) => onSplit(clamp((event.target.x() - left) / width, 0, 1))}
      />
    </>
  );
}
