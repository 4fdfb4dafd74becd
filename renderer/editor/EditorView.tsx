/**
 * The editor window: a project over one photo, its layers and adjustments on the right, its
 * history (and library photos to drop in) on the left, the picture in the middle. Every change
 * is one step committed through the main process; previews during a gesture record nothing.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EditJobInfo, PhotoSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { stackAt } from '../../shared/document/history.js';
import type { AdjustmentLayer, CropRect, DocTransform, Layer, LayerStack, MaskStroke, Operation, StepId } from '../../shared/document/model.js';
import type { Adjustment, AdjustmentKind } from '../../shared/imaging/index.js';
import { JobsPanel } from '../ai/JobsPanel.js';
import { isActive, useProjectJobs } from '../ai/jobs.js';
import { PromptBar } from '../ai/PromptBar.js';
import { EMPTY_REGION, type AiRegion, type RegionTool } from '../ai/region.js';
import { useEngine } from '../ai/useEngine.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';
import { PHOTO_DRAG_TYPE } from '../library/Grid.js';
import { AdjustmentPanel } from './AdjustmentPanel.js';
import { defaultAdjustment, KIND_NAME_KEYS, newLayerId, PARAMS } from './adjustments.js';
import { Canvas, type BrushSettings, type CanvasHandle, type Picture, type Tool } from './Canvas.js';
import { downloadUrl, ExportDialog } from './ExportDialog.js';
import { clamp, effectiveCrop, fitAspect, outputSize, rotatedSize, turnCrop, type Point } from './geometry.js';
import { HistoryPanel, type Thumbnail } from './HistoryPanel.js';
import { LayersPanel } from './LayersPanel.js';
import { PhotoStrip } from './PhotoStrip.js';
import { RenderClient } from './renderClient.js';
import type { RenderOutput } from './renderCore.js';
import { TransformPanel, type AspectKey } from './TransformPanel.js';
import { applyAll, useProjectDocument } from './useProjectDocument.js';
import './editor.css';
import '../ai/ai.css';

/** The longest edge of the on-screen proxy: the library's preview size. */
export const PROXY_EDGE = 1600;
const THUMB_EDGE = 64;
/** A live preview slower than this renders at half the proxy size while the gesture lasts. */
const SLOW_RENDER_MS = 120;
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl+';
/** The brush's target while it paints the AI region rather than a layer's mask. */
const REGION_TARGET = '\u0000ai-region';

export interface EditorViewProps {
  photoId: number;
  /** The project to open; null opens the photo's most recent one (or makes one). */
  projectId: number | null;
  onClose(): void;
  onProjectChange(projectId: number): void;
}

interface Draft {
  layerId: string;
  name: string;
  adjustment: Adjustment;
}

/** What the parity test (and only it) calls: see README.md. */
export interface EditorTestHooks {
  renderFull(): Promise<{ width: number; height: number; data: string; broken: string[] }>;
  state(): { projectId: number | null; head: string | null; tip: string | null; steps: number };
}

export function EditorView({ photoId, projectId, onClose, onProjectChange }: EditorViewProps) {
  const app = useApp();
  const { client, bridge, t, toast } = app;
  const project = useProjectDocument(photoId, projectId, onProjectChange);
  const { doc, stack, headStack, commit, sync } = project;

  const [renderer, setRenderer] = useState<RenderClient | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [draftLive, setDraftLive] = useState<Adjustment | null>(null);
  const [gesture, setGesture] = useState<Operation | null>(null);
  const [tool, setToolState] = useState<Tool>('none');
  const [brush, setBrush] = useState<BrushSettings>({ size: 60, hardness: 0.6 });
  const [cropRect, setCropRect] = useState<CropRect | null>(null);
  const [aspect, setAspect] = useState<AspectKey>('free');
  const [split, setSplit] = useState<number | null>(null);
  const [holdBefore, setHoldBefore] = useState(false);
  const [after, setAfter] = useState<Picture | null>(null);
  const [before, setBefore] = useState<Picture | null>(null);
  const [renderState, setRenderState] = useState<{ requested: number; done: number }>({ requested: 0, done: 0 });
  const [broken, setBroken] = useState<string[]>([]);
  const [zoom, setZoom] = useState(100);
  const [exportOpen, setExportOpen] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [leftTab, setLeftTab] = useState<'history' | 'photos' | 'jobs'>('history');
  const [region, setRegion] = useState<AiRegion>(EMPTY_REGION);
  const [regionPaint, setRegionPaint] = useState(false);
  /** A step an AI job just committed: its layer gets selected once the history shows it. */
  const [selectStep, setSelectStep] = useState<string | null>(null);
  const engine = useEngine();
  const [photo, setPhoto] = useState<PhotoSummary | null>(null);
  const canvas = useRef<CanvasHandle>(null);
  const lastRenderMs = useRef(0);
  const renderSeq = useRef(0);

  // One render worker per editor, made in an effect so StrictMode's double run cannot reuse a disposed one.
  useEffect(() => {
    const client = new RenderClient((sha, size) => assetUrl(bridge.host, sha, size));
    setRenderer(client);
    return () => client.dispose();
  }, [bridge.host]);

  useEffect(() => {
    let live = true;
    client.call('photos.get', { id: photoId }).then(
      (value) => {
        if (live) setPhoto(value);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, photoId]);

  const width = doc?.project.width ?? 1;
  const height = doc?.project.height ?? 1;
  const proxyScale = Math.min(1, PROXY_EDGE / Math.max(width, height));

  // A brush that suits the photo: about a twentieth of its long edge.
  useEffect(() => {
    if (doc) setBrush((current) => ({ ...current, size: Math.max(4, Math.round(Math.max(doc.project.width, doc.project.height) / 20)) }));
  }, [doc?.project.id]);

  const draftOp = useMemo<Operation | null>(
    () => (draft ? { type: 'addAdjustmentLayer', layerId: draft.layerId, name: draft.name, adjustment: draftLive ?? draft.adjustment } : null),
    [draft, draftLive],
  );
  const displayStack = useMemo(() => (stack ? applyAll(stack, [draftOp, gesture].filter((op): op is Operation => op !== null)) : null), [stack, draftOp, gesture]);
  const viewStack = useMemo<LayerStack | null>(
    () => (displayStack && tool === 'crop' ? { ...displayStack, transform: { ...displayStack.transform, crop: null } } : displayStack),
    [displayStack, tool],
  );

  const viewStackRef = useRef(viewStack);
  viewStackRef.current = viewStack;

  const layers = displayStack?.layers ?? [];
  const selected: Layer | null = layers.find((layer) => layer.id === selectedId) ?? null;
  useEffect(() => {
    if (!displayStack) return;
    if (!displayStack.layers.some((layer) => layer.id === selectedId)) setSelectedId(displayStack.layers[displayStack.layers.length - 1]?.id ?? null);
  }, [displayStack, selectedId]);

  const paintTarget = regionPaint ? REGION_TARGET : selected?.mask && selected.id !== draft?.layerId ? selected.id : null;

  const setTool = useCallback(
    (next: Tool) => {
      setToolState(next);
      setRegionPaint(false);
      if (next !== 'crop') setCropRect(null);
    },
    [],
  );

  /** The prompt bar's brush: paints the AI region, not a mask, and records nothing. */
  const setRegionTool = useCallback((next: RegionTool) => {
    setCropRect(null);
    setRegionPaint(next !== null);
    setToolState(next ?? 'none');
  }, []);

  useEffect(() => {
    if (regionPaint && tool !== 'brush' && tool !== 'eraser') setRegionPaint(false);
  }, [regionPaint, tool]);

  // ---- AI jobs ----------------------------------------------------------------------------------

  const onJobSucceeded = useCallback(
    (job: EditJobInfo) => {
      setSelectStep(job.stepId);
      void sync();
    },
    [sync],
  );
  const jobs = useProjectJobs(doc?.project.id ?? null, onJobSucceeded);
  const activeJobs = jobs.jobs.filter(isActive).length;

  // Steps committed elsewhere (a job, the local engine, another window) come in with the library's news.
  useHostEvent((event) => {
    if (event.type === 'library.changed') void sync();
  });

  useEffect(() => {
    if (!selectStep || !doc) return;
    const step = doc.history.steps.get(selectStep);
    if (!step) return;
    setSelectStep(null);
    if (step.op.type === 'aiEdit' && doc.history.head === step.id) setSelectedId(step.op.layerId);
  }, [doc, selectStep]);

  // Brush tools make sense only on a layer with a mask.
  useEffect(() => {
    if ((tool === 'brush' || tool === 'eraser') && !paintTarget) setToolState('none');
  }, [tool, paintTarget]);

  // ---- rendering ------------------------------------------------------------------------------

  /**
   * Two canvases for each picture, drawn in turn: the one on screen is not the one being drawn, and
   * a frame does not pay for a new canvas's memory (about 4 ms at proxy size in Chromium, against
   * 0.5 ms to draw into one already there).
   */
  const pictureCanvases = useRef({ after: { canvases: [] as HTMLCanvasElement[], turn: 0 }, before: { canvases: [] as HTMLCanvasElement[], turn: 0 } });
  const toPicture = useCallback((output: RenderOutput, rendered: LayerStack, kind: 'after' | 'before'): Picture => {
    const pair = pictureCanvases.current[kind];
    pair.turn = (pair.turn + 1) % 2;
    const element = (pair.canvases[pair.turn] ??= document.createElement('canvas'));
    // Setting a size clears the canvas even when it is the same: only when it changes (the bands cover every pixel).
    if (element.width !== output.width) element.width = output.width;
    if (element.height !== output.height) element.height = output.height;
    const context = element.getContext('2d');
    // A frame split between the render workers is drawn band by band, without joining the bands.
    const parts = output.bands ?? [{ top: 0, width: output.width, height: output.height, data: output.data }];
    // ImageData wraps the band's pixels without copying; putImageData copies them into the canvas.
    for (const part of parts) {
      if (part.height > 0) context?.putImageData(new ImageData(part.data as Uint8ClampedArray<ArrayBuffer>, part.width, part.height), 0, part.top);
    }
    const size = outputSize(rendered);
    return { canvas: element, width: size.width, height: size.height, stack: rendered };
  }, []);

  const interactive = gesture !== null || draftLive !== null;
  // The same picture again (an optimistic change confirmed by the host) is not rendered twice.
  const viewKey = useMemo(() => (viewStack ? JSON.stringify(viewStack) : ''), [viewStack]);
  useEffect(() => {
    const viewStack = viewStackRef.current;
    if (!renderer || !viewStack) return;
    const seq = ++renderSeq.current;
    setRenderState((state) => ({ ...state, requested: seq }));
    const scale = proxyScale * (interactive && lastRenderMs.current > SLOW_RENDER_MS ? 0.5 : 1);
    renderer.render({ stack: viewStack, size: 'preview', scale }, 'view').then(
      (output) => {
        if (!output) return;
        if (scale === proxyScale) lastRenderMs.current = output.ms;
        setAfter(toPicture(output, viewStack, 'after'));
        setBroken(output.broken);
        // Drawn (putImageData copied it): the worker writes a later frame into the same memory.
        renderer.recycle(output);
        setRenderState((state) => ({ ...state, done: Math.max(state.done, seq) }));
      },
      (error: unknown) => {
        setRenderState((state) => ({ ...state, done: Math.max(state.done, seq) }));
        toast({ kind: 'error', text: t('editor.renderFailed', { reason: errorMessage(error) }) });
      },
    );
  }, [renderer, viewKey, proxyScale, interactive, toPicture, toast, t]);

  const needBefore = split !== null || holdBefore;
  const beforeKey = viewStack ? JSON.stringify([viewStack.width, viewStack.height, viewStack.layers[0] ?? null, viewStack.transform]) : '';
  useEffect(() => {
    const current = viewStackRef.current;
    if (!renderer || !current || !needBefore) return;
    renderer.render({ stack: current, size: 'preview', scale: proxyScale, layerLimit: 1 }, 'before').then(
      (output) => {
        if (!output) return;
        setBefore(toPicture(output, current, 'before'));
        renderer.recycle(output);
      },
      () => {},
    );
  }, [renderer, beforeKey, needBefore, proxyScale, toPicture]);

  const thumbs = useRef(new Map<string, Promise<Thumbnail | null>>());
  const docRef = useRef(doc);
  docRef.current = doc;
  const thumbnail = useCallback(
    (id: StepId): Promise<Thumbnail | null> => {
      const cached = thumbs.current.get(id);
      if (cached) return cached;
      const current = docRef.current;
      if (!renderer || !current) return Promise.resolve(null);
      const { width: w, height: h } = current.project;
      let rendered: Promise<Thumbnail | null>;
      try {
        const at = stackAt(current.history, w, h, id);
        rendered = renderer
          .render({ stack: at, size: 'preview', scale: THUMB_EDGE / Math.max(w, h) }, 'thumb')
          .then((output) => (output ? { width: output.width, height: output.height, data: output.data } : null))
          .catch(() => null);
      } catch {
        rendered = Promise.resolve(null);
      }
      // A thumbnail dropped from the queue may be asked for again later.
      void rendered.then((result) => {
        if (!result) thumbs.current.delete(id);
      });
      thumbs.current.set(id, rendered);
      return rendered;
    },
    [renderer],
  );

  // ---- the parity hook -------------------------------------------------------------------------

  const headStackRef = useRef(headStack);
  headStackRef.current = headStack;
  useEffect(() => {
    if (!renderer) return;
    const hooks: EditorTestHooks = {
      async renderFull() {
        const current = headStackRef.current;
        if (!current) throw new Error('No project is open.');
        const output = await renderer.render({ stack: current, size: 'original', scale: 1 }, 'full');
        if (!output) throw new Error('The render was dropped.');
        return { width: output.width, height: output.height, data: toBase64(output.data), broken: output.broken };
      },
      state() {
        const current = docRef.current;
        return {
          projectId: current?.project.id ?? null,
          head: current?.history.head ?? null,
          tip: current?.history.tip ?? null,
          steps: current?.history.steps.size ?? 0,
        };
      },
    };
    const target = window as Window & { __promptroomEditor?: EditorTestHooks };
    target.__promptroomEditor = hooks;
    return () => {
      if (target.__promptroomEditor === hooks) delete target.__promptroomEditor;
    };
  }, [renderer]);

  // ---- actions ---------------------------------------------------------------------------------

  const preview = useCallback((op: Operation | null) => setGesture(op), []);

  const commitOp = useCallback(
    (op: Operation) => {
      setGesture(null);
      return commit(op);
    },
    [commit],
  );

  const addAdjustment = useCallback(
    (kind: AdjustmentKind) => {
      const layerId = newLayerId();
      const name = t(KIND_NAME_KEYS[kind]);
      const adjustment = defaultAdjustment(kind);
      setSelectedId(layerId);
      setTool('none');
      if (PARAMS[kind].length === 0 && kind !== 'curve') {
        setDraft(null);
        void commitOp({ type: 'addAdjustmentLayer', layerId, name, adjustment });
        return;
      }
      setDraftLive(null);
      setDraft({ layerId, name, adjustment });
    },
    [commitOp, setTool, t],
  );

  const commitDraft = useCallback(
    (adjustment?: Adjustment) => {
      if (!draft) return Promise.resolve(false);
      const op: Operation = { type: 'addAdjustmentLayer', layerId: draft.layerId, name: draft.name, adjustment: adjustment ?? draftLive ?? draft.adjustment };
      setDraft(null);
      setDraftLive(null);
      return commitOp(op);
    },
    [commitOp, draft, draftLive],
  );

  const discardDraft = useCallback(() => {
    setDraft(null);
    setDraftLive(null);
  }, []);

  const onStroke = useCallback(
    (stroke: MaskStroke | null, done: boolean) => {
      if (paintTarget === REGION_TARGET) {
        if (stroke && done) setRegion((current) => ({ ...current, strokes: [...current.strokes, stroke].slice(-1000) }));
        return;
      }
      if (!paintTarget || !stroke) {
        setGesture(null);
        return;
      }
      const op: Operation = { type: 'paintMask', layerId: paintTarget, stroke };
      if (done) void commitOp(op);
      else setGesture(op);
    },
    [commitOp, paintTarget],
  );

  const startCrop = useCallback(() => {
    if (!displayStack) return;
    setToolState('crop');
    const bounds = rotatedSize(displayStack);
    setCropRect(effectiveCrop(displayStack) ?? { x: 0, y: 0, width: bounds.width, height: bounds.height });
  }, [displayStack]);

  const aspectRatio = useCallback(
    (key: AspectKey): number | null => {
      if (!displayStack) return null;
      const bounds = rotatedSize(displayStack);
      switch (key) {
        case 'free':
          return null;
        case 'original':
          return bounds.width / bounds.height;
        case '1:1':
          return 1;
        case '4:5':
          // Follow the photo's orientation: portrait stays portrait.
          return bounds.width >= bounds.height ? 5 / 4 : 4 / 5;
        case '3:2':
          return bounds.width >= bounds.height ? 3 / 2 : 2 / 3;
        case '16:9':
          return bounds.width >= bounds.height ? 16 / 9 : 9 / 16;
      }
    },
    [displayStack],
  );

  const chooseAspect = useCallback(
    (key: AspectKey) => {
      setAspect(key);
      const ratio = aspectRatio(key);
      if (!displayStack || ratio === null) return;
      setCropRect(fitAspect(rotatedSize(displayStack), ratio));
    },
    [aspectRatio, displayStack],
  );

  const applyCrop = useCallback(() => {
    if (!displayStack || !cropRect) return;
    const bounds = rotatedSize(displayStack);
    const x = clamp(Math.round(cropRect.x), 0, bounds.width - 1);
    const y = clamp(Math.round(cropRect.y), 0, bounds.height - 1);
    const rect = { x, y, width: clamp(Math.round(cropRect.width), 1, bounds.width - x), height: clamp(Math.round(cropRect.height), 1, bounds.height - y) };
    const whole = rect.x === 0 && rect.y === 0 && rect.width === bounds.width && rect.height === bounds.height;
    const next = whole ? null : rect;
    setTool('none');
    if (JSON.stringify(next) !== JSON.stringify(displayStack.transform.crop)) void commitOp({ type: 'setTransform', transform: { crop: next } });
  }, [commitOp, cropRect, displayStack, setTool]);

  const rotate = useCallback(
    (clockwise: boolean) => {
      if (!displayStack) return;
      const transform: Partial<DocTransform> = { quarterTurns: (displayStack.transform.quarterTurns + (clockwise ? 1 : 3)) % 4 };
      const crop = effectiveCrop(displayStack);
      // The crop turns with the picture (the pipeline crops after turning).
      if (crop) transform.crop = turnCrop(crop, rotatedSize(displayStack), clockwise);
      setTool('none');
      void commitOp({ type: 'setTransform', transform });
    },
    [commitOp, displayStack, setTool],
  );

  const onDuplicate = useCallback(
    (layer: Layer) => {
      const newId = newLayerId();
      void commitOp({ type: 'duplicateLayer', layerId: layer.id, newLayerId: newId }).then((ok) => {
        if (ok) setSelectedId(newId);
      });
    },
    [commitOp],
  );

  const onDelete = useCallback(
    (layer: Layer) => {
      if (layer.id === draft?.layerId) {
        discardDraft();
        return;
      }
      const index = layers.findIndex((l) => l.id === layer.id);
      const next = layers[index - 1] ?? layers[index + 1];
      void commitOp({ type: 'deleteLayer', layerId: layer.id }).then((ok) => {
        if (ok && next) setSelectedId(next.id);
      });
    },
    [commitOp, discardDraft, draft?.layerId, layers],
  );

  // ---- layers from files, the library and the clipboard -----------------------------------------

  const importFile = useCallback(
    async (file: File, name: string): Promise<PhotoSummary> => {
      const path = bridge.pathForFile?.(file);
      if (path) return (await client.call('import.one', { name, path })).photo;
      if (bridge.upload) {
        const stagedId = await bridge.upload(file, name);
        return (await client.call('import.one', { name, stagedId })).photo;
      }
      return (await client.call('import.one', { name, base64: await fileToBase64(file) })).photo;
    },
    [bridge, client],
  );

  /** Adds a library photo as an image layer centred on `at` (document pixels), at its own size, kept inside. */
  const addPhotoLayer = useCallback(
    async (added: PhotoSummary, at: Point | null) => {
      const current = docRef.current;
      if (!current) return;
      const W = current.project.width;
      const H = current.project.height;
      const shrink = Math.min(1, W / added.width, H / added.height);
      const w = Math.max(1, Math.round(added.width * shrink));
      const h = Math.max(1, Math.round(added.height * shrink));
      const cx = at?.x ?? W / 2;
      const cy = at?.y ?? H / 2;
      const layerId = newLayerId();
      const ok = await commitOp({
        type: 'addImageLayer',
        layerId,
        name: added.fileName.slice(0, 200) || 'Layer',
        sha256: added.sha256,
        x: clamp(Math.round(cx - w / 2), 0, W - w),
        y: clamp(Math.round(cy - h / 2), 0, H - h),
        width: w,
        height: h,
      });
      if (ok) setSelectedId(layerId);
    },
    [commitOp],
  );

  const addFiles = useCallback(
    async (files: { file: File; name: string }[], at: Point | null) => {
      for (const [index, { file, name }] of files.entries()) {
        const id = toast({ kind: 'info', text: t('editor.importing', { name }) });
        try {
          const added = await importFile(file, name);
          app.dismissToast(id);
          await addPhotoLayer(added, at ? { x: at.x + index * 24, y: at.y + index * 24 } : null);
        } catch (error) {
          app.dismissToast(id);
          toast({ kind: 'error', text: t('editor.importFailed', { name, reason: errorMessage(error) }) });
        }
      }
    },
    [addPhotoLayer, app, importFile, t, toast],
  );

  const addLibraryPhotos = useCallback(
    async (ids: number[], at: Point | null) => {
      for (const [index, id] of ids.slice(0, 20).entries()) {
        try {
          const added = await client.call('photos.get', { id });
          await addPhotoLayer(added, at ? { x: at.x + index * 24, y: at.y + index * 24 } : null);
        } catch (error) {
          toast({ kind: 'error', text: errorMessage(error) });
        }
      }
    },
    [addPhotoLayer, client, toast],
  );

  // Paste an image from the clipboard as a layer.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      if (isTextField(event.target) || document.querySelector('[data-modal]')) return;
      const files = Array.from(event.clipboardData?.files ?? []).filter((file) => file.type.startsWith('image/'));
      if (files.length === 0) return;
      event.preventDefault();
      const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
      void addFiles(
        files.map((file, i) => ({ file, name: file.name && file.name !== 'image.png' ? file.name : `Pasted ${stamp}${i ? `-${i}` : ''}.${extensionOf(file.type)}` })),
        null,
      );
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [addFiles]);

  // A file dropped beside the canvas must not make the browser navigate away to it.
  useEffect(() => {
    const stop = (event: DragEvent) => {
      if (Array.from(event.dataTransfer?.types ?? []).includes('Files')) event.preventDefault();
    };
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  // ---- export and download ----------------------------------------------------------------------

  const download = useCallback(async () => {
    const current = docRef.current;
    if (!current) return;
    setDownloading(true);
    try {
      const { jobId } = await client.call('export.start', { projectIds: [current.project.id], options: { format: 'jpeg', quality: 92 } });
      let job = await client.call('export.status', { jobId });
      while (job.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 300));
        job = await client.call('export.status', { jobId });
      }
      const file = job.files[0];
      if (!file) throw new Error(job.failed[0]?.reason ?? t('export.failed'));
      const link = document.createElement('a');
      link.href = downloadUrl(file.downloadId);
      link.download = file.fileName;
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
    } finally {
      setDownloading(false);
    }
  }, [client, t, toast]);

  // ---- keyboard ---------------------------------------------------------------------------------

  const keys = useRef<(event: KeyboardEvent) => void>(() => {});
  useEffect(() => {
    keys.current = (event: KeyboardEvent) => {
      if (event.defaultPrevented || document.querySelector('[data-modal]')) return;
      const mod = IS_MAC ? event.metaKey : event.ctrlKey;
      const key = event.key;
      const lower = key.toLowerCase();
      const field = isTextField(event.target);
      if (mod && !event.altKey) {
        if (lower === 'z' && !field) {
          event.preventDefault();
          if (event.shiftKey) project.redo();
          else project.undo();
        } else if (lower === 'y' && !IS_MAC && !field) {
          event.preventDefault();
          project.redo();
        } else if (key === '0') {
          event.preventDefault();
          canvas.current?.fit();
        } else if (key === '1') {
          event.preventDefault();
          canvas.current?.actualSize();
        } else if (key === '=' || key === '+') {
          event.preventDefault();
          canvas.current?.zoomBy(1.25);
        } else if (key === '-') {
          event.preventDefault();
          canvas.current?.zoomBy(0.8);
        } else if (lower === 'e' && event.shiftKey) {
          event.preventDefault();
          setExportOpen(true);
        }
        return;
      }
      if (field || event.altKey || event.metaKey || event.ctrlKey) return;
      // Enter on a focused button presses it, except while cropping: then it applies the crop.
      if (event.target instanceof HTMLButtonElement && (key === ' ' || (key === 'Enter' && tool !== 'crop'))) return;
      let handled = true;
      if (key === '\\') setHoldBefore(true);
      else if (lower === 'y') setSplit((current) => (current === null ? 0.5 : null));
      else if (lower === 'b' && paintTarget) (regionPaint ? setRegionTool : setTool)('brush');
      else if (lower === 'e' && paintTarget) (regionPaint ? setRegionTool : setTool)('eraser');
      else if (lower === 'c') {
        if (tool === 'crop') setTool('none');
        else startCrop();
      } else if (lower === 'r') rotate(!event.shiftKey);
      else if (key === '[') setBrush((b) => ({ ...b, size: Math.max(1, Math.round(b.size / 1.2)) }));
      else if (key === ']') setBrush((b) => ({ ...b, size: Math.min(5000, Math.max(b.size + 1, Math.round(b.size * 1.2))) }));
      else if (key === 'Enter') {
        if (tool === 'crop') applyCrop();
        else if (draft) void commitDraft();
        else handled = false;
      } else if (key === 'Escape') {
        if (gesture) setGesture(null);
        else if (tool !== 'none') setTool('none');
        else if (draft) discardDraft();
        else handled = false;
      } else handled = false;
      if (handled) event.preventDefault();
    };
  });
  useEffect(() => {
    const down = (event: KeyboardEvent) => keys.current(event);
    const up = (event: KeyboardEvent) => {
      if (event.key === '\\') setHoldBefore(false);
    };
    const blur = () => setHoldBefore(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, []);

  // ---- render ---------------------------------------------------------------------------------

  if (project.load.status !== 'ready' || !doc || !displayStack) {
    return (
      <div className="editor" data-testid="editor" data-state={project.load.status}>
        <div className="splash">
          {project.load.status === 'failed' ? (
            <>
              <h1>{t('editor.openFailed')}</h1>
              <p className="muted">{project.load.message}</p>
              <div className="button-row">
                <button className="button" onClick={onClose}>
                  {t('editor.backToLibrary')}
                </button>
                <button className="button primary" onClick={project.reload}>
                  {t('app.retry')}
                </button>
              </div>
            </>
          ) : (
            <>
              <div className="splash-mark" aria-hidden="true" />
              <p>{t('editor.opening')}</p>
            </>
          )}
        </div>
      </div>
    );
  }

  const history = doc.history;
  const headStep = history.head ? history.steps.get(history.head) : undefined;
  const canUndo = headStep !== undefined && headStep.parentId !== null;
  const canRedo = history.tip !== history.head || [...history.steps.values()].some((step) => step.parentId === history.head);
  const rendering = renderState.done < renderState.requested;
  const brokenNames = layers.filter((layer) => broken.includes(layer.id)).map((layer) => layer.name);
  const selectedAdjustment = selected?.kind === 'adjustment' ? (selected as AdjustmentLayer) : null;
  const cropAspect = tool === 'crop' ? aspectRatio(aspect) : null;

  return (
    <div
      className="editor"
      data-testid="editor"
      data-state="ready"
      data-locale={app.locale}
      data-project-id={doc.project.id}
      data-head={history.head ?? ''}
      data-tip={history.tip ?? ''}
      data-busy={project.busy}
      data-rendering={rendering}
      data-gesture={gesture ? gesture.type : ''}
    >
      <header className="toolbar editor-toolbar" data-testid="editor-toolbar">
        <button className="button" data-testid="editor-back" onClick={onClose} title={t('editor.backToLibrary')}>
          ← {t('editor.library')}
        </button>
        <div className="toolbar-group project-picker">
          <select
            className="select"
            data-testid="project-picker"
            aria-label={t('editor.versions')}
            title={t('editor.versions')}
            value={doc.project.id}
            onChange={(event) => project.openVersion(Number(event.target.value))}
          >
            {(project.versions.some((v) => v.id === doc.project.id) ? project.versions : [{ id: doc.project.id, name: doc.project.name, stepCount: 0 }, ...project.versions]).map(
              (version) => (
                <option key={version.id} value={version.id}>
                  {app.tn('editor.versionOption', version.id === doc.project.id ? history.steps.size : version.stepCount, { name: version.name })}
                </option>
              ),
            )}
          </select>
          <button className="button small" data-testid="new-version" onClick={project.newVersion} title={t('editor.newVersionHint')}>
            + {t('editor.newVersion')}
          </button>
        </div>
        <span className="filter-divider" aria-hidden="true" />
        <div className="toolbar-group">
          <button className="button icon-button" data-testid="undo" disabled={!canUndo} onClick={project.undo} title={`${t('editor.undo')} (${MOD}Z)`} aria-label={t('editor.undo')}>
            ↶
          </button>
          <button
            className="button icon-button"
            data-testid="redo"
            disabled={!canRedo}
            onClick={project.redo}
            title={`${t('editor.redo')} (${MOD}Shift+Z${IS_MAC ? '' : ', Ctrl+Y'})`}
            aria-label={t('editor.redo')}
          >
            ↷
          </button>
        </div>
        <span className="filter-divider" aria-hidden="true" />
        <div className="toolbar-group">
          <button className="button small" data-testid="zoom-fit" onClick={() => canvas.current?.fit()} title={`${t('editor.fit')} (${MOD}0)`}>
            {t('editor.fit')}
          </button>
          <button className="button small" data-testid="zoom-100" onClick={() => canvas.current?.actualSize()} title={`${t('editor.actualSize')} (${MOD}1)`}>
            100%
          </button>
          <span className="zoom-readout" data-testid="zoom-readout">
            {zoom}%
          </span>
        </div>
        <span className="filter-divider" aria-hidden="true" />
        <div className="toolbar-group">
          <button
            className={'button small toggle' + (split !== null ? ' active' : '')}
            aria-pressed={split !== null}
            data-testid="split-toggle"
            onClick={() => setSplit((current) => (current === null ? 0.5 : null))}
            title={`${t('editor.split')} (Y) · ${t('editor.holdBefore')}`}
          >
            {t('editor.beforeAfter')}
          </button>
          <button
            className={'button small toggle' + (tool === 'crop' ? ' active' : '')}
            aria-pressed={tool === 'crop'}
            data-testid="tool-crop"
            onClick={() => (tool === 'crop' ? setTool('none') : startCrop())}
            title={`${t('editor.crop')} (C)`}
          >
            {t('editor.crop')}
          </button>
        </div>
        <div className="toolbar-spacer" />
        {(rendering || project.busy > 0) && <span className="spinner" aria-label={t('editor.working')} title={t('editor.working')} />}
        {bridge.host === 'browser' ? (
          <button className="button" data-testid="download" disabled={downloading} onClick={() => void download()} title={t('editor.downloadHint')}>
            {downloading ? t('editor.preparing') : t('editor.download')}
          </button>
        ) : (
          // Electron: drag this out onto the desktop or another program; the main process exports
          // a fresh file and hands it to webContents.startDrag.
          <span
            className="button drag-out"
            data-testid="drag-out"
            role="button"
            draggable
            title={t('editor.dragOutHint')}
            onDragStart={(event) => {
              event.preventDefault();
              client.call('editor.dragOut', { projectId: doc.project.id, format: 'jpeg' }).catch((error: unknown) => toast({ kind: 'error', text: errorMessage(error) }));
            }}
          >
            ⇲ {t('editor.dragOut')}
          </span>
        )}
        <button className="button primary" data-testid="export-open" onClick={() => setExportOpen(true)} title={`${t('editor.export')} (${MOD}Shift+E)`}>
          {t('editor.export')}
        </button>
      </header>
      <div className="editor-body">
        <aside className="editor-left">
          <div className="tabs" role="tablist">
            <button role="tab" aria-selected={leftTab === 'history'} className={'tab' + (leftTab === 'history' ? ' active' : '')} data-testid="tab-history" onClick={() => setLeftTab('history')}>
              {t('editor.history')}
            </button>
            <button role="tab" aria-selected={leftTab === 'photos'} className={'tab' + (leftTab === 'photos' ? ' active' : '')} data-testid="tab-photos" onClick={() => setLeftTab('photos')}>
              {t('editor.photos')}
            </button>
            <button role="tab" aria-selected={leftTab === 'jobs'} className={'tab' + (leftTab === 'jobs' ? ' active' : '')} data-testid="tab-jobs" onClick={() => setLeftTab('jobs')}>
              {t('ai.jobs.tab')}
              {activeJobs > 0 && (
                <span className="tab-badge" data-testid="jobs-active-count">
                  {activeJobs}
                </span>
              )}
            </button>
          </div>
          {leftTab === 'jobs' ? (
            <JobsPanel jobs={jobs.jobs} onCancel={jobs.cancel} />
          ) : leftTab === 'history' ? (
            <HistoryPanel history={history} width={doc.project.width} height={doc.project.height} onJump={project.jump} thumbnail={thumbnail} />
          ) : (
            <PhotoStrip onAdd={(added) => void addPhotoLayer(added, null)} />
          )}
        </aside>
        <main className="editor-main">
          <Canvas
            ref={canvas}
            after={after}
            before={before}
            showBefore={holdBefore}
            split={split}
            onSplit={setSplit}
            tool={tool}
            brush={brush}
            paintTarget={tool === 'brush' || tool === 'eraser' ? paintTarget : null}
            onStroke={onStroke}
            crop={cropRect}
            cropAspect={cropAspect}
            onCrop={setCropRect}
            onZoom={setZoom}
            onDropFiles={(files, at) => void addFiles(files.map((file) => ({ file, name: file.name })), at)}
            onDropPhotos={(ids, at) => void addLibraryPhotos(ids, at)}
            photoDragType={PHOTO_DRAG_TYPE}
            busyText={after ? null : t('editor.rendering')}
            beforeText={t('editor.before')}
            brokenText={brokenNames.length ? t('editor.brokenLayers', { names: brokenNames.join(', ') }) : null}
            region={region}
          />
          <PromptBar
            engine={engine}
            projectId={doc.project.id}
            photoId={photoId}
            selected={selected}
            region={region}
            onRegion={setRegion}
            regionTool={regionPaint && (tool === 'brush' || tool === 'eraser') ? tool : null}
            onRegionTool={setRegionTool}
            brushSize={brush.size}
            onBrushSize={(size) => setBrush((b) => ({ ...b, size }))}
            longEdge={Math.max(width, height)}
            jobs={jobs.jobs}
            onSubmitted={jobs.add}
            onCancel={jobs.cancel}
            onLocalSteps={() => void sync()}
            onChooseVariant={(layerId, sha256) => void commitOp({ type: 'chooseVariant', layerId, sha256 })}
            busy={project.busy > 0}
          />
          <footer className="status-bar">
            <span className="muted small">
              {photo?.fileName ?? doc.project.name} · {doc.project.width}×{doc.project.height}
            </span>
            <span className="toolbar-spacer" />
            <span className="muted small">{tool === 'crop' ? t('editor.cropShortcuts') : t('editor.shortcuts', { mod: MOD })}</span>
          </footer>
        </main>
        <aside className="editor-right">
          <LayersPanel
            stack={displayStack}
            selectedId={selected?.id ?? null}
            draftId={draft?.layerId ?? null}
            onSelect={(id) => {
              setSelectedId(id);
            }}
            commit={commitOp}
            preview={preview}
            onAddAdjustment={addAdjustment}
            onDuplicate={onDuplicate}
            onDelete={onDelete}
            tool={regionPaint ? 'none' : tool}
            onTool={setTool}
            brush={brush}
            onBrush={setBrush}
            longEdge={Math.max(width, height)}
          />
          {selectedAdjustment && (
            <AdjustmentPanel
              key={selectedAdjustment.id}
              layer={selectedAdjustment}
              isDraft={selectedAdjustment.id === draft?.layerId}
              onPreview={(adjustment) => {
                if (selectedAdjustment.id === draft?.layerId) setDraftLive(adjustment);
                else setGesture({ type: 'setAdjustment', layerId: selectedAdjustment.id, adjustment });
              }}
              onCommit={(adjustment) => {
                if (selectedAdjustment.id === draft?.layerId) return commitDraft(adjustment);
                return commitOp({ type: 'setAdjustment', layerId: selectedAdjustment.id, adjustment });
              }}
              onCancel={() => {
                setDraftLive(null);
                setGesture(null);
              }}
              onAddDraft={() => void commitDraft()}
              onDiscardDraft={discardDraft}
            />
          )}
          <TransformPanel
            transform={displayStack.transform}
            cropping={tool === 'crop'}
            aspect={aspect}
            onAspect={chooseAspect}
            onStartCrop={startCrop}
            onApplyCrop={applyCrop}
            onCancelCrop={() => setTool('none')}
            onRemoveCrop={() => void commitOp({ type: 'setTransform', transform: { crop: null } })}
            onRotate={rotate}
            commit={commitOp}
            preview={preview}
          />
        </aside>
      </div>
      {exportOpen && <ExportDialog projectIds={[doc.project.id]} title={t('export.titleOne', { name: doc.project.name })} onClose={() => setExportOpen(false)} />}
    </div>
  );
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'button'].includes(target.type);
}

function extensionOf(type: string): string {
  return type === 'image/jpeg' ? 'jpg' : (type.split('/')[1] ?? 'png').replace(/[^a-z0-9]/g, '') || 'png';
}

async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return toBase64(bytes);
}

function toBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}
